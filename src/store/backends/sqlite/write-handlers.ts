/**
 * The writer thread's side of {@link WriteOps}: one handler per operation, run inside the writer's
 * transaction with the batch's clock (`now`).
 */
import type { SqlitePrune } from "./prune.js";
import type { SqliteRecordWrites } from "./stored-records.js";
import type { WriteArgs, WriteOp, WriteOps, WriteRequest, WriteResult } from "./write-ops.js";
import type { SqliteWrites } from "./writes.js";

/** A handler for every op, taking the op's arguments after `now` and returning its result. */
export type WriteHandlers = { [K in WriteOp]: (now: number, ...args: WriteArgs<K>) => WriteResult<K> };

/**
 * The handlers over the writer's statements.
 *
 * @example
 * ```ts
 * const handlers = writeHandlers(new SqliteWrites(db), new SqliteRecordWrites(db), pruner);
 * const value = applyWrite(handlers, { id: 1, op: "claim", args: ["worker-1", 10, 30_000] }, Date.now());
 * ```
 */
export function writeHandlers(writes: SqliteWrites, records: SqliteRecordWrites, pruner: SqlitePrune): WriteHandlers {
  return {
    accept: (now, { delivery, tasks, takes, at }) => {
      // receive() (thread.ts) sets `at` on every accept of a batch that carries bytes, and every accept's batch does
      if (!at) throw new Error("an accept arrived without its headers and body");
      return writes.accept({ ...delivery, at }, tasks, takes, now);
    },
    addTasks: (now, deliveryId, tasks) => writes.addTasks(deliveryId, tasks, now),
    claim: (now, owner, limit, leaseMs) => writes.claim(owner, limit, leaseMs, now),
    extendLeases: (now, owner, taskIds, leaseMs) => writes.extendLeases(owner, taskIds, leaseMs, now),
    start: (now, owner, taskIds, leaseMs) => writes.startHeld(owner, taskIds, leaseMs, now),
    release: (now, owner, taskIds) => writes.release(owner, taskIds, now),
    finish: (now, owner, taskId, result) => writes.finish(owner, taskId, result, now),
    retryTask: (now, id) => writes.retryTask(id, now),
    cancelTask: (now, id) => writes.cancelTask(id, now),
    putRecord: (now, kind, key, value, expectedVersion) => records.put(kind, key, value, expectedVersion, now),
    ping: () => null,
    prune: (_now, options) => pruner.run(options),
  };
}

/** Runs one request's handler: `op` picks the handler, and its type fixes what `args` are. */
export function applyWrite<K extends WriteOp>(handlers: WriteHandlers, req: WriteRequest<K>, now: number): WriteOps[K]["result"] {
  const handler: WriteHandlers[K] = handlers[req.op];
  return handler(now, ...req.args);
}
