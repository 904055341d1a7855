import type { IRedisTransaction } from "bullmq";
import { HookyardError } from "../../../errors.js";
import type { AcceptStatus, AcceptTakes, NewDelivery, NewTask } from "../../backend.js";
import { initialTask, type JobSpec } from "./records.js";
import type { RecordKeys } from "./redis-keys.js";
import { execReplies, recorder, type Cmd, type RedisPipe } from "./redis-pipe.js";

/** Queues the creation of BullMQ jobs on a transaction (BullMQ's own add-job script). */
export type AddJobsToTransaction = (multi: IRedisTransaction, jobs: JobSpec[], now: number) => Promise<void>;

/** Removes jobs created for a delivery that turned out to be a duplicate. */
export type RemoveJobs = (ids: string[]) => Promise<void>;

/**
 * Most deliveries one group commit carries. Its transaction holds Redis for about 0.1–0.3 ms per
 * delivery, and the process's other commands (its workers' finishes) share the connection and wait
 * behind it: bigger batches starved the workers while deliveries poured in.
 */
const MAX_BATCH = 32;
/** Batches with Redis at once (more would queue more accept work ahead of the workers' commands). */
const IN_FLIGHT = 1;

interface Pending {
  /** The delivery's commands: its body's `SET NX`, its row of the record script, its jobs' add scripts. */
  body: Cmd;
  row: unknown;
  jobs: Cmd[];
  jobIds: string[];
  /** What a stored (not duplicate) delivery is answered. */
  status: "accepted" | "ignored";
  resolve: (status: AcceptStatus) => void;
  reject: (err: unknown) => void;
}

/**
 * Accepts as a group commit: the deliveries that arrive while a batch is with Redis or in the same
 * event-loop turn go together in the next one (up to MAX_BATCH), in one round trip and one `MULTI`
 * … `EXEC` for the whole batch: each body (`SET NX`), one record script call for all the deliveries
 * (dedup, records, indexes), then BullMQ's add-job scripts for their tasks. A delivery is stored
 * with all its tasks and jobs or not at all, and each gets its own answer.
 *
 * A delivery's commands are built when it arrives, so that when a batch's reply comes back the
 * next batch goes out at once, before the callers of the answered one resume: their work (the next
 * deliveries' parsing and routing) then overlaps the next batch's time in Redis, where answering
 * first would leave Redis idle while they run.
 *
 * Dedup is decided in the record script; the jobs of a delivery found to be a duplicate there are
 * created in the same transaction all the same (a transaction cannot skip them), and removed right
 * after, before the duplicate is answered. Duplicates are rare (GitHub's redeliveries), so this
 * costs less than checking every delivery in a round trip of its own first.
 */
export class AcceptBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly pipe: RedisPipe,
    private readonly keys: RecordKeys,
    private readonly addJobs: AddJobsToTransaction,
    private readonly removeJobs: RemoveJobs,
  ) {}

  async accept(delivery: NewDelivery, tasks: NewTask[], now: number, takes?: AcceptTakes): Promise<AcceptStatus> {
    const d = delivery;
    const status = tasks.length > 0 ? "accepted" : "ignored";
    const fields = flat({
      event: d.event, action: d.action, repository: d.repository,
      installationId: d.installationId === null ? null : String(d.installationId), status,
      receivedAt: String(d.receivedAt), contentType: d.contentType, headers: JSON.stringify(d.headers),
    });
    const made = newTasks(d.id, tasks, now, takes);
    const rec = recorder();
    await this.addJobs(rec.tx, made.jobs, now);
    const body = Buffer.isBuffer(d.body) ? d.body : Buffer.from(d.body.buffer, d.body.byteOffset, d.body.byteLength);
    return new Promise((resolve, reject) => {
      this.queue.push({
        body: ["set", this.keys.body(d.id), body, "NX"], row: [d.id, d.event, d.action ?? "", d.repository ?? "", status, fields, made.rows],
        jobs: rec.cmds, jobIds: made.jobs.map((j) => j.id), status, resolve, reject,
      });
      if (!this.scheduled && this.inFlight < IN_FLIGHT) {
        this.scheduled = true;
        setImmediate(this.drain); // after the rest of this event-loop turn has queued its accepts
      }
    });
  }

  /** Starts batches while fewer than IN_FLIGHT are with Redis; each one's reply starts the next. */
  private readonly drain = (): void => {
    this.scheduled = false;
    while (this.queue.length > 0 && this.inFlight < IN_FLIGHT) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight += 1;
      void this.commit(batch);
    }
  };

  private async commit(batch: Pending[]): Promise<void> {
    const records: Cmd = ["hookyardAccept", this.keys.base, JSON.stringify(batch.map((p) => p.row))];
    let results: unknown[] = [];
    let failure: unknown;
    try {
      // after the turn's other commands (workers' finishes): they are small, and need not wait for a batch
      results = execReplies((await this.pipe.send([["multi"], ...batch.map((p) => p.body), records, ...batch.flatMap((p) => p.jobs), ["exec"]], "last")).at(-1));
    } catch (err) {
      failure = err;
    } finally {
      this.inFlight -= 1;
      this.drain();
    }
    // this batch's callers resume once the next batch has left (see the class comment)
    await new Promise(setImmediate);
    const stored = results[batch.length];
    if (!Array.isArray(stored)) {
      const error = storeError(failure ?? (stored instanceof Error ? stored : new Error("unexpected reply of the accept script")));
      for (const p of batch) p.reject(error);
      return;
    }
    let at = batch.length + 1;
    await Promise.all(batch.map((p, i) => {
      const own = [results[i], ...results.slice(at, (at += p.jobIds.length))];
      return this.answer(p, stored[i] === 1, own.find((r) => r instanceof Error));
    }));
  }

  /** Answers one delivery of a committed batch. */
  private async answer(p: Pending, stored: boolean, error: unknown): Promise<void> {
    try {
      if (error) throw error;
      if (stored) return p.resolve(p.status);
      await this.removeJobs(p.jobIds);
      p.resolve("duplicate");
    } catch (err) {
      p.reject(storeError(err));
    }
  }
}

/** A failure to store, as the HookyardError callers get. */
function storeError(err: unknown): HookyardError {
  return err instanceof HookyardError ? err : new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", (err as Error).message, { cause: err });
}

/** New tasks as the record scripts insert them (see `insertTasks` in redis-lua.ts), and their BullMQ jobs. */
export function newTasks(deliveryId: string, tasks: NewTask[], now: number, takes?: AcceptTakes): { rows: unknown[]; jobs: JobSpec[] } {
  const jobs: JobSpec[] = [];
  const rows = tasks.map((t) => {
    const start = initialTask(t, deliveryId, now, takes);
    jobs.push(start.job);
    const lease = start.leaseUntil === null ? "" : String(start.leaseUntil);
    const fields = flat({
      name: t.name, state: start.state, attempts: String(start.attempts), maxAttempts: String(t.maxAttempts),
      runAt: String(now), createdAt: String(now), updatedAt: String(now), backoff: JSON.stringify(t.backoff),
      timeoutMs: String(t.timeoutMs), owner: start.owner, leaseUntil: lease || null, startedAt: start.state === "running" ? String(now) : null,
    });
    return [t.id, String(start.due), t.name, start.state, lease, fields];
  });
  return { rows, jobs };
}

/** A hash's fields as a flat list (field, value, …), without the null ones: a missing field reads back as null. */
export function flat(fields: Record<string, string | null>): string[] {
  const out: string[] = [];
  for (const k in fields) {
    const v = fields[k];
    if (v !== null && v !== undefined) out.push(k, v);
  }
  return out;
}
