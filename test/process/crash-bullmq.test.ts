/**
 * Issue 16, defect 9 (the whole path): `kill -9` of the serving process on BullMQ (Redis and
 * Postgres) with HOOKYARD_LEASE=1s and HOOKYARD_POLL_INTERVAL=100ms. After a restart every
 * acknowledged delivery's task runs to completion, and each task the kill cut off is recovered by
 * a claim after its lease lapsed: its attempt log shows the lost attempt
 * (HOOKYARD_ERR_TASK_LEASE_EXPIRED) and then the completed one. (The orphaned-job case, a kill
 * between fetching a job and recording its claim, is test/store/bullmq-recovery.test.ts.)
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { Backend } from "../../src/store/backend.js";
import { openStore } from "../../src/store/open.js";
import { apiTasks, fileLines, fixture, killServers, postIssue, startServer } from "../fixtures/server.js";
import { dropPgSchema, PG_URL } from "../support/postgres.js";
import { dropRedisKeys, REDIS_URL } from "../support/redis.js";
import { pollUntil, removeTempDirs, tempDir } from "../support/store.js";

const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  await killServers();
  for (const c of cleanups.splice(0).reverse()) await c();
  removeTempDirs();
});

function redisUrl(): string {
  const prefix = `hycrash${randomUUID().slice(0, 8)}`;
  cleanups.push(() => dropRedisKeys(`${prefix}*`));
  return `${REDIS_URL}?prefix=${prefix}`;
}

function postgresUrl(): string {
  const schema = `hycrash${randomUUID().slice(0, 8)}`;
  cleanups.push(() => dropPgSchema(schema));
  return `${PG_URL}?schema=${schema}&queue=q${schema}&pool=4`;
}

describe.each([
  ["BullMQ on Redis", redisUrl],
  ["BullMQ on Postgres", postgresUrl],
])("kill -9 mid-run, %s", (_name, makeUrl) => {
  it("every acknowledged delivery is handled after a restart; each cut-off task is recovered by a claim after its lease lapsed", { timeout: 90_000 }, async () => {
    const dir = tempDir();
    const sideEffects = `${dir}/side-effects.txt`;
    const url = makeUrl();
    const env = { HOOKYARD_STORE: url, HOOKYARD_LEASE: "1s", HOOKYARD_POLL_INTERVAL: "100ms", HOOKYARD_CONCURRENCY: "40", SIDE_EFFECTS_FILE: sideEffects };
    const app = fixture("sleepy-app.mjs");

    const first = await startServer(app, dir, env);
    const answers = await Promise.all(Array.from({ length: 30 }, () => postIssue(first)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));
    const acked = answers.map((a) => a.id);
    await pollUntil("a first side effect", () => fileLines(sideEffects).length > 0, 20_000, 10);
    first.child.kill("SIGKILL");
    expect(await first.exited).toEqual({ code: null, signal: "SIGKILL" });

    const reader: Backend = await openStore(url, { leaseMs: 1_000, pollIntervalMs: 100 });
    cleanups.push(() => reader.close());
    const atKill = (await reader.listTasks({ limit: 500 })).items;
    expect(new Set(atKill.map((t) => t.deliveryId))).toEqual(new Set(acked));
    const cutOff = atKill.filter((t) => t.state === "running").map((t) => t.id);
    expect(cutOff.length).toBeGreaterThan(0); // the kill really interrupted handlers

    const second = await startServer(app, dir, env);
    await pollUntil("every task to complete after the restart", async () => {
      const list = await apiTasks(second);
      const failed = list.filter((t) => t.state === "failed");
      if (failed.length > 0) throw new Error(`tasks failed: ${JSON.stringify(failed)}`);
      return list.length === 30 && list.every((t) => t.state === "completed");
    }, 60_000, 100);
    const handled = new Set(fileLines(sideEffects));
    expect(acked.filter((id) => !handled.has(id))).toEqual([]);
    for (const id of cutOff) {
      const log = (await reader.getTask(id))!.attemptLog;
      expect(log[0]).toMatchObject({ attempt: 1, outcome: "lost", error: { code: "HOOKYARD_ERR_TASK_LEASE_EXPIRED" } });
      expect(log.at(-1)).toMatchObject({ outcome: "completed" });
    }
    second.child.kill("SIGTERM");
    expect(await second.exited).toEqual({ code: 0, signal: null });
  });
});
