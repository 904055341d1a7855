// All benchmarks in one run (`npm run bench`), small sizes, one table of ratios against baselines
// measured in the same run:
//   ingress, SQLite:  Hookyard (SQLite) vs a bare node:http receiver (bench/ingress.mjs)
//   ingress, Redis:   Hookyard (BullMQ on Redis) vs the same bare receiver
//   tasks:            Hookyard on SQLite, BullMQ-Redis and BullMQ-Postgres vs raw BullMQ on the same Redis
//                     (bench/tasks.mjs, which measures raw BullMQ itself)
// Each script runs as a child with its own JSON output, read back here; their own reports go to
// stderr/stdout as they run. Needs `npm run build`, Redis at --redis and PostgreSQL at --postgres.
// Usage: node bench/all.mjs [--duration 3] [--rate 200] [--count 5000] [--postgres-count 1000] [--concurrency 10]
//          [--redis redis://127.0.0.1:6379/0] [--postgres postgres://postgres@127.0.0.1:5432/test]
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
const DURATION = arg("duration", "3");
const RATE = arg("rate", "200");
const COUNT = arg("count", "5000");
const PG_COUNT = arg("postgres-count", "1000");
const CONCURRENCY = arg("concurrency", "10");
const REDIS = arg("redis", "redis://127.0.0.1:6379/0");
const POSTGRES = arg("postgres", "postgres://postgres@127.0.0.1:5432/test");
const OUT = "/tmp/hookyard-bench/all";
mkdirSync(OUT, { recursive: true });

/** Runs a bench script to completion (its report passes through to stderr); rejects on a non-zero exit. */
function run(script, args) {
  return new Promise((resolve, reject) => {
    process.stderr.write(`\n== node bench/${script} ${args.join(" ")}\n`);
    const child = spawn(process.execPath, [join(here, script), ...args], { stdio: ["ignore", process.stderr, process.stderr] });
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`bench/${script} exited ${code}`))));
  });
}
const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));

const ingress = {};
for (const [name, extra] of [["SQLite", []], ["Redis", ["--store", REDIS]]]) {
  const json = join(OUT, `ingress-${name.toLowerCase()}.json`);
  await run("ingress.mjs", ["--duration", DURATION, "--warmup", "1", "--rate", RATE, "--json", json, ...extra]);
  ingress[name] = readJson(json).results;
}
// Postgres runs ~20× slower than the others: its own, smaller run with 100 in flight (tasks/s still compare)
const tasks = [];
for (const [name, stores, count, inflight] of [["tasks", "sqlite,redis", COUNT, "500"], ["tasks-postgres", "postgres", PG_COUNT, "100"]]) {
  const json = join(OUT, `${name}.json`);
  await run("tasks.mjs", ["--count", count, "--inflight", inflight, "--concurrency", CONCURRENCY, "--stores", stores, "--redis", REDIS, "--postgres", POSTGRES, "--json", json]);
  tasks.push(...readJson(json).results);
}

const f = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? "-" : x.toFixed(d));
const rows = [["benchmark", "measured", "baseline (same run)", "Hookyard", "baseline", "ratio"]];
for (const [name, r] of Object.entries(ingress)) {
  rows.push([`ingress, ${name}`, "max req/s (closed loop)", "bare node:http", f(r.hookyard.closed.rps), f(r.bare.closed.rps), f(r.hookyard.closed.rps / r.bare.closed.rps, 2)]);
  rows.push([`ingress, ${name}`, `p99 ms @ ${RATE} req/s`, "bare node:http", f(r.hookyard.open.latencyMs.p99, 2), f(r.bare.open.latencyMs.p99, 2), f(r.hookyard.open.latencyMs.p99 / r.bare.open.latencyMs.p99, 2)]);
}
const endToEnd = (store) => tasks.find((t) => t.store === store && t.workers && String(t.concurrency) === CONCURRENCY);
const raw = endToEnd("raw-bullmq"); // measured in the SQLite/Redis run
for (const [store, label] of [["sqlite", "SQLite"], ["redis", "BullMQ-Redis"], ["postgres", "BullMQ-Postgres"]]) {
  const mine = endToEnd(store);
  const failed = mine ? mine.failedEnqueues + mine.failedTasks + (mine.timedOut ? 1 : 0) : 0;
  rows.push([`tasks, ${label}`, `tasks/s end to end, concurrency ${CONCURRENCY}${failed ? ` (${failed} errors)` : ""}`, "raw BullMQ (Redis)", f(mine?.tasksPerS), f(raw?.tasksPerS), f(mine && raw ? mine.tasksPerS / raw.tasksPerS : NaN, 2)]);
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
console.log(`\nAll benchmarks: node ${process.version}, ${cpus().length} cores, load average after ${loadavg().map((x) => x.toFixed(2)).join(" ")}; ` +
  `ingress ${DURATION} s per loop, tasks ${COUNT} per run (Postgres ${PG_COUNT})`);
for (const r of rows) console.log(r.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "));
console.log(`(ratio = Hookyard / baseline: above 1 is faster for req/s and tasks/s, slower for p99; raw JSON in ${OUT})`);
