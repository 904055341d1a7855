// Hookyard as deployed: SQLite store in a fresh temp dir (WAL, synchronous=FULL, writer thread),
// one no-op handler on issues.labeled run by this process's workers, logging silenced.
// `--dist DIR` loads another build (e.g. a patched copy under /tmp/perf/dist). For diagnosis only:
// BENCH_STORE=memory: swaps the store; BENCH_WORKERS=0 runs ingress only.
// BENCH_OBSERVE (bench/ingress.mjs --observe): `on` logs at info to a file (pino, asynchronous, as
// a deployment writing to a log shipper would), `off` silences logs and makes prom-client's metric
// updates no-ops, so the two runs differ by the cost of logging + metrics (tracing is off in both).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { distDir, importDist, SECRET, WEBHOOK_PATH } from "../lib/payload.mjs";
import { control } from "./control.mjs";

const { Hookyard } = await importDist(distDir(), "index.js");
const dir = mkdtempSync(join(tmpdir(), "hookyard-bench-"));
const observe = process.env.BENCH_OBSERVE;
let logger;
if (observe === "on") {
  // Hookyard's own logger (its redaction included), to a file
  const [{ createLogger }, { pino }] = await Promise.all([importDist(distDir(), "observability/log.js"), import("pino")]);
  logger = createLogger({ logLevel: "info", logFormat: "json" }, pino.destination({ dest: join(dir, "hookyard.log"), sync: false }));
}
if (observe === "off") {
  const prom = await import("prom-client");
  for (const kind of [prom.Counter, prom.Gauge, prom.Histogram]) {
    for (const method of ["inc", "dec", "set", "observe"]) if (kind.prototype[method]) kind.prototype[method] = () => {};
  }
}
const workers = process.env.BENCH_WORKERS !== "0";
// a BullMQ store gets a fresh key prefix, removed at shutdown
const prefix = `hybench${process.pid}`;
const given = process.env.BENCH_STORE;
const store = given && /^rediss?:/.test(given) && !given.includes("prefix=") ? `${given}${given.includes("?") ? "&" : "?"}prefix=${prefix}` : given;
const app = new Hookyard({
  store: store ?? `sqlite:${join(dir, "bench.db")}`,
  webhookSecret: SECRET,
  webhookPath: WEBHOOK_PATH,
  host: "127.0.0.1",
  port: 0,
  logLevel: "silent",
  ...(logger ? { logger } : {}),
  workers,
});
app.on("issues.labeled", async () => {}, { name: "noop" });

let accepted = 0;
let completed = 0;
app.events.on("delivery:accepted", () => accepted++);
app.events.on("task:complete", () => completed++);

await app.start();
control({
  port: Number(new URL(app.url).port),
  stats: async () => {
    const counts = await app.store.countTasks();
    const pending = workers ? counts.queued + counts.running + counts.retrying : 0; // nothing drains without workers
    return { accepted, completed, pending };
  },
  shutdown: async () => {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
    // imported here, not at the top: ioredis alone adds ~15 MB of RSS to a server that never uses it
    if (store !== given) await (await import("../lib/redis.mjs")).dropRedisPrefix(given, prefix);
  },
});
