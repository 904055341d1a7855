// CPU per request, by thread, of one bench server: a guide that load on a shared machine disturbs
// far less than req/s. Starts bench/servers/<server>.mjs pinned to core 0, runs bench/loadgen.mjs's
// closed loop on core 1, and reads each thread's CPU time from /proc before and after the loop
// (and after the tasks it queued have run). Prints µs per answered request for the main thread,
// each other thread that took 5 µs or more (by name/tid: worker threads and V8's helpers are all
// named `node` on Node 20; the SQLite writer is the busiest), the rest together, and the total. Linux only.
// Usage: node bench/thread-cpu.mjs [--server hookyard|bare|probot] [--workers 0] [--duration 6]
//          [--rounds 3] [--dist DIR]
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { distDir } from "./lib/payload.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
const server = arg("server", "hookyard");
const durationS = Number(arg("duration", 6));
const rounds = Number(arg("rounds", 3));
const dist = distDir();

/** CPU seconds of every thread of `pid`, by "name/tid". */
function threads(pid) {
  const out = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const f = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
      out[`${tid === String(pid) ? "main" : name}/${tid}`] = (Number(f[11]) + Number(f[12])) / 100;
    } catch { /* the thread ended meanwhile */ }
  }
  return out;
}

/** A child whose stdout is JSON lines, read one at a time. */
function child(args, env = {}) {
  const c = spawn("taskset", args, { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, ...env } });
  const lines = createInterface({ input: c.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    for (;;) {
      const { value, done } = await lines.next();
      if (done) throw new Error(`${args.at(-1)} ended`);
      try { return JSON.parse(value); } catch { /* not a result line */ }
    }
  };
  return { c, next };
}

const env = server === "hookyard" && arg("workers", "1") === "0" ? { BENCH_WORKERS: "0" } : {};
const s = child(["-c", "0", process.execPath, join(here, "servers", `${server}.mjs`), "--dist", dist], env);
const { port, pid } = await s.next();
const stats = async () => { s.c.stdin.write("stats\n"); return (await s.next()).stats; };
const results = [];
for (let r = 0; r <= rounds; r++) { // round 0 warms up (V8 compiles the hot path on its helper threads): not counted
  const before = threads(pid);
  const g = child(["-c", "1", process.execPath, join(here, "loadgen.mjs"), "--dist", dist,
    JSON.stringify({ port, mode: "closed", connections: 32, warmupS: 0, durationS })]);
  const res = await g.next();
  // requests sent past the window still count: take every 2xx the generator saw
  const answered = Object.entries(res.status ?? {}).filter(([code]) => code.startsWith("2")).reduce((a, [, n]) => a + n, 0);
  if (server === "hookyard") {
    for (let t = 0; t < 300 && (await stats()).pending > 0; t++) await new Promise((ok) => setTimeout(ok, 200));
  }
  const after = threads(pid);
  const per = {};
  for (const [key, cpu] of Object.entries(after)) {
    const us = ((cpu - (before[key] ?? 0)) * 1e6) / answered;
    const name = key.startsWith("main/") ? "main" : us >= 5 ? key : "others"; // the busy threads by tid
    per[name] = (per[name] ?? 0) + us;
  }
  per.total = Object.values(per).reduce((a, b) => a + b, 0);
  if (r > 0) results.push({ answered, rps: Math.round(res.rps), per });
  console.log(`${r === 0 ? "warm-up" : `round ${r}`}: ${answered} answered, ${Math.round(res.rps)} req/s; µs/req ` +
    Object.entries(per).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", "));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const names = [...new Set(results.flatMap((r) => Object.keys(r.per)))];
console.log(`median µs/req (${server}${env.BENCH_WORKERS ? ", workers off" : ""}): ` +
  names.map((n) => `${n} ${median(results.map((r) => r.per[n] ?? 0)).toFixed(0)}`).join(", "));
s.c.stdin.write("exit\n");
