/**
 * What crosses between the main thread and the SQLite writer thread: one map from each write
 * operation to its arguments and its result ({@link WriteOps}), which both sides are typed by. The
 * main thread calls `WriterChannel.call(op, args)` (writer-channel.ts); the writer runs the op's
 * handler (write-handlers.ts). A wrong argument, a wrong result or a missing handler does not compile.
 */
import type { AcceptStatus, AttemptResult, ClaimedTask, NewDelivery, NewTask, PruneOptions } from "../../backend.js";
import type { HoldingAcceptTakes } from "../../holding-backend.js";
import type { PutOutcome } from "../../stored-records.js";
import type { PruneAnswer } from "./prune.js";
import type { StoredDelivery } from "./writes.js";

/**
 * Each write operation: its arguments (a tuple, sent as JSON) and its result (answered as JSON).
 *
 * @example
 * ```ts
 * const claimed: WriteOps["claim"]["result"] = await channel.call("claim", ["worker-1", 10, 30_000]);
 * ```
 */
export interface WriteOps {
  accept: { args: [accept: AcceptArgs]; result: AcceptStatus };
  addTasks: { args: [deliveryId: string, tasks: NewTask[]]; result: void };
  claim: { args: [owner: string, limit: number, leaseMs: number]; result: ClaimedTask[] };
  extendLeases: { args: [owner: string, taskIds: string[], leaseMs: number]; result: string[] };
  start: { args: [owner: string, taskIds: string[], leaseMs: number]; result: string[] };
  release: { args: [owner: string, taskIds: string[]]; result: void };
  finish: { args: [owner: string, taskId: string, result: AttemptResult]; result: void };
  retryTask: { args: [id: string]; result: void };
  cancelTask: { args: [id: string]; result: void };
  /** `value` is the record's value as JSON text. */
  putRecord: { args: [kind: string, key: string, value: string, expectedVersion: number]; result: PutOutcome };
  ping: { args: []; result: null };
  prune: { args: [options: PruneOptions]; result: PruneAnswer };
}

export type WriteOp = keyof WriteOps;
export type WriteArgs<K extends WriteOp> = WriteOps[K]["args"];
export type WriteResult<K extends WriteOp> = WriteOps[K]["result"];

/**
 * Operations whose commit is fsynced before they are answered (the rest commit without their own
 * fsync: see thread.ts). Every op says which it is.
 */
export const DURABLE: { readonly [K in WriteOp]: boolean } = {
  accept: true, addTasks: true, claim: false, extendLeases: false, start: false, release: false, finish: false,
  retryTask: true, cancelTask: true, putRecord: true, ping: true, prune: true,
};

/**
 * One request: `op` and its arguments, correlated. `WriteRequest` (all ops) is the union of the
 * ops' requests, so that checking `op` narrows `args`.
 */
export type WriteRequest<K extends WriteOp = WriteOp> = { [P in K]: { id: number; op: P; args: WriteArgs<P> } }[K];

/** The wire form of an `accept`: the delivery's bytes sit at `pos` in its batch's buffer. */
export interface AcceptArgs {
  delivery: Omit<NewDelivery, "headers" | "body">;
  pos: number;
  headersLen: number;
  bodyLen: number;
  tasks: NewTask[];
  /** The tasks created claimed by, or held for, the accepting process. */
  takes?: HoldingAcceptTakes;
  /** Where the bytes are in the body log: set by the writer thread when it appends the batch's buffer. */
  at?: StoredDelivery["at"];
}

/**
 * One message from the main thread: the requests as JSON text (a string crosses to a thread far
 * cheaper than a structured clone of objects), and the stored headers + bodies of the batch's
 * deliveries as one transferred buffer, which is appended to the body log exactly as it is.
 */
export type WriteBatch = [requests: string, bytes: Uint8Array | null];

/** What the writer posts back: the answers of the `batches` messages it committed in one flush. */
export type WriterAnswer = ["answer", batches: number, responses: string];

/** The answer to request `id`: its op's result, or why it failed. */
export type WriteResponse =
  | { id: number; ok: true; value: WriteResult<WriteOp> }
  | { id: number; ok: false; error: { code?: string; message: string } };

/** Every message a store thread posts to the main thread. */
export type ThreadMessage = WriterAnswer | "ready" | "closed" | { failed: string };
