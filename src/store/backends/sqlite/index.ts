import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { HookyardError } from "../../../errors.js";
import type {
  AcceptStatus, AttemptResult, ClaimedTask, DeliveryDetail, DeliveryFilter, DeliverySummary, NewDelivery, NewTask,
  Page, PruneOptions, PruneResult, RecordFilter, StoredRecord, TaskCounts, TaskDetail, TaskFilter, TaskSummary,
} from "../../backend.js";
import type { HoldingAcceptTakes, HoldingBackend } from "../../holding-backend.js";
import { initialLease } from "../../initial-lease.js";
import { TaskNotifier } from "../../notifier.js";
import { RecordMethods } from "../../stored-records.js";
import { BodyLogReader, bodyLogDir } from "./body-log.js";
import { ensureDirectory } from "./directory.js";
import { countBatch } from "./prune-scan.js";
import { SqliteReads } from "./reads.js";
import { SqliteRecordReads } from "./stored-records.js";
import type { ThreadOptions } from "./thread.js";
import type { AcceptArgs, WriteArgs, WriteOp, WriteResult } from "./write-ops.js";
import { spawnThread, stopThread, waitReady, WriterChannel } from "./writer-channel.js";

export interface SqliteBackendOptions {
  /**
   * Reads only: no writer or checkpointer thread and no lock, so a tool (e.g. `hookyard redeliver`)
   * can read a store a running server holds. Every write rejects with HOOKYARD_ERR_STORE_UNAVAILABLE.
   */
  readOnly?: boolean;
  /** How often the WAL is checkpointed (ms): the checkpointer thread runs four times as often. Default 1000. */
  checkpointIntervalMs?: number;
  /** Size at which a body-log segment is closed and the next one started. Default 256 MiB (smaller in tests). */
  segmentBytes?: number;
}

/**
 * The embedded default store: one SQLite file in WAL mode with `synchronous=FULL`.
 * Writes go through a writer thread that commits concurrent requests together; the WAL is
 * checkpointed by a second thread; reads run on this thread's own read-only connection. It holds
 * tasks for the process that accepted them (`HoldingBackend`): one process owns the file.
 *
 * @example
 * ```ts
 * const store = await SqliteBackend.open(".hookyard/hookyard.db");
 * ```
 */
export class SqliteBackend implements HoldingBackend {
  readonly description: string;
  private readonly notifier = new TaskNotifier();
  private closed = false;
  private reads!: SqliteReads;
  private readDb!: Database.Database;
  private bodies!: BodyLogReader;
  private recordReads!: SqliteRecordReads;
  /** Records: puts through the writer (fsynced before they resolve), reads on the read-only connection. */
  private readonly records = new RecordMethods({
    get: (kind, key) => this.read(() => this.recordReads.get(kind, key)),
    put: (kind, key, value, expectedVersion) => this.call("putRecord", kind, key, value, expectedVersion),
    list: (kind, before, count) => this.read(() => this.recordReads.list(kind, before, count)),
  });

  private constructor(
    private readonly path: string,
    private readonly writer: WriterChannel | undefined,
    private readonly checkpointer: Worker | undefined,
  ) {
    this.description = `sqlite:${path}`;
  }

