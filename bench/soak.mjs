// Soak: constant load on one Hookyard (SQLite by default, `--store URL` for another) for `--minutes N`
// (default 10), with a mix of handlers: fast (40%), slow (20%: 200 ms), failing (15%: always throws,
// 2 retries, then the dead letter), timed out (10%: sleeps past a 300 ms timeout, honouring its
// signal, 1 retry) and retried (15%: the first attempt fails, the second completes). Open loop:
// `--rate` deliveries/s (default 40), each a signed ~12 KB delivery posted over keep-alive HTTP;
// a late answer never delays the next send.
// Every 10 s it prints RSS, heap, open handles (process.getActiveResourcesInfo), queue depth (queued +
// running + retrying), the window's p50/p99 ingress latency, answers and non-202s.
// Growth, which fails the run (exit 1), compares the last third of the samples with the middle third
// (the first third is warm-up):
//   RSS:          mean of the last third > 1.25 × mean of the middle third
//   open handles: max of the last third > 1.5 × max of the middle third + 20
//   queue depth:  mean of the last third > 2 × mean of the middle third + 50 (a backlog that rises)
// and any non-202 answer or request error fails it too. The load generator runs in the same process
// (its share of RSS and handles is constant). Needs `npm run build` first.
// Usage: npm run soak -- --minutes 2 [--rate 40] [--store redis://127.0.0.1:6379/0?prefix=hysoak]
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { benchDelivery, distDir, importDist, SECRET, WEBHOOK_PATH } from "./lib/payload.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
const MINUTES = Number(arg("minutes", 10));
const RATE = Number(arg("rate", 40));
const SAMPLE_MS = 10_000;
const dist = distDir();
const { Hookyard } = await importDist(dist, "index.js");
const dir = mkdtempSync(join(tmpdir(), "hookyard-soak-"));
const store = arg("store", `sqlite:${join(dir, "soak.db")}`);

const app = new Hookyard({ store, webhookSecret: SECRET, webhookPath: WEBHOOK_PATH, host: "127.0.0.1", port: 0, logLevel: "silent", env: {} });
const fixed = { type: "fixed", delay: 100, jitter: "none" };
// one event per kind, so each delivery makes exactly one task of its kind
const KINDS = [
  ["issues", 40, async () => {}, {}],
  ["push", 20, async (ctx) => sleep(200, undefined, { signal: ctx.signal }), {}],
  ["star", 15, async () => { throw new Error("soak: failing handler"); }, { retries: 2, backoff: fixed }],
  ["fork", 10, async (ctx) => sleep(1_000, undefined, { signal: ctx.signal }), { retries: 1, backoff: fixed, timeout: "300ms" }],
  ["watch", 15, async (ctx) => { if (ctx.attempt === 1) throw new Error("soak: first attempt fails"); }, { retries: 2, backoff: fixed }],
];
for (const [event, , handler, options] of KINDS) app.on(event, handler, { name: `soak-${event}`, ...options });
const outcomes = { completed: 0, retried: 0, failed: 0 };
app.events.on("task:complete", () => outcomes.completed++);
app.events.on("task:retry", () => outcomes.retried++);
app.events.on("task:failed", () => outcomes.failed++);
await app.start();
const port = Number(new URL(app.url).port);

const { body, signature } = await benchDelivery(dist);
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const total = KINDS.reduce((s, k) => s + k[1], 0);
let pick = 0;
/** Kinds in proportion, interleaved (a fixed cycle of `total` sends). */
function nextEvent() {
  pick = (pick + 1) % total;
  let at = (pick * 37) % total;
  for (const [event, weight] of KINDS) { if (at < weight) return event; at -= weight; }
  return KINDS[0][0];
}

let window = [];
const counts = { sent: 0, ok: 0, bad: 0, errors: 0, inflight: 0 };
let settled = () => {};
function post() {
  const started = performance.now();
  counts.sent++;
  counts.inflight++;
  let over = false;
  const done = () => { if (over) return; over = true; if (--counts.inflight === 0) settled(); };
  const req = request({ agent, host: "127.0.0.1", port, method: "POST", path: WEBHOOK_PATH, headers: {
    "content-type": "application/json", "content-length": String(body.length), "x-hub-signature-256": signature,
    "x-github-event": nextEvent(), "x-github-delivery": randomUUID(), "user-agent": "GitHub-Hookshot/soak",
  } }, (res) => {
    res.resume();
    res.on("end", () => {
      window.push(performance.now() - started);
      if (res.statusCode === 202) counts.ok++; else counts.bad++;
      done();
    });
  });
  req.setTimeout(10_000, () => req.destroy(new Error("timeout")));
  req.on("error", () => { counts.errors++; done(); });
  req.end(body);
}

