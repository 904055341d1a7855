// Crash-recovery times: how long after a `kill -9` an acknowledged delivery's task runs again.
// Per store (`--stores sqlite,redis,postgres`, default all three):
//   crash:  `hookyard serve test/fixtures/sleepy-app.mjs` (HOOKYARD_LEASE, HOOKYARD_POLL_INTERVAL from
//           --lease/--poll), 40 deliveries, SIGKILL once handlers run, restart at once; for each task
//           the kill cut off, the time from the kill to the start of its next attempt (attempt log).
//   orphan: (BullMQ stores) the process dies between fetching a task's job and recording its claim:
//           a BullMQ worker fetches the job under a lock of the lease's length and goes away; the
//           time from then until a Hookyard worker starts the task.
// The bound is lease + poll interval (a cut-off task's lease was renewed at most a third of a lease
// before the kill, so it lapses between 2/3 of a lease and a lease after it); a restart slower than
// that shows as the floor. Prints one line per store and scenario; `--json FILE` writes them too.
// Usage: npm run build && node bench/recovery.mjs [--stores sqlite,redis,postgres] [--lease 5s] [--poll 500ms] [--rounds 3]
import { spawn } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { distDir, importDist } from "./lib/payload.mjs";
import { dropRedisPrefix } from "./lib/redis.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
const DIST = distDir();
const { parseDuration } = await importDist(DIST, "config/index.js");
const { Hookyard } = await importDist(DIST, "index.js");
const STORES = String(arg("stores", "sqlite,redis,postgres")).split(",");
const LEASE = parseDuration(arg("lease", "5s"));
const POLL = parseDuration(arg("poll", "500ms"));
const ROUNDS = Number(arg("rounds", 3));
const REDIS = arg("redis", "redis://127.0.0.1:6379/0");
const POSTGRES = arg("postgres", "postgres://postgres@127.0.0.1:5432/test");
const CLI = resolve(DIST, "cli/main.js");
const APP = new URL("../test/fixtures/sleepy-app.mjs", import.meta.url).pathname;
const SECRET = "recovery-bench-secret";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const freePort = () => new Promise((res) => {
  const s = createServer();
  s.listen(0, "127.0.0.1", () => {
    const { port } = s.address();
    s.close(() => res(port));
  });
});

/** A fresh store URL and how to remove it. */
function freshStore(kind, dir) {
  const name = `hyrecovery${randomUUID().slice(0, 8)}`;
  if (kind === "sqlite") return { url: `sqlite:${join(dir, "h.db")}`, drop: async () => undefined, queue: "tasks", prefix: undefined };
  if (kind === "redis") return { url: `${REDIS}?prefix=${name}`, drop: () => dropRedisPrefix(REDIS, name), queue: "tasks", prefix: name };
  return {
    url: `${POSTGRES}?schema=${name}&queue=q${name}&pool=4`, queue: `q${name}`, schema: name,
    drop: async () => {
      const { default: pg } = await import("pg");
      const c = new pg.Client({ connectionString: POSTGRES });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      await c.end();
    },
  };
}

async function serve(dir, env) {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, "serve", APP], {
    cwd: dir, stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH, PORT: String(port), HOST: "127.0.0.1", WEBHOOK_SECRET: SECRET, LOG_LEVEL: "warn", HOOKYARD_CONCURRENCY: "50", ...env },
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  while (!out.includes("hookyard listening on")) {
    if (child.exitCode !== null) throw new Error(out);
    await sleep(10);
  }
  return { child, base: `http://127.0.0.1:${port}` };
}

