// Task-engine benchmark: 50,000 no-op tasks through Hookyard, no HTTP.
// Per store (`--stores sqlite,redis,postgres`; default sqlite) and concurrency (default 10 and 50), a
// fresh app on a fresh store (temp dir / own Redis prefix / own Postgres schema, removed after):
//   enqueue `--count` real issues.labeled deliveries with app.receive() (`--inflight` at a time),
//   and count `task:complete` lifecycle events until every task has run → tasks/s end to end
//   (first enqueue → last completion). Then the same enqueue with workers off → enqueue-only rate.
// When redis is among the stores, the same run measures raw BullMQ on the same Redis as the
// baseline: `Queue.addBulk` of the same payloads + a no-op `Worker` at the same concurrency, and
// prints Hookyard/raw ratios (floors: BullMQ-Redis ≥ 0.8×, SQLite ≥ 1.0× raw BullMQ).
// Usage: node bench/tasks.mjs [--count 50000] [--inflight 1000] [--concurrency 10,50]
//        [--stores sqlite,redis,postgres] [--redis URL] [--postgres URL] [--dist DIR] [--json FILE].
// Runs unpinned (the store's threads and Redis/Postgres use the second core).
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { benchDelivery, distDir, importDist } from "./lib/payload.mjs";
import { dropRedisPrefix } from "./lib/redis.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
const COUNT = Number(arg("count", 50_000));
const INFLIGHT = Number(arg("inflight", 1000));
const CONCURRENCY = String(arg("concurrency", "10,50")).split(",").map(Number);
const JSON_OUT = arg("json", "/tmp/hookyard-bench/tasks-latest.json");
const TIMEOUT_MS = Number(arg("timeout", 300)) * 1000; // a run that has not finished by then is reported as such
const FLOOR = 5000; // tasks/s end to end at the default concurrency (SQLite)
const STORES = String(arg("stores", "sqlite")).split(",");
const REDIS = arg("redis", "redis://127.0.0.1:6379/0");
const POSTGRES = arg("postgres", "postgres://postgres@127.0.0.1:5432/test");
const RATIO_FLOORS = { redis: 0.8, sqlite: 1.0 };

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

/** A fresh store of the kind asked for, and how to remove it afterwards. */
async function freshStore(kind) {
  const tag = `hyb${randomUUID().replaceAll("-", "").slice(0, 10)}`;
  if (kind === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "hookyard-tasks-"));
    return { url: `sqlite:${join(dir, "b.db")}`, remove: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (kind === "redis") {
    return { url: `${REDIS}?prefix=${tag}`, remove: () => dropRedisPrefix(REDIS, tag) };
  }
  if (kind === "postgres") {
    return { url: `${POSTGRES}?schema=${tag}`, remove: () => dropSchema(tag) };
  }
  throw new Error(`unknown store ${kind}`);
}

async function dropSchema(schema) {
  const { default: pg } = await import("pg");
  const c = new pg.Client({ connectionString: POSTGRES });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await c.end();
}

/** Raw BullMQ on the same Redis: addBulk of the same payloads, a no-op Worker; first add → last completion. */
async function rawBullmq(concurrency) {
  const { Queue, Worker } = await import("bullmq");
  const prefix = `hybraw${randomUUID().slice(0, 8)}`;
  const connection = { url: REDIS };
  const queue = new Queue("raw", { connection, prefix });
  let completed = 0;
  let allDone;
  const done = new Promise((r) => (allDone = r));
  const worker = new Worker("raw", async () => {}, { connection, prefix, concurrency, autorun: false });
  worker.on("completed", () => { if (++completed === COUNT) allDone(); });
  const t0 = performance.now();
  void worker.run();
  for (let i = 0; i < COUNT; i += INFLIGHT) {
    const n = Math.min(INFLIGHT, COUNT - i);
    await queue.addBulk(Array.from({ length: n }, (_, k) => ({ name: "noop", data: payload, opts: { jobId: `${prefix}-${i + k}`, removeOnComplete: true } })));
  }
  const tEnqueued = performance.now();
  await done;
  const tDone = performance.now();
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await dropRedisPrefix(REDIS, prefix);
  return { store: "raw-bullmq", concurrency, workers: true, count: COUNT, completed, failedEnqueues: 0, failedTasks: 0, timedOut: false,
    enqueueS: (tEnqueued - t0) / 1000, enqueuePerS: COUNT / ((tEnqueued - t0) / 1000), totalS: (tDone - t0) / 1000, tasksPerS: completed / ((tDone - t0) / 1000) };
}

