import type { IRedisClient, IRedisTransaction } from "bullmq";
import type { Redis } from "ioredis";
import { HookyardError } from "../../../errors.js";
import type { AcceptStatus, AcceptTakes, AttemptResult, ClaimedTask, NewDelivery, NewTask, PruneOptions, PruneResult, TaskState } from "../../backend.js";
import { assertTransition, CANCELLABLE_STATES, LEASE_EXPIRED_ERROR, RETRYABLE_STATES } from "../../transitions.js";
import type { ClaimDecision, Handed, Held, JobSpec, OpenTask, RecordStore, Recovered } from "./records.js";
import { AcceptBatcher, newTasks, type AddJobsToTransaction, type RemoveJobs } from "./redis-accept.js";
import { pruneRedis } from "./redis-prune.js";
import { RedisReads } from "./redis-reads.js";
import type { RecordKeys } from "./redis-keys.js";
import type { RedisPipe } from "./redis-pipe.js";
import { defineScripts, type ScriptName } from "./redis-scripts.js";

export type { AddJobsToTransaction, RemoveJobs } from "./redis-accept.js";

const LOST = JSON.stringify(LEASE_EXPIRED_ERROR);

/**
 * Task and delivery records in Redis, changed by the Lua scripts in redis-scripts.ts.
 *
 * What is atomic: `accept`, `addTasks` and `retry` send the record script and BullMQ's add-job
 * scripts for the tasks in ONE `MULTI`/`EXEC` per delivery (accepts go as group commits, see
 * redis-accept.ts), so Redis applies them together, and with
 * `appendonly yes` the AOF holds the whole transaction or none of it (Redis drops an incomplete
 * MULTI at the end of the AOF when it loads). A delivery can never be stored without its tasks and jobs.
 * The dedup check lives inside the record script (`SET NX` on a key that never expires); a
 * duplicate racing past the pre-check leaves jobs without records, which are removed right after
 * (and, if the process dies first, discarded by the claim that fetches them).
 */
export class RedisRecords extends RedisReads implements RecordStore {
  private readonly accepts: AcceptBatcher;

  constructor(
    redis: Redis,
    private readonly client: IRedisClient,
    keys: RecordKeys,
    private readonly addJobs: AddJobsToTransaction,
    private readonly removeJobs: RemoveJobs,
    pipe: RedisPipe,
  ) {
    super(redis, keys, pipe);
    defineScripts(redis);
    this.accepts = new AcceptBatcher(pipe, keys, addJobs, removeJobs);
  }

  protected script(name: ScriptName, args: (string | number | Buffer)[]): Promise<unknown> {
    return this.client.runCommand(name, [this.keys.base, ...args]);
  }

  prune(options: PruneOptions): Promise<PruneResult> {
    return pruneRedis(this.redis, this.keys, options);
  }

  accept(delivery: NewDelivery, tasks: NewTask[], now: number, takes?: AcceptTakes): Promise<AcceptStatus> {
    return this.accepts.accept(delivery, tasks, now, takes);
  }

  async addTasks(deliveryId: string, tasks: NewTask[], now: number): Promise<void> {
    if ((await this.redis.exists(this.keys.delivery(deliveryId))) === 0) {
      throw new HookyardError("HOOKYARD_ERR_STORE_NOT_FOUND", `no delivery ${deliveryId}`);
    }
    const { rows, jobs } = newTasks(deliveryId, tasks, now);
    const added = await this.transaction(now, jobs, (multi) => multi.runCommand("hookyardAddTasks", [this.keys.base, deliveryId, JSON.stringify(rows)]));
    if (added === -1) {
      await this.removeJobs(jobs.map((j) => j.id));
      throw new HookyardError("HOOKYARD_ERR_STORE_NOT_FOUND", `no delivery ${deliveryId}`);
    }
  }

  async retry(id: string, now: number): Promise<void> {
    // checked first so that a refused retry queues no job; the script checks again atomically
    const [state, name, deliveryId] = await this.redis.hmget(this.keys.task(id), "state", "name", "deliveryId");
    if (!state || !name || !deliveryId) throw new HookyardError("HOOKYARD_ERR_STORE_NOT_FOUND", `no task ${id}`);
    assertTransition(id, state as TaskState, RETRYABLE_STATES, "retry");
    const reply = await this.transaction(now, [{ id, name, deliveryId, runAt: now }], (multi) =>
      multi.runCommand("hookyardRetry", [this.keys.base, String(now), id]));
    checkReply(id, reply as string[], RETRYABLE_STATES, "retry");
  }

  async cancel(id: string, now: number): Promise<Held> {
    const reply = (await this.script("hookyardCancel", [String(now), id])) as string[];
    checkReply(id, reply, CANCELLABLE_STATES, "cancel");
    return { token: reply[1] || null, name: reply[2] ?? "", deliveryId: reply[3] ?? "" };
  }

