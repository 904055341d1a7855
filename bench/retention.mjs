// Retention benchmark on a seeded SQLite store (scripts/seed-store.mjs): ingress latency at a fixed
// rate with the background pruner off, then on (pruning while serving); the file and body-log sizes
// before and after; list-query latency by repository and by state before and after.
//   1. sizes, and query latency (read-only connection, the management API's list calls)
//   2. server (pinned to core 0) with HOOKYARD_RETENTION=0: open loop at --rate req/s for --duration s (loadgen on core 1)
//   3. the same server with HOOKYARD_RETENTION=30d, HOOKYARD_PRUNE_INTERVAL=1s (the pruner's
//      defaults: batches of 200, pauses of max(250 ms, 4× the batch)): open loop again while it
//      prunes; how many deliveries went meanwhile. Each open loop has 5 s of warm-up not recorded.
//   4. the server stopped, the rest pruned in big batches (pruneStore, no pauses), a second pass
//      removes the emptied segments; WAL checkpointed; sizes and query latency again
// The store is changed in place: seed a fresh one per run.
// Usage: node scripts/seed-store.mjs --file /tmp/hy-seed/hookyard.db && node bench/retention.mjs --file /tmp/hy-seed/hookyard.db [--rate 200] [--duration 30]
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { distDir, importDist, SECRET, WEBHOOK_PATH } from "./lib/payload.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
const file = arg("file", "/tmp/hy-seed/hookyard.db");
const rate = Number(arg("rate", 200));
const durationS = Number(arg("duration", 30));
const dist = distDir();
const DAY = 86_400_000;

if (process.argv.includes("--server")) {
  // the server child: Hookyard on the seeded file; stdin `stats` / `exit`
  const { Hookyard } = await importDist(dist, "index.js");
  const prune = process.env.RETENTION_PRUNE === "1";
  const app = new Hookyard({
    store: `sqlite:${file}`, webhookSecret: SECRET, webhookPath: WEBHOOK_PATH, host: "127.0.0.1", port: 0, logLevel: "silent",
    retention: prune ? "30d" : 0, pruneInterval: prune ? "1s" : 0,
  });
  app.on("issues.labeled", async () => {}, { name: "noop" });
  const pruned = { deliveries: 0, tasks: 0, bytes: 0, batches: 0 };
  app.events.on("store:pruned", (b) => { pruned.deliveries += b.deliveries; pruned.tasks += b.tasks; pruned.bytes += b.bytes; pruned.batches++; });
  await app.start();
  const say = (o) => process.stdout.write(JSON.stringify(o) + "\n");
  say({ ready: true, port: Number(new URL(app.url).port), pid: process.pid });
  createInterface({ input: process.stdin }).on("line", async (line) => {
    if (line === "stats") say({ pruned });
    if (line === "exit") { await app.stop(); say({ stopped: true }); process.exit(0); }
  });
} else {
  await main();
}

function child(args, env, core) {
  const cmd = spawnSync("taskset", ["-V"]).status === 0 ? ["taskset", ["-c", String(core), process.execPath, ...args]] : [process.execPath, args];
  const c = spawn(cmd[0], cmd[1], { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, ...env } });
  const queue = [];
  const waiters = [];
  createInterface({ input: c.stdout }).on("line", (l) => {
    let m;
    try { m = JSON.parse(l); } catch { return; }
    const w = waiters.shift();
    if (w) w(m); else queue.push(m);
  });
  return { c, next: () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r))), send: (l) => c.stdin.write(`${l}\n`) };
}

function sizes() {
  const mb = (b) => b / 1_048_576;
  const size = (f) => { try { return statSync(f).size; } catch { return 0; } };
  const dir = `${file}-bodies`;
  const segs = readdirSync(dir).filter((f) => f.endsWith(".log"));
  return { dbMb: mb(size(file) + size(`${file}-wal`)), bodyLogMb: mb(segs.reduce((n, f) => n + size(join(dir, f)), 0)), segments: segs.length };
}

