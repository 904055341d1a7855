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
import { BodyLogWriter, bodyLogDir } from "./body-log.js";
import { releaseHolds, repairTail } from "./recovery.js";
import { SqlitePrune } from "./prune.js";
import { migrate } from "./schema.js";
import { SqliteRecordWrites } from "./stored-records.js";
import { applyWrite, writeHandlers } from "./write-handlers.js";
import { DURABLE, type ThreadMessage, type WriteBatch, type WriteRequest, type WriteResponse } from "./write-ops.js";
import { SqliteWrites } from "./writes.js";

export interface ThreadOptions {
  role: "writer" | "checkpointer";
  path: string;
  checkpointIntervalMs: number;
  segmentBytes?: number;
}

/** Posts to the main thread (writer-channel.ts reads these messages). */
const post = (msg: ThreadMessage): void => parentPort!.postMessage(msg);

function open(path: string): Database.Database {
  const db = new Database(path);
  // a new file gives the pages retention frees back to the file system (`PRAGMA incremental_vacuum`,
  // prune.ts); an existing one keeps its mode (docs/guides/retention.md: VACUUM converts it)
  if (db.pragma("page_count", { simple: true }) === 0) db.pragma("auto_vacuum = INCREMENTAL");
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  db.pragma("wal_autocheckpoint = 0");
  // savepoints keep their undo pages here: in memory, not in a temporary file
  db.pragma("temp_store = MEMORY");
  return db;
}