  async recover(now: number, limit: number): Promise<Recovered[]> {
    const rows = (await this.script("hookyardRecover", [String(now), limit, LOST, this.keys.jobs])) as string[][];
    return rows.map(([id = "", token = "", state = "queued", name = "", deliveryId = ""]) => ({
      id, token: token || null, state: state as Recovered["state"], name, deliveryId,
    }));
  }

  async claim(owner: string, leaseMs: number, now: number, handed: Handed[]): Promise<ClaimDecision[]> {
    if (handed.length === 0) return [];
    const pairs = handed.flatMap((h) => [h.id, h.token]);
    const rows = (await this.script("hookyardClaim", [String(now), owner, String(now + leaseMs), LOST, ...pairs])) as unknown[][];
    return rows.map((row, i) => toDecision(handed[i]!.id, row));
  }

  async extend(owner: string, ids: string[], leaseMs: number, now: number): Promise<(Held | null)[]> {
    if (ids.length === 0) return [];
    const reply = (await this.script("hookyardExtend", [owner, String(now + leaseMs), ...ids])) as (string[] | null)[];
    return ids.map((_, i) => {
      const row = reply[i];
      return row ? { token: row[0] || null, name: row[1] ?? "", deliveryId: row[2] ?? "" } : null;
    });
  }

  async finish(owner: string, id: string, result: AttemptResult, now: number): Promise<Held | null> {
    const error = result.outcome === "completed" ? "" : JSON.stringify(result.error);
    const runAt = result.outcome === "retrying" || result.outcome === "interrupted" ? String(result.runAt ?? now) : "";
    return toHeld(await this.script("hookyardFinish", [String(now), owner, id, result.outcome, runAt, error]));
  }

  async openTask(id: string): Promise<OpenTask | null> {
    const [state, runAt, name, deliveryId] = await this.redis.hmget(this.keys.task(id), "state", "runAt", "name", "deliveryId");
    if ((state !== "queued" && state !== "retrying") || !name || !deliveryId) return null;
    return { id, state, runAt: Number(runAt), name, deliveryId };
  }

  async stale(before: number, limit: number): Promise<OpenTask[]> {
    const ids = await this.redis.zrangebyscore(this.keys.due, "-inf", before, "LIMIT", 0, limit);
    const open = await Promise.all(ids.map((id) => this.openTask(id)));
    return open.filter((t): t is OpenTask => t !== null);
  }

  /** Runs `records` and BullMQ's add-job scripts for `jobs` in one MULTI; returns the records script's reply. */
  private async transaction(now: number, jobs: JobSpec[], records: (multi: IRedisTransaction) => void): Promise<unknown> {
    const multi = this.client.multi();
    records(multi);
    await this.addJobs(multi, jobs, now);
    const replies = await multi.exec();
    if (!replies) throw new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", "the Redis transaction was discarded");
    for (const [err] of replies) if (err) throw err;
    return replies[0]?.[1];
  }
}

/** A claim script's decision for the job `id` (see `claimOne` in redis-lua.ts). */
export function toDecision(id: string, row: unknown[]): ClaimDecision {
  const kind = row[0];
  if (kind === "defer") return { kind, runAt: Number(row[1]), name: String(row[2]), deliveryId: String(row[3]) };
  if (kind === "fail") return { kind, name: String(row[1]), deliveryId: String(row[2]) };
  if (kind !== "claim") return { kind: "discard" };
  const [, attempt, maxAttempts, name, deliveryId, event, action, backoff, timeoutMs] = row;
  const task: ClaimedTask = {
    id, name: String(name), deliveryId: String(deliveryId), event: String(event),
    action: action === null || action === undefined ? null : String(action), attempt: Number(attempt),
    maxAttempts: Number(maxAttempts), backoff: JSON.parse(String(backoff)), timeoutMs: Number(timeoutMs),
  };
  return { kind, task };
}

/** A finish script's reply: null when the owner did not hold the task. */
export function toHeld(reply: unknown): Held | null {
  if (!Array.isArray(reply)) return null;
  const [token, name, deliveryId] = reply as (string | null)[];
  return { token: token || null, name: name ?? "", deliveryId: deliveryId ?? "" };
}

/** Turns a script's {'missing'} / {'conflict', state} reply into the API's errors. */
function checkReply(id: string, reply: string[], allowed: readonly TaskState[], action: string): void {
  if (reply[0] === "missing") throw new HookyardError("HOOKYARD_ERR_STORE_NOT_FOUND", `no task ${id}`);
  if (reply[0] === "conflict") assertTransition(id, reply[1] as TaskState, allowed, action);
}
