import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { ERRORS, HookyardError, type ErrorCode } from "../../../errors.js";
import type {
  AcceptStatus, AttemptResult, Backend, ClaimedTask, DeliveryDetail, DeliveryFilter, DeliverySummary, NewDelivery, NewTask,
  Page, TaskCounts, TaskDetail, TaskFilter, TaskSummary,
} from "../../backend.js";
import { TaskNotifier } from "../../notifier.js";
import { BodyLogReader, bodyLogDir } from "./body-log.js";
import { SqliteReads } from "./reads.js";
import type { AcceptArgs, ThreadOptions, WriteBatch, WriteOp, WriteRequest, WriteResponse } from "./thread.js";

export interface SqliteBackendOptions {
  /**
   * Reads only: no writer or checkpointer thread and no lock, so a tool (e.g. `hookyard redeliver`)
   * can read a store a running server holds. Every write rejects with HOOKYARD_ERR_STORE_UNAVAILABLE.
   */
  readOnly?: boolean;
  /** How often the WAL is checkpointed (ms): the checkpointer thread runs four times as often. Default 1000. */
  checkpointIntervalMs?: number;
}

/**
 * The embedded default store: one SQLite file in WAL mode with `synchronous=FULL`.
 * Writes go through a writer thread that commits concurrent requests together; the WAL is
 * checkpointed by a second thread; reads run on this thread's own read-only connection.
 *
 * @example
 * ```ts
 * const store = await SqliteBackend.open(".hookyard/hookyard.db");
 * ```
 */
export class SqliteBackend implements Backend {
  readonly description: string;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private readonly notifier = new TaskNotifier();
  private nextId = 1;
  private closed = false;
  private reads!: SqliteReads;
  private readDb!: Database.Database;
  private bodies!: BodyLogReader;

  private constructor(
    private readonly path: string,
    private readonly writer: Worker | undefined,
    private readonly checkpointer: Worker | undefined,
  ) {
    this.description = `sqlite:${path}`;
    if (!writer) return;
    writer.on("message", (msg: unknown) => {
      // ["partial", json]: answers given ahead of the batch's fsync; the batch is still in flight
      const partial = Array.isArray(msg) && msg[0] === "partial";
      const json = partial ? (msg as [string, string])[1] : msg;
      if (typeof json !== "string" || json[0] !== "[") return; // "closed" and other signals
      if (!partial) {
        this.inFlight = false;
        if (this.outbox.length > 0) setImmediate(this.sendOutbox); // after the answers below have run their continuations
      }
      for (const res of JSON.parse(json) as WriteResponse[]) {
        const p = this.take(res.id);
        if (!p) continue;
        if (res.ok) p.resolve(res.value);
        else p.reject(new HookyardError(isCode(res.error.code) ? res.error.code : "HOOKYARD_ERR_STORE_UNAVAILABLE", res.error.message));
      }
    });
    writer.on("error", (err) => this.failAll(err));
    writer.on("exit", () => this.failAll(new Error("writer thread exited")));
  }

  /** Opens (creating if needed) the database at `path`, runs migrations and starts the threads. */
  static async open(path: string, options: SqliteBackendOptions = {}): Promise<SqliteBackend> {
    const file = resolve(path);
    try {
      mkdirSync(dirname(file), { recursive: true });
    } catch (err) {
      throw new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", `cannot create the directory of ${file}: ${(err as Error).message}`);
    }
    const threadOptions = (role: ThreadOptions["role"]): ThreadOptions => ({ role, path: file, checkpointIntervalMs: options.checkpointIntervalMs ?? 1000 });
    let writer: Worker | undefined;
    let checkpointer: Worker | undefined;
    // a read-only open of a store that does not exist yet creates it (nothing else can hold it)
    if (!options.readOnly || !existsSync(file)) {
      writer = spawnThread(threadOptions("writer"));
      await waitReady(writer, file);
      checkpointer = spawnThread(threadOptions("checkpointer"));
      await waitReady(checkpointer, file);
    }
    const backend = new SqliteBackend(file, writer, checkpointer);
    try {
      backend.readDb = new Database(file, { readonly: true, fileMustExist: true });
    } catch (err) {
      throw new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", `cannot open the SQLite store at ${file}: ${(err as Error).message}`, { cause: err });
    }
    backend.readDb.pragma("busy_timeout = 5000");
    backend.bodies = new BodyLogReader(bodyLogDir(file));
    backend.reads = new SqliteReads(backend.readDb, backend.bodies);
    return backend;
  }

