/** BullMQ-on-Redis: the server checks made at start, and opening the store from redis:// URLs. */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import type { HookyardError } from "../../src/errors.js";
import { BullmqBackend, checkRedisServer, openRedisBackend, parseRedisUrl } from "../../src/store/backends/bullmq/index.js";
import { openStore } from "../../src/store/open.js";
import { expectCode, removeTempDirs, seed, tempDir } from "../support/store.js";
import { REDIS_URL, dropRedisKeys } from "../support/redis.js";

/** A private redis-server on a unix socket in a temp dir, for tests that change server settings. */
async function startRedisServer(args: string[]): Promise<{ path: string; stop: () => Promise<void> }> {
  const dir = tempDir("hookyard-redis-");
  const path = join(dir, "redis.sock");
  const proc = spawn("redis-server", ["--port", "0", "--unixsocket", path, "--unixsocketperm", "700", "--dir", dir, "--save", "", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = "";
    proc.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (/ready to accept connections/i.test(out)) resolve();
    });
    proc.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
  });
  return { path, stop: async () => { proc.kill("SIGKILL"); await exited; } };
}

describe("Redis server checks", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
    removeTempDirs();
  });
  const client = async (path: string) => {
    const redis = new Redis({ path, lazyConnect: true });
    await redis.connect();
    cleanups.unshift(() => redis.quit());
    return redis;
  };

  it("the shared test server passes (its maxmemory-policy is the default noeviction)", async () => {
    const redis = new Redis(REDIS_URL);
    cleanups.push(() => redis.quit());
    expect(await checkRedisServer(redis)).toMatchObject({ maxmemoryPolicy: "noeviction" });
  });

  it("refuses an evicting maxmemory-policy with a message naming the fix, and warns while appendonly is off", async () => {
    const server = await startRedisServer(["--maxmemory-policy", "allkeys-lru", "--appendonly", "no"]);
    cleanups.push(server.stop);
    const redis = await client(server.path);
    const refused = await checkRedisServer(redis).catch((e: HookyardError) => e);
    expect(refused).toMatchObject({ code: "HOOKYARD_ERR_STORE_REDIS_EVICTION" });
    expect((refused as Error).message).toContain("allkeys-lru");
    expect((refused as Error).message).toContain("CONFIG SET maxmemory-policy noeviction");
    expect((refused as Error).message).toContain("redis.conf");
    await expectCode(openRedisBackend({ redis: { path: server.path }, prefix: "hytest-refused" }), "HOOKYARD_ERR_STORE_REDIS_EVICTION");

    await redis.config("SET", "maxmemory-policy", "noeviction");
    const report = await checkRedisServer(redis);
    expect(report).toMatchObject({ maxmemoryPolicy: "noeviction", appendonly: false });
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toContain("appendonly");
    const store = await openRedisBackend({ redis: { path: server.path }, prefix: "hytest-ok" });
    cleanups.unshift(() => store.close());
    expect(store.warnings).toEqual(report.warnings);

    await redis.config("SET", "appendonly", "yes");
    expect((await checkRedisServer(redis)).warnings).toEqual([]);
  });

  it("while the server is down, ping fails at once (readiness) and close() still returns", async () => {
    const server = await startRedisServer([]);
    const store = await openRedisBackend({ redis: { path: server.path }, prefix: "hytest-down" });
    await seed(store);
    await store.ping();
    await server.stop();
    await expectCode(store.ping(), "HOOKYARD_ERR_STORE_UNAVAILABLE");
    await store.close();
  });
});

describe("openStore with redis:// URLs", () => {
  it("opens the BullMQ store with the URL's prefix and queue", async () => {
    const prefix = `hytest-${randomUUID()}`;
    const store = await openStore(`${REDIS_URL}?prefix=${prefix}&queue=hooks`);
    try {
      expect(store).toBeInstanceOf(BullmqBackend);
      expect(store.description).toContain(`prefix=${prefix}`);
      expect(store.description).toContain("queue=hooks");
      await store.ping();
      await seed(store);
      expect((await store.countTasks()).queued).toBe(1);
    } finally {
      await store.close();
      await dropRedisKeys(`${prefix}:*`);
    }
  });

  it("an unreachable server fails to open with HOOKYARD_ERR_STORE_UNAVAILABLE and the reason", async () => {
    const err = await openStore("redis://127.0.0.1:1/0").catch((e: HookyardError) => e);
    expect(err).toMatchObject({ code: "HOOKYARD_ERR_STORE_UNAVAILABLE" });
    expect((err as Error).message).toContain("ECONNREFUSED");
  });

  it("refuses malformed URLs with HOOKYARD_ERR_STORE_INVALID_URL naming the accepted forms, never echoing a password", async () => {
    for (const url of ["redis://", "redis://127.0.0.1:6379/db1", "redis://127.0.0.1:6379/0?queue=a:b", "redis://127.0.0.1:6379/0?prefix=",
      "postgres://127.0.0.1/test?schema=no-dashes", "postgresql://127.0.0.1/test?migrate=maybe", "mongodb://127.0.0.1/test"]) {
      const err = await openStore(url).then(() => null, (e: HookyardError) => e);
      expect(err, url).toMatchObject({ code: "HOOKYARD_ERR_STORE_INVALID_URL" });
      expect(err?.message, url).toContain("redis://");
      expect(err?.message, url).toContain("postgres://");
    }
    const parsed = parseRedisUrl("rediss://u:s3cret@cache.internal:6380/2?prefix={hy}&queue=q");
    expect(parsed).toMatchObject({ prefix: "{hy}", queue: "q", url: "rediss://u:s3cret@cache.internal:6380/2" });
    expect(parsed.safe).not.toContain("s3cret");
    const refused = await openStore("redis://u:s3cret@127.0.0.1:6379/x").catch((e: Error) => e);
    expect((refused as Error).message).not.toContain("s3cret");
  });
});
