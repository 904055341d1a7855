import type { IRedisTransaction } from "bullmq";
import type { ChainableCommander, Redis } from "ioredis";

/** One command: its name (a built-in, a script registered on the connection, or `multi`/`exec`) and arguments. */
export type Cmd = [name: string, ...args: unknown[]];
/** An ioredis pipeline (its `addBatch` takes commands as arrays; `multi`/`exec` among them delimit a transaction). */
type Pipeline = ChainableCommander & { addBatch(commands: Cmd[]): unknown };

/** A command's reply as a pipeline gives it: an error, or the value. */
export type Reply = [Error | null, unknown];

/**
 * Collects the commands that BullMQ's helpers would run on a transaction (`runCommand`), so that
 * they can be sent later with others: BullMQ's `addJobToTransaction` and `execCommand` take one.
 */
export function recorder(): { tx: IRedisTransaction; cmds: Cmd[] } {
  const cmds: Cmd[] = [];
  const tx = {
    runCommand(name: string, args: unknown[]) {
      cmds.push([name, ...args]);
      return tx;
    },
  } as unknown as IRedisTransaction;
  return { tx, cmds };
}

/**
 * One pipeline per event-loop turn: the commands of every caller in the turn go to Redis in one
 * socket write at its end (`process.nextTick`, which runs once the turn's promise continuations are
 * done) and come back in one read, the way a group commit
 * gathers writes. Each caller gets the replies of its own commands. A caller's `multi` … `exec`
 * block stays one transaction (commands between are queued and run together).
 */
export class RedisPipe {
  private units: { cmds: Cmd[] | (() => Cmd[]); resolve: (r: Reply[]) => void; reject: (e: unknown) => void }[] = [];
  private lastUnits: typeof this.units = [];

  constructor(private readonly redis: Redis) {}

  /** Sends `cmds` with the turn's pipeline (`last`: after the other callers'); resolves with their replies, in order. */
  send(cmds: Cmd[], order: "in-turn" | "last" = "in-turn"): Promise<Reply[]> {
    return this.add(cmds, order === "last");
  }

  /** Like {@link send}, with the commands built when the pipeline goes out (for callers that batch a turn's requests). */
  defer(build: () => Cmd[]): Promise<Reply[]> {
    return this.add(build);
  }

  private add(cmds: Cmd[] | (() => Cmd[]), last = false): Promise<Reply[]> {
    return new Promise((resolve, reject) => {
      const units = last ? this.lastUnits : this.units;
      units.push({ cmds, resolve, reject });
      // once the work of this turn that is already under way (its promise continuations) is done
      if (this.units.length + this.lastUnits.length === 1) process.nextTick(this.flush);
    });
  }

  private readonly flush = (): void => {
    const units = this.units.concat(this.lastUnits);
    this.units = [];
    this.lastUnits = [];
    const pipe = this.redis.pipeline() as Pipeline;
    const sent: { from: number; to: number; resolve: (r: Reply[]) => void; reject: (e: unknown) => void }[] = [];
    for (const u of units) {
      try {
        const cmds = typeof u.cmds === "function" ? u.cmds() : u.cmds;
        const from = pipe.length;
        pipe.addBatch(cmds);
        sent.push({ from, to: pipe.length, resolve: u.resolve, reject: u.reject });
      } catch (err) {
        u.reject(err);
      }
    }
    if (sent.length === 0) return;
    pipe.exec().then(
      (replies) => {
        for (const w of sent) w.resolve((replies ?? []).slice(w.from, w.to) as Reply[]);
      },
      (err: unknown) => {
        for (const w of sent) w.reject(err);
      },
    );
  };
}

/** The value of a reply, or its error thrown. */
export function value(reply: Reply | undefined): unknown {
  if (!reply) throw new Error("missing reply from Redis");
  if (reply[0]) throw reply[0];
  return reply[1];
}

/**
 * The replies of the commands inside a `multi` … `exec` block, from the block's `exec` reply:
 * throws when the transaction was aborted or discarded; a failed command's entry is its Error.
 */
export function execReplies(reply: Reply | undefined): unknown[] {
  const replies = value(reply);
  if (!Array.isArray(replies)) throw new Error("the Redis transaction was discarded");
  return replies;
}