async function queries() {
  const { SqliteBackend } = await importDist(dist, "store/backends/sqlite/index.js");
  const store = await SqliteBackend.open(file, { readOnly: true });
  const time = async (fn, n = 40) => {
    const xs = [];
    for (let i = 0; i < n; i++) { const t = performance.now(); await fn(i); xs.push(performance.now() - t); }
    xs.sort((a, b) => a - b);
    return { p50: +xs[Math.floor(n / 2)].toFixed(2), max: +xs[n - 1].toFixed(2) };
  };
  const out = {
    deliveriesByRepository: await time((i) => store.listDeliveries({ repository: `octo-org/repo-${(i * 7) % 200}`, limit: 50 })),
    tasksByRepository: await time((i) => store.listTasks({ repository: `octo-org/repo-${(i * 7) % 200}`, limit: 50 })),
    tasksFailed: await time(() => store.listTasks({ state: "failed", limit: 50 })),
    tasksCompleted: await time(() => store.listTasks({ state: "completed", limit: 50 })),
    tasksQueued: await time(() => store.listTasks({ state: "queued", limit: 50 })),
    deliveriesIgnored: await time(() => store.listDeliveries({ status: "ignored", limit: 50 })),
    countTasks: await time(() => store.countTasks(), 5),
  };
  const total = await store.countTasks();
  await store.close();
  return { ...out, tasksByState: total };
}

async function serve(prune) {
  const s = child([fileURLToPath(import.meta.url), "--server", "--file", file, "--dist", dist], { RETENTION_PRUNE: prune ? "1" : "0" }, 0);
  const { port } = await s.next();
  return { ...s, port };
}

async function load(port) {
  const g = child([join(here, "loadgen.mjs"), "--dist", dist, JSON.stringify({ port, mode: "open", connections: 32, warmupS: 5, durationS, rate })], {}, 1);
  return g.next();
}

async function stop(s) {
  s.send("exit");
  await s.next();
  await new Promise((r) => s.c.once("exit", r));
}

async function main() {
  const before = { sizes: sizes(), queries: await queries() };
  process.stderr.write(`before: ${JSON.stringify(before)}\n`);
  const off = await serve(false);
  process.stderr.write(`pruner off: open loop ${rate} req/s, ${durationS} s…\n`);
  const offRun = await load(off.port);
  await stop(off);

  const on = await serve(true);
  for (;;) { // the first pass starts after its 1 s interval
    on.send("stats");
    if ((await on.next()).pruned.batches > 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  process.stderr.write(`pruner on: open loop ${rate} req/s, ${durationS} s…\n`);
  const t0 = Date.now();
  on.send("stats");
  const p0 = (await on.next()).pruned;
  const onRun = await load(on.port);
  on.send("stats");
  const p1 = (await on.next()).pruned;
  const servingS = (Date.now() - t0) / 1000;
  await stop(on);

  process.stderr.write("pruning the rest without pauses…\n");
  const { SqliteBackend } = await importDist(dist, "store/backends/sqlite/index.js");
  const { pruneStore } = await importDist(dist, "store/prune.js");
  const store = await SqliteBackend.open(file);
  const t1 = Date.now();
  const rest = await pruneStore(store, { retentionMs: 30 * DAY, failedRetentionMs: 90 * DAY, batch: 2000 });
  const again = await pruneStore(store, { retentionMs: 30 * DAY, failedRetentionMs: 90 * DAY, batch: 2000 }); // removes the segments the first emptied
  const restS = (Date.now() - t1) / 1000;
  await store.close();
  const after = { sizes: sizes(), queries: await queries() };

  const lat = (r) => r.latencyMs;
  const result = {
    file, rate, durationS,
    sizes: { before: before.sizes, after: after.sizes },
    ingress: { pruneOff: lat(offRun), pruneOn: lat(onRun), p99Ratio: +(lat(onRun).p99 / lat(offRun).p99).toFixed(2), errors: { off: offRun.errors, on: onRun.errors } },
    prunedWhileServing: { deliveries: p1.deliveries - p0.deliveries, batches: p1.batches - p0.batches, seconds: servingS },
    prunedAfter: { deliveries: rest.deliveries + again.deliveries, tasks: rest.tasks + again.tasks, gb: +((rest.bytes + again.bytes) / 2 ** 30).toFixed(2), seconds: restS },
    queries: { before: before.queries, after: after.queries },
  };
  console.log(JSON.stringify(result, null, 2));
}
