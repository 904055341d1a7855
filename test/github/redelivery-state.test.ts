/** Where the missed-delivery recovery keeps its checkpoint: a file beside the SQLite store, shared by its processes. */
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FileRecoveryState, MemoryRecoveryState, RedeliveryScheduler, recoveryStateFor, type RecoveryReport } from "../../src/github/redelivery/index.js";
import { removeTempDirs, tempDir } from "../support/store.js";

afterEach(() => {
  vi.useRealTimers();
  removeTempDirs();
});

const report = (extra: Partial<RecoveryReport> = {}): RecoveryReport => ({
  from: 0, lookedBackTo: null, pages: 1, scanned: 0, deliveries: 0, missed: 0, redelivered: [], alreadyStored: [], pending: [], gaveUp: [], failedToRequest: [], checkpoint: null, dryRun: false, ...extra,
});
const silent = pino({ level: "silent" });

describe("recovery state", () => {
  it("lives beside a SQLite store, in memory otherwise", () => {
    const file = recoveryStateFor("sqlite:/var/lib/hookyard/h.db");
    expect(file).toBeInstanceOf(FileRecoveryState);
    expect(file.description).toBe("/var/lib/hookyard/h.db-redelivery.json");
    expect(recoveryStateFor("memory")).toBeInstanceOf(MemoryRecoveryState);
  });

  it("a file is shared by every process of the store: what one saves, another loads", async () => {
    const path = join(tempDir(), "h.db-redelivery.json");
    const a = new FileRecoveryState(path);
    expect(await a.load()).toEqual({ checkpoint: null, requested: {} });
    await a.save({ checkpoint: 1_700_000_000_000, requested: { "guid-1": { at: 1, count: 1, afterAttempt: 7 } } });
    expect(await new FileRecoveryState(path).load()).toEqual({ checkpoint: 1_700_000_000_000, requested: { "guid-1": { at: 1, count: 1, afterAttempt: 7 } } });
    writeFileSync(path, "{ not json");
    expect(await a.load()).toEqual({ checkpoint: null, requested: {} });
  });

  it("one process runs the recovery at a time; a lock whose process is gone is taken over", async () => {
    const path = join(tempDir(), "h.db-redelivery.json");
    const a = new FileRecoveryState(path);
    const b = new FileRecoveryState(path);
    const releaseA = await a.lock(60_000);
    expect(releaseA).not.toBeNull();
    expect(await b.lock(60_000)).toBeNull();
    await releaseA!();
    expect(existsSync(`${path}.lock`)).toBe(false);
    const releaseB = await b.lock(60_000);
    expect(releaseB).not.toBeNull();
    await releaseB!();

    const gone = spawnSync(process.execPath, ["-e", ""]).pid; // a process that has exited
    writeFileSync(`${path}.lock`, JSON.stringify({ token: "t", host: hostname(), pid: gone, until: Date.now() + 60_000 }));
    const taken = await a.lock(60_000);
    expect(taken).not.toBeNull();
    await taken!();

    writeFileSync(`${path}.lock`, JSON.stringify({ token: "t", host: "elsewhere", pid: 1, until: Date.now() - 1 })); // expired
    expect(await b.lock(60_000)).not.toBeNull();
  });
});

describe("the recovery schedule", () => {
  it("runs at start, then every interval; after a rate-limited run it waits for the reset when that is later", async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const reports = [report({ stopped: "rate-limited", rateLimitedUntil: 1_000_000 + 25 * 60_000 }), report({ redelivered: ["g"] }), report()];
    let runs = 0;
    const s = new RedeliveryScheduler({ intervalMs: 10 * 60_000, log: silent, run: async () => reports[runs++]! });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(1); // at start
    await vi.advanceTimersByTimeAsync(20 * 60_000);
    expect(runs).toBe(1); // the limit resets after 25 minutes, later than the interval
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(runs).toBe(2);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(runs).toBe(3);
    expect(s.totals).toMatchObject({ runs: 3, rateLimited: 1, redelivered: 1, errors: 0 });
    await s.stop();
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(runs).toBe(3);
  });

  it("stop() aborts a run in progress and waits for it; a failed run is counted and the schedule goes on", async () => {
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    let signal: AbortSignal | undefined;
    const s = new RedeliveryScheduler({
      intervalMs: 60_000, log: silent,
      run: (sig) => {
        signal = sig;
        started();
        return new Promise((resolve) => sig.addEventListener("abort", () => resolve(report({ stopped: "aborted" }))));
      },
    });
    const finished = s.nextRun();
    s.start();
    await running;
    await s.stop();
    expect(signal?.aborted).toBe(true);
    expect(await finished).toMatchObject({ stopped: "aborted" });

    const failing = new RedeliveryScheduler({ intervalMs: 60_000, log: silent, run: async () => { throw new Error("GitHub is down"); } });
    await expect(failing.runNow()).rejects.toThrow("GitHub is down");
    expect(failing.totals).toMatchObject({ runs: 1, errors: 1 });
  });
});