  /** Opens (creating if needed) the database at `path`, runs migrations and starts the threads. */
  static async open(path: string, options: SqliteBackendOptions = {}): Promise<SqliteBackend> {
    const file = resolve(path);
    try {
      ensureDirectory(dirname(file));
    } catch (err) {
      throw new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", `cannot create the directory of the SQLite store ${file}: ${(err as Error).message}`, { cause: err });
    }
    const threadOptions = (role: ThreadOptions["role"]): ThreadOptions => ({ role, path: file, checkpointIntervalMs: options.checkpointIntervalMs ?? 1000, segmentBytes: options.segmentBytes });
    let writer: WriterChannel | undefined;
    let checkpointer: Worker | undefined;
    // a read-only open of a store that does not exist yet creates it (nothing else can hold it)
    if (!options.readOnly || !existsSync(file)) {
      const thread = spawnThread(threadOptions("writer"));
      await waitReady(thread, file);
      writer = new WriterChannel(thread);
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
    backend.recordReads = new SqliteRecordReads(backend.readDb);
    return backend;
  }

  private call<K extends WriteOp>(op: K, ...args: WriteArgs<K>): Promise<WriteResult<K>> {
    if (this.closed) return Promise.reject(new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", "the store is closed"));
    if (!this.writer) return Promise.reject(new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", `the store was opened read-only (${op} is a write)`));
    return this.writer.call(op, args);
  }

  private read<T>(fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", "the store is closed"));
    try {
      return Promise.resolve(fn());
    } catch (err) {
      if (err instanceof HookyardError) return Promise.reject(err);
      return Promise.reject(new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", `read failed: ${(err as Error).message}`, { cause: err }));
    }
  }

  async accept(delivery: NewDelivery, tasks: NewTask[], takes?: HoldingAcceptTakes): Promise<AcceptStatus> {
    // the headers and body travel in the batch's buffer, which the writer appends to the body log as is
    const { headers, body, ...meta } = delivery;
    const headersText = JSON.stringify(headers);
    const headersLen = Buffer.byteLength(headersText);
    const pos = this.writer && !this.closed ? this.writer.addBytes(headersText, body) : 0;
    const args: AcceptArgs = { delivery: meta, pos, headersLen, bodyLen: body.length, tasks, takes };
    const status = await this.call("accept", args);
    if (status === "accepted" && tasks.some((t) => initialLease(takes, t.id) === null)) this.notifier.notify();
    return status;
  }

  async addTasks(deliveryId: string, tasks: NewTask[]): Promise<void> {
    await this.call("addTasks", deliveryId, tasks);
    this.notifier.notify();
  }

  claim(owner: string, limit: number, leaseMs: number): Promise<ClaimedTask[]> {
    return this.call("claim", owner, limit, leaseMs);
  }

  extendLeases(owner: string, taskIds: string[], leaseMs: number): Promise<string[]> {
    return this.call("extendLeases", owner, taskIds, leaseMs);
  }

  start(owner: string, taskIds: string[], leaseMs: number): Promise<string[]> {
    return this.call("start", owner, taskIds, leaseMs);
  }

  async release(owner: string, taskIds: string[]): Promise<void> {
    await this.call("release", owner, taskIds);
    this.notifier.notify();
  }

  async finish(owner: string, taskId: string, result: AttemptResult): Promise<void> {
    await this.call("finish", owner, taskId, result);
  }

  async retryTask(id: string): Promise<TaskSummary> {
    await this.call("retryTask", id);
    const task = await this.requireTask(id);
    this.notifier.notify();
    return task;
  }

  async cancelTask(id: string): Promise<TaskSummary> {
    await this.call("cancelTask", id);
    return this.requireTask(id);
  }

  private async requireTask(id: string): Promise<TaskSummary> {
    const task = await this.getTask(id);
    if (!task) throw new HookyardError("HOOKYARD_ERR_STORE_NOT_FOUND", `no task ${id}`);
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

  getRecord(kind: string, key: string): Promise<StoredRecord | null> {
    return this.records.get(kind, key);
  }

  putRecord(kind: string, key: string, value: unknown, expectedVersion: number): Promise<StoredRecord> {
    return this.records.put(kind, key, value, expectedVersion);
  }

  listRecords(kind: string, filter?: RecordFilter): Promise<Page<StoredRecord>> {
    return this.records.list(kind, filter);
  }

  /** A batch of retention on the writer thread (see prune.ts); a dry run counts on this thread's read connection. */
  async prune(options: PruneOptions): Promise<PruneResult> {
    if (options.dryRun) return this.read(() => countBatch(this.readDb, options));
    const { removedSegments, ...result } = await this.call("prune", options);
    for (const seg of removedSegments) this.bodies.forget(seg);
    return result;
  }

  async ping(): Promise<void> {
    await this.call("ping");
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.writer) await this.writer.close(); // calls made before close() are committed first
    if (this.checkpointer) await stopThread(this.checkpointer);
    this.readDb.close();
    this.bodies.close();
  }
}