const pct = (xs, p) => { if (xs.length === 0) return NaN; const v = [...xs].sort((a, b) => a - b); return v[Math.min(v.length - 1, Math.floor((p / 100) * v.length))]; };
const samples = [];
const t0 = Date.now();
const endAt = t0 + MINUTES * 60_000;
let due = performance.now();
const loadLoop = (async () => {
  while (Date.now() < endAt) {
    due += 1000 / RATE;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait); // pacing of the open loop
    post();
  }
})();

console.log(`soak: ${MINUTES} min at ${RATE} deliveries/s on ${store.replace(/\/\/[^@/]*@/, "//")}; node ${process.version}`);
console.log("  t s   RSS MB  heap MB  handles  queue  p50 ms  p99 ms  answers  non-202  errors  completed  retried  failed");
while (Date.now() < endAt) {
  await sleep(Math.min(SAMPLE_MS, endAt - Date.now()));
  const c = await app.store.countTasks();
  const m = process.memoryUsage();
  const s = { t: (Date.now() - t0) / 1000, rssMb: m.rss / 2 ** 20, heapMb: m.heapUsed / 2 ** 20, handles: process.getActiveResourcesInfo().length,
    queue: c.queued + c.running + c.retrying, p50: pct(window, 50), p99: pct(window, 99), answers: window.length };
  window = [];
  samples.push(s);
  console.log([s.t.toFixed(0).padStart(4), s.rssMb.toFixed(1).padStart(8), s.heapMb.toFixed(1).padStart(8), String(s.handles).padStart(8), String(s.queue).padStart(6),
    s.p50.toFixed(2).padStart(7), s.p99.toFixed(2).padStart(7), String(s.answers).padStart(8), String(counts.bad).padStart(8), String(counts.errors).padStart(7),
    String(outcomes.completed).padStart(10), String(outcomes.retried).padStart(8), String(outcomes.failed).padStart(7)].join(" "));
}
await loadLoop;
if (counts.inflight > 0) await new Promise((r) => { settled = r; }); // the last answers (each bounded by its 10 s timeout)

const third = Math.floor(samples.length / 3);
const middle = samples.slice(third, 2 * third);
const last = samples.slice(2 * third);
const mean = (xs, k) => xs.reduce((a, s) => a + s[k], 0) / xs.length;
const max = (xs, k) => Math.max(...xs.map((s) => s[k]));
const failures = [];
if (third < 1) failures.push(`too few samples (${samples.length}) to judge growth: run for at least 1 minute`);
else {
  if (mean(last, "rssMb") > 1.25 * mean(middle, "rssMb")) failures.push(`RSS grew: ${mean(middle, "rssMb").toFixed(1)} → ${mean(last, "rssMb").toFixed(1)} MB (mean, middle → last third)`);
  if (max(last, "handles") > 1.5 * max(middle, "handles") + 20) failures.push(`open handles grew: ${max(middle, "handles")} → ${max(last, "handles")}`);
  if (mean(last, "queue") > 2 * mean(middle, "queue") + 50) failures.push(`queue depth rose: ${mean(middle, "queue").toFixed(0)} → ${mean(last, "queue").toFixed(0)}`);
}
if (counts.bad > 0 || counts.errors > 0) failures.push(`${counts.bad} non-202 answers and ${counts.errors} request errors of ${counts.sent}`);
await app.stop();
agent.destroy();
rmSync(dir, { recursive: true, force: true });
console.log(`sent ${counts.sent}, 202 ${counts.ok}; tasks completed ${outcomes.completed}, retried ${outcomes.retried}, failed (dead letter) ${outcomes.failed}`);
if (third >= 1) console.log(`middle → last third: RSS ${mean(middle, "rssMb").toFixed(1)} → ${mean(last, "rssMb").toFixed(1)} MB, handles max ${max(middle, "handles")} → ${max(last, "handles")}, queue mean ${mean(middle, "queue").toFixed(1)} → ${mean(last, "queue").toFixed(1)}`);
console.log(failures.length ? `GROWTH / ERRORS — FAIL:\n  ${failures.join("\n  ")}` : "no growth: PASS");
process.exit(failures.length ? 1 : 0);
