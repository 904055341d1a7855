import { randomBytes } from "node:crypto";
import { readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import type { Logger } from "pino";
import { processAlive } from "../../process-alive.js";

/** A redelivery Hookyard asked GitHub for. */
export interface RequestedRedelivery {
  /** When it was asked for (epoch ms, our clock). */
  at: number;
  /** How many times it has been asked for. */
  count: number;
  /** The newest attempt id of the delivery when it was asked for: a newer attempt is the redelivery. */
  afterAttempt: number;
}

/** What the recovery remembers between runs (and between the processes of a deployment). */
export interface RecoveryState {
  /** The newest `delivered_at` (epoch ms) a complete run examined; the next run looks back to it. */
  checkpoint: number | null;
  /** Redeliveries asked for, by delivery guid. */
  requested: Record<string, RequestedRedelivery>;
}

/**
 * Where the recovery keeps its {@link RecoveryState}, and a lock so that one process of a
 * deployment runs it at a time.
 */
export interface RecoveryStateStore {
  /** For logs, e.g. the file path. */
  readonly description: string;
  load(): Promise<RecoveryState>;
  save(state: RecoveryState): Promise<void>;
  /** Takes the run lock for at most `ttlMs`; resolves with its release, or null when another holder has it. */
  lock(ttlMs: number): Promise<(() => Promise<void>) | null>;
}

const empty = (): RecoveryState => ({ checkpoint: null, requested: {} });

/**
 * The state in this process's memory (the `memory:` store, tests): nothing survives a restart.
 *
 * @example
 * ```ts
 * await recoverMissedDeliveries({ github, store, state: new MemoryRecoveryState() });
 * ```
 */
export class MemoryRecoveryState implements RecoveryStateStore {
  readonly description = "memory";
  private state = empty();
  private locked = false;

  async load(): Promise<RecoveryState> {
    return structuredClone(this.state);
  }

  async save(state: RecoveryState): Promise<void> {
    this.state = structuredClone(state);
  }

  async lock(): Promise<(() => Promise<void>) | null> {
    if (this.locked) return null;
    this.locked = true;
    return async () => {
      this.locked = false;
    };
  }
}

interface LockRecord {
  token: string;
  host: string;
  pid: number;
  until: number;
}

/**
 * The state in a small JSON file (written atomically: temporary file, then rename), shared by
 * every process that uses the same store file; the lock is a second file created exclusively,
 * taken over once it has expired or its process (on this host) is gone.
 *
 * @example
 * ```ts
 * const state = new FileRecoveryState("/var/lib/hookyard/hookyard.db-redelivery.json");
 * ```
 */
export class FileRecoveryState implements RecoveryStateStore {
  readonly description: string;

  constructor(private readonly path: string, private readonly o: { log?: Logger; now?: () => number } = {}) {
    this.description = path;
  }

  async load(): Promise<RecoveryState> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return empty();
      throw err;
    }
    try {
      const raw = JSON.parse(text) as Partial<RecoveryState>;
      const checkpoint = typeof raw.checkpoint === "number" ? raw.checkpoint : null;
      const requested = typeof raw.requested === "object" && raw.requested !== null ? raw.requested : {};
      return { checkpoint, requested };
    } catch {
      this.o.log?.warn({ file: this.path }, "the missed-delivery recovery's state file is not JSON; starting afresh");
      return empty();
    }
  }

  async save(state: RecoveryState): Promise<void> {
    const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    await writeFile(tmp, `${JSON.stringify(state)}\n`);
    await rename(tmp, this.path);
  }

  async lock(ttlMs: number): Promise<(() => Promise<void>) | null> {
    const file = `${this.path}.lock`;
    const now = (this.o.now ?? Date.now)();
    const mine: LockRecord = { token: randomBytes(8).toString("hex"), host: hostname(), pid: process.pid, until: now + ttlMs };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await writeFile(file, JSON.stringify(mine), { flag: "wx" });
        return async () => {
          const held = await readLock(file);
          if (held?.token === mine.token) await unlink(file).catch(() => undefined);
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      const held = await readLock(file);
      if (held === undefined) {
        // being written this instant, or left broken: taken over only once it is older than a lease
        const since = await stat(file).then((s) => s.mtimeMs, () => 0);
        if (since + ttlMs > now) return null;
      } else if (held.until > now && !(held.host === mine.host && !processAlive(held.pid))) {
        return null;
      }
      // expired, or its process is gone: take it over
      await unlink(file).catch(() => undefined);
    }
    return null;
  }
}

async function readLock(file: string): Promise<LockRecord | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as LockRecord;
  } catch {
    return undefined;
  }
}

/**
 * The state store for a store's `description`: a file beside the SQLite database
 * (`<db>-redelivery.json`), else this process's memory.
 *
 * @example
 * ```ts
 * recoveryStateFor("sqlite:/var/lib/hookyard/hookyard.db"); // FileRecoveryState(/var/lib/hookyard/hookyard.db-redelivery.json)
 * ```
 */
export function recoveryStateFor(storeDescription: string, log?: Logger): RecoveryStateStore {
  if (storeDescription.startsWith("sqlite:")) return new FileRecoveryState(`${storeDescription.slice("sqlite:".length)}-redelivery.json`, log ? { log } : {});
  return new MemoryRecoveryState();
}
