import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.js";
import { REDIS_URL, dropRedisKeys } from "../support/redis.js";
import { fixture, killServers, postIssue, startServer, type Server } from "../fixtures/server.js";

const PG_URL = "postgres://postgres@127.0.0.1:5432/test";
const redis = new Redis(REDIS_URL);
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  await killServers();
  for (const c of cleanups.splice(0)) await c();
});
afterAll(() => redis.quit());

/** Posts `count` signed deliveries spread over the ingress servers, `inflight` at a time; returns the 202-acked ids. */
async function postMany(ingress: Server[], count: number, inflight: number): Promise<string[]> {
  const acked: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const { id, status } = await postIssue(ingress[i % ingress.length]!);
      if (status === 202) acked.push(id);
    }
  };
  await Promise.all(Array.from({ length: inflight }, lane));
  return acked;
}

/** Waits (polling Redis: the handlers run in other processes) until `n` deliveries have a counter. */
async function handled(key: string, n: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await redis.hlen(key)) < n) {
    if (Date.now() > until) throw new Error(`only ${await redis.hlen(key)} of ${n} deliveries handled in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * 2 ingress + 3 worker processes on one shared store; one worker is kill -9'd mid-run. Every
 * acknowledged delivery must be handled (its counter ≥ 1) and its task completed; a delivery is
 * handled twice only if the killed worker was running it (at-least-once).
 */
async function fleetRun(store: string, count: number): Promise<void> {
  const cwd = mkdtempSync(join(tmpdir(), "hookyard-fleet-"));
  cleanups.push(async () => rmSync(cwd, { recursive: true, force: true }));
  const key = `hookyard:test:counter:${randomUUID()}`;
  cleanups.push(() => redis.del(key));
  const env = { HOOKYARD_STORE: store, COUNTER_KEY: key, COUNTER_REDIS_URL: REDIS_URL, HOOKYARD_LEASE: "3s", LOG_LEVEL: "warn", HOOKYARD_CONCURRENCY: "20" };
  const app = fixture("counter-app.mjs");
  const ingress = await Promise.all([1, 2].map(() => startServer(app, cwd, { ...env, HOOKYARD_ROLE: "ingress" })));
  const workers = await Promise.all([1, 2, 3].map(() => startServer(app, cwd, { ...env, HOOKYARD_ROLE: "worker" })));

  const posting = postMany(ingress, count, 64);
  await handled(key, Math.floor(count / 4), 120_000);
  const victim = workers[0]!;
  victim.child.kill("SIGKILL");
  await victim.exited;
  const acked = await posting;
  expect(acked).toHaveLength(count);
  await handled(key, count, 180_000);

  const counters = await redis.hgetall(key);
  expect(acked.filter((id) => !counters[id])).toEqual([]); // none lost
  const twice = Object.values(counters).filter((v) => Number(v) > 1).length;
  expect(twice).toBeLessThanOrEqual(20); // only what the killed worker had in hand (its concurrency)

  const reader = await openStore(store);
  try {
    const counts = await reader.countTasks();
    expect(counts).toMatchObject({ completed: count, failed: 0, queued: 0, running: 0, retrying: 0 });
  } finally {
    await reader.close();
  }
}

describe("a fleet on a shared store", () => {
  it("BullMQ on Redis: 2 ingress + 3 workers, 20,000 deliveries, a worker kill -9'd mid-run: every acked delivery handled", async () => {
    const prefix = `hyfleet${randomUUID().slice(0, 8)}`;
    cleanups.push(() => dropRedisKeys(`${prefix}*`, redis));
    await fleetRun(`${REDIS_URL}?prefix=${prefix}`, 20_000);
  }, 400_000);

  it("BullMQ on Postgres: the same with 2,000 deliveries", async () => {
    const schema = `hyfleet${randomUUID().slice(0, 8)}`;
    cleanups.push(async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    });
    // small pools: 5 processes and the test's reader stay well inside PostgreSQL's 100 connections
    await fleetRun(`${PG_URL}?schema=${schema}&pool=4`, 2_000);
  }, 400_000);
});
