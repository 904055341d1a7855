// Task-engine benchmark: 50,000 no-op tasks through the embedded engine, no HTTP.
// Per concurrency setting (default 10 and 50), a fresh app on a fresh SQLite store in a temp dir:
//   enqueue `--count` real issues.labeled deliveries with app.receive() (`--inflight` at a time),
//   and count `task:complete` lifecycle events until every task has run → tasks/s end to end
//   (first enqueue → last completion). Then the same enqueue with workers off → enqueue-only rate.
// Usage: node bench/tasks.mjs [--count 50000] [--inflight 1000] [--concurrency 10,50] [--dist DIR]
//        [--json FILE]. Runs unpinned (the store's writer thread may use the second core); prefix
//        with `taskset -c 0` for a one-core figure.
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { benchDelivery, distDir, importDist } from "./lib/payload.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
const COUNT = Number(arg("count", 50_000));
const INFLIGHT = Number(arg("inflight", 1000));
const CONCURRENCY = String(arg("concurrency", "10,50")).split(",").map(Number);
const JSON_OUT = arg("json", "/tmp/hookyard-bench/tasks-latest.json");
const TIMEOUT_MS = Number(arg("timeout", 300)) * 1000; // a run that has not finished by then is reported as such
const FLOOR = 5000; // tasks/s end to end at the default concurrency

const dist = distDir();
const { Hookyard } = await importDist(dist, "index.js");
const { payload } = await benchDelivery(dist);

/** Calls `send(i)` for i in [0, count) with at most `inflight` pending; resolves when all settled. */
async function pump(count, inflight, send) {
  let next = 0;
  let failed = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      try { await send(i); } catch { failed++; }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inflight, count) }, lane));
  return failed;
}

async function run({ concurrency, workers }) {
  const dir = mkdtempSync(join(tmpdir(), "hookyard-tasks-"));
  const app = new Hookyard({ store: `sqlite:${join(dir, "b.db")}`, logLevel: "silent", webhookSecret: "x", concurrency, workers });
  app.on("issues.labeled", async () => {}, { name: "noop" });
  await app.open();
  let completed = 0;
  let failedTasks = 0;
  let allDone;
  const done = new Promise((r) => (allDone = r));
  app.events.on("task:complete", () => { if (++completed === COUNT) allDone(); });
  app.events.on("task:failed", () => failedTasks++);
  const prefix = randomUUID().slice(0, 8);
  const t0 = performance.now();
  const failedEnqueues = await pump(COUNT, INFLIGHT, (i) => app.receive({ id: `${prefix}-${i}`, name: "issues", payload }));
  const tEnqueued = performance.now();
  let timedOut = false;
  if (workers) {
    let timer;
    await Promise.race([done, new Promise((r) => (timer = setTimeout(() => { timedOut = true; r(); }, TIMEOUT_MS)))]);
    clearTimeout(timer);
  }
  const tDone = performance.now();
  await app.stop();
  rmSync(dir, { recursive: true, force: true });
  const s = (ms) => ms / 1000;
  return {
    concurrency: workers ? concurrency : null, workers, count: COUNT, failedEnqueues, failedTasks, completed, timedOut,
    enqueueS: s(tEnqueued - t0), enqueuePerS: COUNT / s(tEnqueued - t0),
    totalS: workers ? s(tDone - t0) : null, tasksPerS: workers ? completed / s(tDone - t0) : null,
  };
}

console.error(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
const results = [];
for (const concurrency of CONCURRENCY) {
  console.error(`end to end, concurrency ${concurrency}…`);
  results.push(await run({ concurrency, workers: true }));
}
console.error("enqueue only (workers off)…");
results.push(await run({ concurrency: CONCURRENCY[0], workers: false }));

const f = (x, d = 0) => (x === null ? "-" : x.toFixed(d));
console.log(`\nTasks: ${COUNT} no-op tasks (one per ~12 KB issues.labeled delivery), SQLite store, ${INFLIGHT} receive() calls in flight`);
const rows = [["run", "enqueue s", "enqueue/s", "total s", "tasks/s", "completed", "errors"]];
for (const r of results) {
  rows.push([r.workers ? `end to end, concurrency ${r.concurrency}` : "enqueue only (workers off)", f(r.enqueueS, 2), f(r.enqueuePerS),
    f(r.totalS, 2), f(r.tasksPerS), r.workers ? `${r.completed}${r.timedOut ? " (timed out)" : ""}` : "-", String(r.failedEnqueues + r.failedTasks)]);
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const row of rows) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "));
const main = results.find((r) => r.workers && r.concurrency === CONCURRENCY[0]);
const met = main.tasksPerS >= FLOOR && !main.timedOut && main.failedTasks === 0;
console.log(`floor: ≥ ${FLOOR} tasks/s end to end at concurrency ${main.concurrency}: ${f(main.tasksPerS)} → ${met ? "MET" : "NOT MET"}`);
mkdirSync(dirname(JSON_OUT), { recursive: true });
writeFileSync(JSON_OUT, JSON.stringify({ at: new Date().toISOString(), node: process.version, count: COUNT, inflight: INFLIGHT, floor: { tasksPerS: FLOOR, met }, results }, null, 2));
console.log(`results: ${JSON_OUT}`);
