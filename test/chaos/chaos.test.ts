/**
 * Chaos (issue 16): rounds of signed deliveries posted to real `hookyard serve` processes while a
 * seeded random generator kill -9's the serving process (SQLite), an ingress or a worker process
 * (BullMQ on Redis and on Postgres), or the test's own redis-server (append-only file, so its
 * acknowledged writes survive), at random moments, and restarts it. The machine's PostgreSQL is
 * shared and never killed: on Postgres only Hookyard's processes are. Every acknowledged delivery
 * must be stored and its task run at least once (lost = 0). A table is printed at the end, with the
 * seed; HOOKYARD_CHAOS_SEED=<seed> replays the same kills at the same moments.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { BodyLogReader, bodyLogDir } from "../../src/store/backends/sqlite/body-log.js";
import { SqliteReads } from "../../src/store/backends/sqlite/reads.js";
import { openStore } from "../../src/store/open.js";
import { killServers } from "../fixtures/server.js";
import { dropPgSchema, PG_URL } from "../support/postgres.js";
import { startOwnRedis } from "../support/redis-server.js";
import { removeTempDirs, tempDir } from "../support/store.js";
import { CHAOS_SEED, chaosRounds, Fleet, storedDeliveryIds, type ChaosResult } from "./harness.js";

const results: ChaosResult[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
const COMMON = { HOOKYARD_LEASE: "1s", HOOKYARD_POLL_INTERVAL: "100ms", HOOKYARD_CONCURRENCY: "40", LOG_LEVEL: "warn" };
const RECOVERY_BOUND_MS = 45_000; // past this a round's missing deliveries count as lost

afterEach(async () => {
  await killServers();
  for (const c of cleanups.splice(0).reverse()) await c();
  removeTempDirs();
});

afterAll(() => {
  console.log(`\nchaos results (seed ${CHAOS_SEED}; replay with HOOKYARD_CHAOS_SEED=${CHAOS_SEED})`);
  console.table(results);
});

function check(r: ChaosResult): void {
  results.push(r);
  const why = `seed ${r.seed}, ${JSON.stringify(r)}`;
  expect(r.acked, why).toBeGreaterThan(0);
  expect(r.lost, why).toBe(0);
  expect(r.run, why).toBe(r.acked); // every acknowledged delivery's task ran at least once
  expect(r.stored, why).toBe(r.acked);
}

/** The delivery ids with a task in a BullMQ store, read through a store of the test's own. */
async function bullmqStoredIds(url: string): Promise<Set<string>> {
  const store = await openStore(url, { leaseMs: 1_000, pollIntervalMs: 100 });
  try {
    return await storedDeliveryIds(store);
  } finally {
    await store.close();
  }
}

describe(`chaos (seed ${CHAOS_SEED})`, () => {
  it("SQLite: the serving process kill -9'd at random moments loses no acknowledged delivery", { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const db = join(dir, "h.db");
    const sideEffects = join(dir, "side-effects.txt");
    const fleet = new Fleet(dir, { ...COMMON, HOOKYARD_STORE: `sqlite:${db}`, SIDE_EFFECTS_FILE: sideEffects }, [{ name: "serve", env: {} }]);
    await fleet.start();
    const r = await chaosRounds({
      backend: "SQLite", fleet, targets: fleet.targets(), rounds: 3, sideEffects, recoveryBoundMs: RECOVERY_BOUND_MS,
      storedIds: async () => {
        const conn = new Database(db, { readonly: true, fileMustExist: true });
        const log = new BodyLogReader(bodyLogDir(db));
        try {
          return await storedDeliveryIds(new SqliteReads(conn, log));
        } finally {
          conn.close();
          log.close();
        }
      },
    });
    check(r);
  });

  it("BullMQ on Redis: ingress, worker or redis-server itself kill -9'd at random moments loses no acknowledged delivery", { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const redis = await startOwnRedis({ persistDir: dir });
    cleanups.push(() => redis.stop());
    const sideEffects = join(dir, "side-effects.txt");
    const url = `${redis.url}?prefix=hychaos`;
    const fleet = new Fleet(dir, { ...COMMON, HOOKYARD_STORE: url, SIDE_EFFECTS_FILE: sideEffects }, [
      { name: "ingress", env: { HOOKYARD_ROLE: "ingress" } },
      { name: "worker", env: { HOOKYARD_ROLE: "worker" } },
    ]);
    await fleet.start();
    const targets = [...fleet.targets(), { name: "redis", kill: () => redis.kill(), restart: () => redis.restart() }];
    const r = await chaosRounds({
      backend: "BullMQ-Redis", fleet, targets, rounds: 4, sideEffects, recoveryBoundMs: RECOVERY_BOUND_MS,
      storedIds: () => bullmqStoredIds(url),
    });
    check(r);
  });

  it("BullMQ on Postgres (smaller; Hookyard's processes only): ingress or worker kill -9'd at random moments loses no acknowledged delivery", { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const schema = `hychaos${randomUUID().slice(0, 8)}`;
    cleanups.push(() => dropPgSchema(schema));
    const url = `${PG_URL}?schema=${schema}&queue=q${schema}&pool=4`;
    const sideEffects = join(dir, "side-effects.txt");
    const fleet = new Fleet(dir, { ...COMMON, HOOKYARD_STORE: url, SIDE_EFFECTS_FILE: sideEffects }, [
      { name: "ingress", env: { HOOKYARD_ROLE: "ingress" } },
      { name: "worker", env: { HOOKYARD_ROLE: "worker" } },
    ]);
    await fleet.start();
    const r = await chaosRounds({
      backend: "BullMQ-Postgres", fleet, targets: fleet.targets(), rounds: 2, sideEffects, recoveryBoundMs: RECOVERY_BOUND_MS,
      storedIds: () => bullmqStoredIds(url),
    });
    check(r);
  });
});
