import type { MinimalJob, RedisQueueBackend } from "bullmq";
import { LEASE_EXPIRED_ERROR } from "../../transitions.js";
import type { FinalResult, FinishedNext, FinishNext } from "./records.js";
import type { RecordKeys } from "./redis-keys.js";
import { execReplies, recorder, type Cmd, type RedisPipe, type Reply } from "./redis-pipe.js";
import { toDecision, toHeld } from "./redis-records.js";

const LOST = JSON.stringify(LEASE_EXPIRED_ERROR);
/** Most finishes one transaction carries (each holds Redis for about 0.3 ms). */
const MAX_BATCH = 50;

interface Pending {
  /** BullMQ's `moveToFinished` of the job. */
  move: Cmd;
  /** The finish's arguments of the record script. */
  args: string[];
}

/**
 * {@link FinishNext} on Redis. The finishes of one event-loop turn go in one `MULTI`: BullMQ's
 * `moveToFinished` of each job (under the lock token it was fetched with; `fetchNext` when a claim
 * is wanted), then one call of the record script (`hookyardFinishNext`) that ends each attempt and
 * claims each job the moves fetched. One round trip where the separate steps take three (record,
 * move, then a claim's fetch and record), and a few commands for a turn's finishes together.
 *
 * The move runs whatever the record says, which is safe because it checks the lock: a task whose
 * lease this owner lost has no lock under this token any more (a recovery deletes it, a new fetch
 * replaces it, a cancel removes the job), so the move fails and changes nothing. When the record
 * says the owner held the task but the move failed (its lock expired meanwhile), the caller moves
 * the job the slow way (`Jobs.drop`).
 */
export class RedisFinisher implements FinishNext {
  private batch: Pending[] = [];
  private sent: Promise<Reply[]> | undefined;

  constructor(
    private readonly pipe: RedisPipe,
    private readonly backend: RedisQueueBackend,
    private readonly keys: RecordKeys,
  ) {}

  async finish(owner: string, id: string, token: string, result: FinalResult, now: number, next: { leaseMs: number; body: boolean } | null): Promise<FinishedNext> {
    // all moveToFinished reads of the job are its id and options (one BullMQ attempt, removed once settled)
    const job = { id, opts: { attempts: 1 } } as unknown as MinimalJob;
    const args = result.outcome === "completed"
      ? this.backend.moveToCompletedArgs(job, "null", true, token, next !== null)
      : this.backend.moveToFailedArgs(job, result.error.message, true, token, next !== null);
    const move = recorder();
    this.backend.execCommand(move.tx, "moveToFinished", args);
    const error = result.outcome === "failed" ? JSON.stringify(result.error) : "";
    const pending: Pending = {
      move: move.cmds[0]!,
      args: [owner, id, result.outcome, error, token, next ? String(now + next.leaseMs) : "", String(now), next?.body ? "1" : ""],
    };
    if (this.batch.length === 0 || this.batch.length >= MAX_BATCH) {
      const batch: Pending[] = (this.batch = []);
      this.sent = this.pipe.defer(() => this.commands(batch));
    }
    const index = this.batch.push(pending) - 1;
    const results = execReplies((await this.sent!).at(-1));
    return this.outcome(token, results[index], (results.at(-1) as unknown[])[index]);
  }

  /** The transaction of a batch of finishes. */
  private commands(batch: Pending[]): Cmd[] {
    if (this.batch === batch) this.batch = [];
    let bodies = "";
    for (const p of batch) if (p.args.pop() === "1") bodies = "1";
    const script: Cmd = ["hookyardFinishNextBuffer", this.keys.base, "", LOST, this.keys.active, this.keys.jobs, bodies];
    for (const p of batch) script.push(...p.args);
    return [["multi"], ...batch.map((p) => p.move), script, ["exec"]];
  }

  private outcome(token: string, moveReply: unknown, finishReply: unknown): FinishedNext {
    if (finishReply instanceof Error) throw finishReply;
    // moveToFinished answers a negative code when it moved nothing, 0 or [job, id, …] when it did
    const moved = !(moveReply instanceof Error) && !(typeof moveReply === "number" && moveReply < 0);
    const fetched = moved && Array.isArray(moveReply) && moveReply[1] && typeof moveReply[1] !== "number" ? String(moveReply[1]) : null;
    const [held, claimedId, decision, body, contentType] = finishReply as [unknown, Buffer | null, unknown[] | null, Buffer | null, Buffer | null];
    let next: FinishedNext["next"] = null;
    if (claimedId && Array.isArray(decision)) {
      const id = String(claimedId);
      const known = body && contentType && contentType.length > 0 ? { body, contentType: String(contentType) } : null;
      next = { handed: { id, token }, decision: toDecision(id, decision.map(text)), body: known };
    } else if (fetched) {
      next = { handed: { id: fetched, token }, decision: null, body: null };
    }
    return { held: toHeld(Array.isArray(held) ? held.map(text) : held), moved, next };
  }
}

/** A reply element of the Buffer variant of a script, as text (numbers and nils as they are). */
function text(x: unknown): unknown {
  return Buffer.isBuffer(x) ? x.toString() : x;
}