  private call<T>(op: WriteOp, args: unknown[]): Promise<T> {
    if (this.closed) return Promise.reject(new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", "the store is closed"));
    if (!this.writer) return Promise.reject(new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", `the store was opened read-only (${op} is a write)`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      // Requests travel to the writer as one message per batch, and only one batch is in flight:
      // what arrives while the writer commits (and fsyncs) goes together in the next commit.
      if (this.outbox.push({ id, op, args }) === 1 && !this.inFlight) setImmediate(this.sendOutbox);
    });
  }

  /** A batch is with the writer and not answered yet. */
  private inFlight = false;
  private outbox: WriteRequest[] = [];
  /** Stored headers (JSON text) and bodies of the outbox's deliveries, in order, and their total size. */
  private pieces: (string | Uint8Array)[] = [];
  private pieceBytes = 0;
  private readonly sendOutbox = (force = false): void => {
    if (this.outbox.length === 0 || (this.inFlight && !force)) return;
    this.inFlight = true;
    let bytes: Uint8Array | null = null;
    if (this.pieceBytes > 0) {
      const buf = Buffer.allocUnsafeSlow(this.pieceBytes);
      let pos = 0;
      for (const p of this.pieces) pos += typeof p === "string" ? buf.write(p, pos) : (buf.set(p, pos), p.length);
      bytes = buf;
    }
    const batch: WriteBatch = [JSON.stringify(this.outbox), bytes];
    this.outbox = [];
    this.pieces = [];
    this.pieceBytes = 0;
    this.writer?.postMessage(batch, bytes ? [bytes.buffer as ArrayBuffer] : []);
  };