async function run({ store: kind, concurrency, workers }) {
  const fresh = await freshStore(kind);
  const app = new Hookyard({ store: fresh.url, logLevel: "silent", webhookSecret: "x", concurrency, workers });
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
  await fresh.remove();
  const s = (ms) => ms / 1000;
  return {
    store: kind, concurrency: workers ? concurrency : null, workers, count: COUNT, failedEnqueues, failedTasks, completed, timedOut,
    enqueueS: s(tEnqueued - t0), enqueuePerS: COUNT / s(tEnqueued - t0),
    totalS: workers ? s(tDone - t0) : null, tasksPerS: workers ? completed / s(tDone - t0) : null,
  };
}

console.error(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
const results = [];
for (const store of STORES) {
  for (const concurrency of CONCURRENCY) {
    console.error(`${store}: end to end, concurrency ${concurrency}…`);
    results.push(await run({ store, concurrency, workers: true }));
  }
  console.error(`${store}: enqueue only (workers off)…`);
  results.push(await run({ store, concurrency: CONCURRENCY[0], workers: false }));
}
if (STORES.includes("redis")) {
  for (const concurrency of CONCURRENCY) {
    console.error(`raw BullMQ: addBulk + no-op Worker, concurrency ${concurrency}…`);
    results.push(await rawBullmq(concurrency));
  }
}

const f = (x, d = 0) => (x === null ? "-" : x.toFixed(d));
console.log(`\nTasks: ${COUNT} no-op tasks (one per ~12 KB issues.labeled delivery), ${INFLIGHT} receive() calls (raw: addBulk of ${INFLIGHT}) in flight`);
const rows = [["store", "run", "enqueue s", "enqueue/s", "total s", "tasks/s", "completed", "errors"]];
for (const r of results) {
  rows.push([r.store, r.workers ? `end to end, concurrency ${r.concurrency}` : "enqueue only (workers off)", f(r.enqueueS, 2), f(r.enqueuePerS),
    f(r.totalS, 2), f(r.tasksPerS), r.workers ? `${r.completed}${r.timedOut ? " (timed out)" : ""}` : "-", String(r.failedEnqueues + r.failedTasks)]);
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const row of rows) console.log(row.map((cell, c) => (c <= 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "));
const pick = (store, concurrency) => results.find((r) => r.store === store && r.workers && r.concurrency === concurrency);
const floors = {};
const sqliteMain = pick("sqlite", CONCURRENCY[0]);
if (sqliteMain) {
  const met = sqliteMain.tasksPerS >= FLOOR && !sqliteMain.timedOut && sqliteMain.failedTasks === 0;
  floors.sqliteTasksPerS = { value: sqliteMain.tasksPerS, floor: FLOOR, met };
  console.log(`floor: SQLite ≥ ${FLOOR} tasks/s end to end at concurrency ${CONCURRENCY[0]}: ${f(sqliteMain.tasksPerS)} → ${met ? "MET" : "NOT MET"}`);
}
for (const concurrency of CONCURRENCY) {
  const raw = pick("raw-bullmq", concurrency);
  if (!raw) continue;
  for (const store of STORES) {
    const mine = pick(store, concurrency);
    if (!mine) continue;
    const ratio = mine.tasksPerS / raw.tasksPerS;
    const floor = RATIO_FLOORS[store];
    const verdict = floor === undefined ? "" : ` (floor ≥ ${floor}: ${ratio >= floor ? "MET" : "NOT MET"})`;
    if (floor !== undefined) floors[`${store}VsRawBullmq@${concurrency}`] = { value: ratio, floor, met: ratio >= floor };
    console.log(`ratio Hookyard on ${store} / raw BullMQ at concurrency ${concurrency}: ${ratio.toFixed(2)}${verdict}`);
  }
}
mkdirSync(dirname(JSON_OUT), { recursive: true });
writeFileSync(JSON_OUT, JSON.stringify({ at: new Date().toISOString(), node: process.version, count: COUNT, inflight: INFLIGHT, floors, results }, null, 2));
console.log(`results: ${JSON_OUT}`);
