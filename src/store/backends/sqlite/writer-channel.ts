/**
 * The main thread's side of the SQLite writer thread: calls become requests, sent as one message
 * per batch with at most two batches in flight (what arrives meanwhile goes in a later commit), and
 * answers settle the calls. Also starts and stops the store's threads.
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { ERRORS, HookyardError, type ErrorCode } from "../../../errors.js";
import type { ThreadOptions } from "./thread.js";
import type { ThreadMessage, WriteArgs, WriteBatch, WriteOp, WriteResponse, WriteResult } from "./write-ops.js";

/** A pending call's settle functions; `resolve` takes any op's result (the call's op is known only by its id). */
type Settle = { resolve: (value: WriteResult<WriteOp>) => void; reject: (e: unknown) => void };
/**
 * A request waiting to be sent. `call`'s signature pairs its op with that op's arguments; the queue,
 * which only turns requests into JSON, holds any op beside any op's arguments.
 */
type Queued = { id: number; op: WriteOp; args: WriteArgs<WriteOp> };

/**
 * Batches with the writer at once. With two, the writer commits one batch while this thread
 * settles the answers of the one before and gathers the next: neither side waits for the other.
 */
const MAX_IN_FLIGHT = 2;
/**
 * A batch is sent as soon as it has this many requests (when fewer than MAX_IN_FLIGHT are out), so
 * a burst of calls becomes a pipeline of batches instead of one batch both sides take turns on.
 */
const BATCH_SIZE = 500;

/**
 * Sends write requests to the writer thread and settles them with its answers. Requests are
 * answered in the order they were made.
 *
 * @example
 * ```ts
 * const channel = new WriterChannel(spawnThread({ role: "writer", path, checkpointIntervalMs: 1000 }));
 * const claimed = await channel.call("claim", [owner, 10, 30_000]); // ClaimedTask[]
 * ```
 */
export class WriterChannel {
  private readonly pending = new Map<number, Settle>();
  private nextId = 1;
  /** Batches with the writer and not answered yet. */
  private inFlight = 0;
  private outbox: Queued[] = [];
  /** Stored headers (JSON text) and bodies of the outbox's deliveries, in order, and their total size. */
  private pieces: (string | Uint8Array)[] = [];
  private pieceBytes = 0;

  constructor(private readonly worker: Worker) {
    worker.on("message", (answer: ThreadMessage) => {
      if (!Array.isArray(answer)) return; // "closed" and other signals
      this.inFlight -= answer[1];
      if (this.outbox.length > 0) setImmediate(this.send); // after the answers below have run their continuations
      for (const res of JSON.parse(answer[2]) as WriteResponse[]) {
        const p = this.take(res.id);
        if (!p) continue;
        if (res.ok) p.resolve(res.value);
        else p.reject(new HookyardError(isCode(res.error.code) ? res.error.code : "HOOKYARD_ERR_STORE_UNAVAILABLE", res.error.message));
      }
    });
    worker.on("error", (err) => this.failAll(err));
    worker.on("exit", () => this.failAll(new Error("writer thread exited")));
  }

  /**
   * Adds a delivery's stored headers and body to the next batch's buffer (the writer appends it to
   * the body log as is); returns where they start in that buffer. Call `call("accept", …)` next.
   */
  addBytes(headersText: string, body: Uint8Array): number {
    const pos = this.pieceBytes;
    this.pieces.push(headersText, body);
    this.pieceBytes += Buffer.byteLength(headersText) + body.length;
    return pos;
  }

  call<K extends WriteOp>(op: K, args: WriteArgs<K>): Promise<WriteResult<K>> {
    const id = this.nextId++;
    return new Promise<WriteResult<K>>((resolve, reject) => {
      // the writer answers request `id` with the result of its op `K` (write-handlers.ts)
      this.pending.set(id, { resolve: resolve as Settle["resolve"], reject });
      const queued = this.outbox.push({ id, op, args });
      if (this.inFlight >= MAX_IN_FLIGHT) return; // sent when an answer frees a place
      if (queued >= BATCH_SIZE) this.send();
      else if (queued === 1) setImmediate(this.send);
    });
  }

  /** Sends what is queued (even with a batch in flight), then stops the thread once it is idle. */
  async close(): Promise<void> {
    this.send(true);
    await stopThread(this.worker);
  }

  private readonly send = (force = false): void => {
    if (this.outbox.length === 0 || (this.inFlight >= MAX_IN_FLIGHT && !force)) return;
    this.inFlight++;
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
    this.worker.postMessage(batch, bytes ? [bytes.buffer as ArrayBuffer] : []);
  };

  /**
   * Removes a pending call and returns its settle functions. The map entry is emptied first (why:
   * docs/benchmarks.md, "Garbage collection on the hot path").
   */
  private take(id: number): Settle | undefined {
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
export function spawnThread(options: ThreadOptions): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./thread.js", import.meta.url), { workerData: options });
  // the ESM build of tsx/esm/api sits beside the CommonJS one require() resolves
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs")).href;
  const entry = new URL("./thread.ts", import.meta.url).href;
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData: options });
}

export function waitReady(worker: Worker, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: ThreadMessage) => {
      if (typeof msg === "object" && !Array.isArray(msg)) {
        worker.off("message", onMessage);
        worker.off("error", onError);
        reject(new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", `cannot open the SQLite store at ${file}: ${msg.failed}`));
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

export function stopThread(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    const done = () => resolve();
    worker.once("exit", done);
    worker.on("message", (msg: ThreadMessage) => {
      if (msg === "closed") void worker.terminate().then(done, done);
    });
    worker.postMessage("close");
  });
}