function runWriter(options: ThreadOptions): void {
  const db = open(options.path);
  migrate(db);
  const log = new BodyLogWriter(bodyLogDir(options.path), options.segmentBytes);
  repairTail(db, log);
  releaseHolds(db);
  const pruner = new SqlitePrune(db, log, bodyLogDir(options.path));
  const handlers = writeHandlers(new SqliteWrites(db), new SqliteRecordWrites(db), pruner);
  const closeWhenIdle = async (): Promise<void> => {
    while (flushing || pending.length > 0 || refused.length > 0) {
      if (!flushing) await flush();
      else await new Promise((r) => setImmediate(r));
    }
    closed = true;
    pruner.close();
    db.close();
    log.close();
    post("closed");
    parentPort!.close();
  };
  let pending: WriteRequest[] = [];
  /** Messages whose requests are in `pending`: one flush answers them all, and says how many. */
  let batches = 0;
  let scheduled = false;

  // A batch first runs in one plain transaction. Should a request throw (a refused operator action,
  // a bad id), that transaction is rolled back and the batch runs again with each request in its
  // own savepoint, so one failing request does not undo the others. Savepoints on every request
  // cost more than the request's own statements, and requests that throw are rare.
  const plain = db.transaction((reqs: WriteRequest[], now: number) => reqs.map((req): WriteResponse => ({ id: req.id, ok: true, value: applyWrite(handlers, req, now) })));
  const one = db.transaction((req: WriteRequest, now: number) => applyWrite(handlers, req, now));
  const isolated = db.transaction((reqs: WriteRequest[], now: number) => reqs.map((req): WriteResponse => {
    try {
      return { id: req.id, ok: true, value: one(req, now) };
    } catch (err) {
      const e = err as { code?: unknown; message?: unknown };
      return { id: req.id, ok: false, error: { code: typeof e.code === "string" ? e.code : undefined, message: String(e.message ?? err) } };
    }
  }));
  const batch = (reqs: WriteRequest[]): WriteResponse[] => {
    const now = Date.now();
    try {
      return plain(reqs, now);
    } catch {
      return isolated(reqs, now);
    }
  };

  // Only what a 202 or an API answer promises must reach the disk before the answer: deliveries,
  // operator actions and record puts. Claims, lease renewals and attempt outcomes commit without
  // their own fsync (WAL, synchronous=NORMAL): the next durable commit or checkpoint flushes them in
  // order, and losing one to a power cut only means an attempt runs again (at-least-once).
  let synchronous: "FULL" | "NORMAL" = "FULL";
  const setSynchronous = (level: "FULL" | "NORMAL") => {
    if (level !== synchronous) db.pragma(`synchronous = ${(synchronous = level)}`);
  };

  const commit = (reqs: WriteRequest[], level: "FULL" | "NORMAL"): WriteResponse[] => {
    if (reqs.length === 0) return [];
    try {
      setSynchronous(level);
      return batch(reqs);
    } catch (err) {
      return failed(reqs, `commit failed: ${(err as Error).message}`);
    }
  };

  // A flush is one transaction. With a durable request in it, the whole batch commits with an fsync
  // of the WAL (claims and outcomes beside a delivery wait for it: one commit writes the tasks'
  // pages once instead of twice, docs/benchmarks.md "The writer's cost per delivery"), and the
  // deliveries' bytes are fsynced on the thread pool *while* the rows commit: two fsyncs in
  // parallel, not in a row. The answer waits for both. A batch of claims and outcomes alone commits
  // without an fsync. If a crash lands between the two, rows may point past the end of
  // the body log: those deliveries were never answered, and `repairTail` removes them at start.
  let flushing = false;
  let closed = false;
  const flush = async (): Promise<void> => {
    scheduled = false;
    flushing = true;
    const reqs = pending;
    const answered = batches;
    pending = [];
    batches = 0;
    const durable = reqs.some((r) => DURABLE[r.op]);
    const responses = refused;
    refused = [];
    const bytesSynced = durable ? log.syncInBackground().then(() => undefined, (err: Error) => err) : Promise.resolve(undefined);
    const committed = commit(reqs, durable ? "FULL" : "NORMAL");
    const syncError = await bytesSynced;
    const unsynced = syncError ? `the body log could not be synced: ${syncError.message}` : "";
    committed.forEach((res, i) => responses.push(unsynced && DURABLE[reqs[i]!.op] ? { id: res.id, ok: false, error: { code: "HOOKYARD_ERR_STORE_UNAVAILABLE", message: unsynced } } : res));
    // the main thread sends its next batch when one of its batches is answered
    post(["answer", answered, JSON.stringify(responses)]);
    finishCheckpoint();
    flushing = false;
    if (pending.length > 0 || refused.length > 0) schedule();
  };
  const schedule = (): void => {
    if (scheduled || flushing) return;
    scheduled = true;
    setImmediate(() => {
      if (!closed) void flush();
    });
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

  const failed = (reqs: WriteRequest[], message: string): WriteResponse[] =>
    reqs.map((r) => ({ id: r.id, ok: false, error: { code: "HOOKYARD_ERR_STORE_UNAVAILABLE", message } }));
  /** Requests refused before they reach a commit: answered with the batch. */
  let refused: WriteResponse[] = [];

  // A batch's bytes are appended as soon as they arrive (not yet durable: flush syncs them before
  // the rows that point at them commit), so each accept learns where its bytes are.
  const receive = ([json, bytes]: WriteBatch): void => {
    const reqs = JSON.parse(json) as WriteRequest[];
    batches++;
    if (bytes !== null && bytes.length > 0) {
      let base: { seg: number; off: number };
      try {
        base = log.append(bytes);
      } catch (err) {
        refused.push(...failed(reqs.filter((r) => r.op === "accept"), `the body log could not be written: ${(err as Error).message}`));
        for (const r of reqs) if (r.op !== "accept") pending.push(r);
        return;
      }
      for (const r of reqs) {
        if (r.op !== "accept") continue;
        const a = r.args[0];
        a.at = { seg: base.seg, off: base.off + a.pos, headersLen: a.headersLen, bodyLen: a.bodyLen };
      }
    }
    for (const r of reqs) pending.push(r);
  };

  parentPort!.on("message", (msg: WriteBatch | "close") => {
    if (msg === "close") {
      void closeWhenIdle();
      return;
    }
    receive(msg);
    schedule();
  });
  post("ready");
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
    post("closed");
    parentPort!.close();
  });
  post("ready");
}

const options = workerData as ThreadOptions;
try {
  if (options.role === "writer") runWriter(options);
  else runCheckpointer(options);
} catch (err) {
  // opening or migrating failed: say why in words (an Error does not survive the thread boundary whole)
  post({ failed: err instanceof Error ? err.message : String(err) });
  parentPort!.close();
}
