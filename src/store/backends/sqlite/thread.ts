/**
 * The SQLite store's background threads, so that no fsync and no checkpoint runs on the event loop.
 *
 * - `writer`: owns the only write connection. Requests that arrive while a transaction commits are
 *   queued and committed together in the next one (group commit): one fsync for many deliveries.
 * - `checkpointer`: copies the WAL back into the database file on its own schedule (PASSIVE mode,
 *   which never blocks the writer), because automatic checkpoints would stall a commit.
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { migrate } from "./schema.js";
import { SqliteWrites } from "./writes.js";

export interface ThreadOptions {
  role: "writer" | "checkpointer";
  path: string;
  checkpointIntervalMs: number;
}

export interface WriteRequest {
  id: number;
  op: WriteOp;
  args: unknown[];
}

export type WriteOp = "accept" | "addTasks" | "claim" | "extendLeases" | "finish" | "retryTask" | "cancelTask" | "ping";

export type WriteResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { code?: string; message: string } };

/** Operations whose commit is fsynced before they are answered. */
const DURABLE_OPS: ReadonlySet<WriteOp> = new Set(["accept", "addTasks", "retryTask", "cancelTask", "ping"]);

function open(path: string): Database.Database {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  db.pragma("wal_autocheckpoint = 0");
  return db;
}

function runWriter(options: ThreadOptions): void {
  const db = open(options.path);
  migrate(db);
  const writes = new SqliteWrites(db);
  let pending: WriteRequest[] = [];
  let scheduled = false;

  const apply = (req: WriteRequest, now: number): unknown => {
    const a = req.args as never as [never, never, never];
    switch (req.op) {
      case "accept": return writes.accept(a[0], a[1], now);
      case "addTasks": return writes.addTasks(a[0], a[1], now);
      case "claim": return writes.claim(a[0], a[1], a[2], now);
      case "extendLeases": return writes.extendLeases(a[0], a[1], a[2], now);
      case "finish": return writes.finish(a[0], a[1], a[2], now);
      case "retryTask": return writes.retryTask(a[0], now);
      case "cancelTask": return writes.cancelTask(a[0], now);
      case "ping": return null;
    }
  };

  // Each request runs in its own savepoint, so one failing request does not undo the others.
  const one = db.transaction((req: WriteRequest, now: number) => apply(req, now));
  const batch = db.transaction((reqs: WriteRequest[]) => {
    const now = Date.now();
    return reqs.map((req): WriteResponse => {
      try {
        return { id: req.id, ok: true, value: one(req, now) };
      } catch (err) {
        const e = err as { code?: unknown; message?: unknown };
        return { id: req.id, ok: false, error: { code: typeof e.code === "string" ? e.code : undefined, message: String(e.message ?? err) } };
      }
    });
  });

  // Only what a 202 or an API answer promises must reach the disk before the answer: deliveries
  // and operator actions. Claims, lease renewals and attempt outcomes commit without their own
  // fsync (WAL, synchronous=NORMAL): the next durable commit or checkpoint flushes them in order,
  // and losing one to a power cut only means an attempt runs again (at-least-once).
  let synchronous: "FULL" | "NORMAL" = "FULL";
  const setSynchronous = (level: "FULL" | "NORMAL") => {
    if (level !== synchronous) db.pragma(`synchronous = ${(synchronous = level)}`);
  };

  const commit = (reqs: WriteRequest[], level: "FULL" | "NORMAL"): void => {
    if (reqs.length === 0) return;
    let responses: WriteResponse[];
    try {
      setSynchronous(level);
      responses = batch(reqs);
    } catch (err) {
      const message = `commit failed: ${(err as Error).message}`;
      responses = reqs.map((r) => ({ id: r.id, ok: false, error: { code: "HOOKYARD_ERR_STORE_UNAVAILABLE", message } }));
    }
    parentPort!.postMessage(responses);
  };

  // Claims and outcomes go first, in their own quick transaction, so that workers are not kept
  // waiting behind the fsync of a batch of deliveries.
  const flush = (): void => {
    scheduled = false;
    const reqs = pending;
    pending = [];
    commit(reqs.filter((r) => !DURABLE_OPS.has(r.op)), "NORMAL");
    commit(reqs.filter((r) => DURABLE_OPS.has(r.op)), "FULL");
    finishCheckpoint();
  };

  // Under steady writes a checkpoint from another connection never catches up with the end of the
  // WAL, so the WAL would never restart and grows without bound (slower every commit). The
  // checkpointer copies the bulk; every so often the writer, between its own transactions, copies
  // the few frames left, after which its next commit starts the WAL from the beginning again.
  let lastCheckpoint = Date.now();
  const finishCheckpoint = (): void => {
    const now = Date.now();
    if (now - lastCheckpoint < options.checkpointIntervalMs) return;
    lastCheckpoint = now;
    try {
      db.pragma("wal_checkpoint(PASSIVE)");
    } catch {
      // busy: the next interval tries again
    }
  };

  parentPort!.on("message", (msg: WriteRequest[] | "close") => {
    if (msg === "close") {
      if (pending.length > 0) flush();
      db.close();
      parentPort!.postMessage("closed");
      parentPort!.close();
      return;
    }
    for (const req of msg) pending.push(req);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });
  parentPort!.postMessage("ready");
}

function runCheckpointer(options: ThreadOptions): void {
  const db = open(options.path);
  const timer = setInterval(() => {
    try {
      db.pragma("wal_checkpoint(PASSIVE)");
    } catch {
      // busy or closing: the next tick tries again
    }
  }, Math.max(10, Math.floor(options.checkpointIntervalMs / 4)));
  parentPort!.on("message", (msg: unknown) => {
    if (msg !== "close") return;
    clearInterval(timer);
    try {
      db.pragma("wal_checkpoint(TRUNCATE)");
    } catch {
      // the writer may still hold the WAL; the next start checkpoints it
    }
    db.close();
    parentPort!.postMessage("closed");
    parentPort!.close();
  });
  parentPort!.postMessage("ready");
}

const options = workerData as ThreadOptions;
try {
  if (options.role === "writer") runWriter(options);
  else runCheckpointer(options);
} catch (err) {
  // opening or migrating failed: say why in words (an Error does not survive the thread boundary whole)
  parentPort!.postMessage({ failed: err instanceof Error ? err.message : String(err) });
  parentPort!.close();
}