  private read<T>(fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", "the store is closed"));
    try {
      return Promise.resolve(fn());
    } catch (err) {
      if (err instanceof HookyardError) return Promise.reject(err);
      return Promise.reject(new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", `read failed: ${(err as Error).message}`, { cause: err }));
    }
  }

  async accept(delivery: NewDelivery, tasks: NewTask[]): Promise<AcceptStatus> {
    // the headers and body travel in the batch's buffer, which the writer appends to the body log as is
    const { headers, body, ...meta } = delivery;
    const headersText = JSON.stringify(headers);
    const headersLen = Buffer.byteLength(headersText);
    const args: AcceptArgs = { delivery: meta, pos: this.pieceBytes, headersLen, bodyLen: body.length, tasks };
    this.pieces.push(headersText, body);
    this.pieceBytes += headersLen + body.length;
    const status = await this.call<AcceptStatus>("accept", [args]);
    if (status === "accepted" && tasks.some((t) => !t.claimedBy)) this.notifier.notify();
    return status;
  }

  async addTasks(deliveryId: string, tasks: NewTask[]): Promise<void> {
    await this.call("addTasks", [deliveryId, tasks]);
    this.notifier.notify();
  }

  claim(owner: string, limit: number, leaseMs: number): Promise<ClaimedTask[]> {
    return this.call("claim", [owner, limit, leaseMs]);
  }

  extendLeases(owner: string, taskIds: string[], leaseMs: number): Promise<string[]> {
    return this.call("extendLeases", [owner, taskIds, leaseMs]);
  }

  async finish(owner: string, taskId: string, result: AttemptResult): Promise<void> {
    await this.call("finish", [owner, taskId, result]);
  }

  async retryTask(id: string): Promise<TaskSummary> {
    await this.call("retryTask", [id]);
    const task = await this.requireTask(id);
    this.notifier.notify();
    return task;
  }

  async cancelTask(id: string): Promise<TaskSummary> {
    await this.call("cancelTask", [id]);
    return this.requireTask(id);
  }

  private async requireTask(id: string): Promise<TaskSummary> {
    const task = await this.getTask(id);
    if (!task) throw new HookyardError("HOOKYARD_ERR_API_NOT_FOUND", `no task ${id}`);
    const { attemptLog: _a, backoff: _b, timeoutMs: _t, ...summary } = task;
    return summary;
  }

  nextWakeAt(): Promise<number | null> {
    return this.read(() => this.reads.nextWakeAt());
  }

  onTasksQueued(listener: () => void): () => void {
    return this.notifier.subscribe(listener);
  }

  getDelivery(id: string): Promise<DeliveryDetail | null> {
    return this.read(() => this.reads.getDelivery(id));
  }

  getBody(id: string): Promise<{ body: Uint8Array; contentType: string } | null> {
    return this.read(() => this.reads.getBody(id));
  }

  listDeliveries(filter: DeliveryFilter): Promise<Page<DeliverySummary>> {
    return this.read(() => this.reads.listDeliveries(filter));
  }

  getTask(id: string): Promise<TaskDetail | null> {
    return this.read(() => this.reads.getTask(id));
  }

  listTasks(filter: TaskFilter): Promise<Page<TaskSummary>> {
    return this.read(() => this.reads.listTasks(filter));
  }

  countTasks(): Promise<TaskCounts> {
    return this.read(() => this.reads.countTasks());
  }

  async ping(): Promise<void> {
    await this.call("ping", []);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sendOutbox(true); // calls made before close() are committed first
    if (this.writer) await stopThread(this.writer);
    if (this.checkpointer) await stopThread(this.checkpointer);
    this.readDb.close();
    this.bodies.close();
  }

  /**
   * Removes a pending call and returns its settle functions. The map entry is emptied first: V8 can
   * keep a deleted entry's value reachable for a while, and these functions reach the caller's
   * whole async chain (a delivery's payload, a task's context), which then outlived young-generation
   * collections and was promoted.
   */
  private take(id: number): { resolve: (v: unknown) => void; reject: (e: unknown) => void } | undefined {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    const settle = { resolve: entry.resolve, reject: entry.reject };
    entry.resolve = entry.reject = noop;
    this.pending.delete(id);
    return settle;
  }

  private failAll(err: unknown): void {
    for (const id of [...this.pending.keys()]) {
      this.take(id)?.reject(new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", `the store's writer stopped: ${(err as Error).message}`));
    }
  }
}

const noop = (): void => undefined;

function isCode(code: string | undefined): code is ErrorCode {
  return code !== undefined && code in ERRORS;
}

/** Starts a store thread; run from TypeScript sources (tests), the thread loads its .ts source through tsx. */
function spawnThread(options: ThreadOptions): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./thread.js", import.meta.url), { workerData: options });
  // the ESM build of tsx/esm/api sits beside the CommonJS one require() resolves
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs")).href;
  const entry = new URL("./thread.ts", import.meta.url).href;
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData: options });
}

function waitReady(worker: Worker, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: unknown) => {
      const failed = (msg as { failed?: unknown } | null)?.failed;
      if (typeof failed === "string") {
        worker.off("message", onMessage);
        worker.off("error", onError);
        reject(new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", `cannot open the SQLite store at ${file}: ${failed}`));
        return;
      }
      if (msg !== "ready") return;
      worker.off("error", onError);
      worker.off("message", onMessage);
      resolve();
    };
    const onError = (err: unknown) => {
      worker.off("message", onMessage);
      const reason = err instanceof Error ? err.message : String(err);
      reject(new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", `cannot open the SQLite store at ${file}: ${reason}`, { cause: err }));
    };
    worker.on("message", onMessage);
    worker.once("error", onError);
  });
}

function stopThread(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    const done = () => resolve();
    worker.once("exit", done);
    worker.on("message", (msg) => {
      if (msg === "closed") void worker.terminate().then(done, done);
    });
    worker.postMessage("close");
  });
}