async function crashRound(kind) {
  const dir = mkdtempSync(join(tmpdir(), "hy-recovery-"));
  const store = freshStore(kind, dir);
  const side = join(dir, "side.txt");
  const env = { HOOKYARD_STORE: store.url, HOOKYARD_LEASE: `${LEASE}ms`, HOOKYARD_POLL_INTERVAL: `${POLL}ms`, SIDE_EFFECTS_FILE: side };
  try {
    const a = await serve(dir, env);
    const payload = JSON.stringify({ action: "opened", issue: { number: 1 }, repository: { full_name: "o/r" } });
    const signature = `sha256=${createHmac("sha256", SECRET).update(payload).digest("hex")}`;
    await Promise.all(Array.from({ length: 40 }, () => fetch(`${a.base}/api/github/webhooks`, {
      method: "POST", body: payload,
      headers: { "content-type": "application/json", "x-github-event": "issues", "x-github-delivery": randomUUID(), "x-hub-signature-256": signature },
    })));
    while (!existsSync(side) || readFileSync(side, "utf8").length === 0) await sleep(5);
    a.child.kill("SIGKILL");
    const killedAt = Date.now();
    await new Promise((r) => a.child.once("exit", r));
    const b = await serve(dir, env);
    const restartMs = Date.now() - killedAt;
    let items;
    for (;;) {
      items = (await (await fetch(`${b.base}/api/v1/tasks?limit=500`)).json()).items;
      if (items.length === 40 && items.every((t) => t.state === "completed")) break;
      await sleep(100);
    }
    const starts = [];
    for (const t of items) {
      const { attemptLog } = await (await fetch(`${b.base}/api/v1/tasks/${t.id}`)).json();
      if (attemptLog[0]?.outcome !== "lost") continue;
      const next = attemptLog.find((x, i) => i > 0);
      starts.push(Date.parse(next.startedAt) - killedAt);
    }
    b.child.kill("SIGKILL");
    return { restartMs, cutOff: starts.length, maxStartAfterKillMs: Math.max(...starts) };
  } finally {
    await store.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function orphanRound(kind) {
  const dir = mkdtempSync(join(tmpdir(), "hy-recovery-"));
  const store = freshStore(kind, dir);
  const settings = { store: store.url, webhookSecret: SECRET, logLevel: "silent", env: {}, lease: LEASE, pollInterval: POLL };
  const { Worker, createPostgresBackend } = await import("bullmq");
  const ingress = new Hookyard({ ...settings, workers: false });
  ingress.on("issues", async () => undefined);
  try {
    await ingress.open();
    await ingress.receive({ id: randomUUID(), name: "issues", payload: { action: "opened" } });
    const dead = kind === "redis"
      ? new Worker(store.queue, null, { connection: { url: REDIS }, prefix: store.prefix, lockDuration: LEASE, autorun: false })
      : new Worker(store.queue, null, { connection: { connectionString: POSTGRES, schema: store.schema, max: 2 }, lockDuration: LEASE, autorun: false }, createPostgresBackend);
    await dead.getNextJob("dead-process", { block: false });
    const diedAt = Date.now();
    await dead.close(true);
    const worker = new Hookyard(settings);
    worker.on("issues", async () => undefined);
    const started = worker.events.once("task:start");
    await worker.open();
    await started;
    const ms = Date.now() - diedAt;
    await worker.stop();
    return { startAfterDeathMs: ms };
  } finally {
    await ingress.stop();
    await store.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = [];
console.log(`lease ${LEASE} ms, poll ${POLL} ms, bound ${LEASE + POLL} ms; load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
for (const kind of STORES) {
  for (let round = 1; round <= ROUNDS; round++) {
    const crash = await crashRound(kind);
    results.push({ store: kind, scenario: "crash", round, ...crash });
    console.log(`${kind.padEnd(8)} crash  round ${round}: restart ${crash.restartMs} ms; ${crash.cutOff} tasks cut off, the last started ${crash.maxStartAfterKillMs} ms after the kill`);
    if (kind === "sqlite") continue;
    const orphan = await orphanRound(kind);
    results.push({ store: kind, scenario: "orphan", round, ...orphan });
    console.log(`${kind.padEnd(8)} orphan round ${round}: the orphaned job's task started ${orphan.startAfterDeathMs} ms after its process died`);
  }
}
const out = arg("json", undefined);
if (out) writeFileSync(out, JSON.stringify({ lease: LEASE, poll: POLL, results }, null, 2));
process.exit(0);
