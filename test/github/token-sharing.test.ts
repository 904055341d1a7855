import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { GitHubClients } from "../../src/github/clients.js";
import { removeTempDirs, tempDir } from "../support/store.js";
import { cleanupGitHub, fakeWithRepo } from "./support.js";

const run = promisify(execFile);
const REDIS_URL = "redis://127.0.0.1:6379/0";
const fixture = join(import.meta.dirname, "..", "fixtures", "token-client.mjs");
const redis = new Redis(REDIS_URL, { lazyConnect: true });
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(() => redis.quit());

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await cleanupGitHub();
  removeTempDirs();
});

/** A fake GitHub, its App key in a file for child processes, and the Redis key scope (removed afterwards). */
async function fleetFake() {
  const { fake, installation } = await fakeWithRepo();
  const keyFile = join(tempDir(), "app.pem");
  writeFileSync(keyFile, fake.privateKey, { mode: 0o600 });
  const scope = `hookyard:tokens:${fake.appId}@${new URL(fake.url).host}:`;
  cleanups.push(async () => {
    const keys = await redis.keys(`${scope}*`);
    if (keys.length > 0) await redis.del(...keys);
  });
  return { fake, installation, keyFile, scope };
}

describe("installation tokens shared through Redis", () => {
  it("a fleet of processes asks GitHub once per installation; the cached value is not the token in clear", async () => {
    const { fake, installation, keyFile, scope } = await fleetFake();

    // the first member fetches; the others (separate processes) find it in Redis
    const config = loadConfig({ appId: fake.appId, privateKeyPath: keyFile, githubApiUrl: fake.url, redisUrl: REDIS_URL }, {});
    const here = new GitHubClients(config, { log: pino({ level: "silent" }), throttle: false });
    cleanups.push(() => here.close());
    const { token } = await here.app.tokens.get({ installationId: installation.id });
    const children = await Promise.all(
      [1, 2, 3].map(() => run(process.execPath, [fixture, fake.url, String(fake.appId), keyFile, REDIS_URL, String(installation.id)])),
    );
    const hashes = children.map((c) => (JSON.parse(c.stdout.trim()) as { tokenHash: string }).tokenHash);
    expect(new Set(hashes)).toEqual(new Set([createHash("sha256").update(token).digest("hex")]));
    expect(fake.tokensIssued).toHaveLength(1);

    const keys = await redis.keys(`${scope}*`);
    expect(keys).toHaveLength(1);
    const stored = await redis.getBuffer(keys[0]!);
    expect(stored?.includes(Buffer.from(token))).toBe(false); // encrypted with a key derived from the App key
    expect(await redis.pttl(keys[0]!)).toBeGreaterThan(0); // gone from Redis when the token expires
  });

  it("concurrent first requests from several processes still make one fetch", async () => {
    const { fake, installation, keyFile, scope } = await fleetFake();
    const children = await Promise.all(
      [1, 2, 3, 4].map(() => run(process.execPath, [fixture, fake.url, String(fake.appId), keyFile, REDIS_URL, String(installation.id)])),
    );
    expect(new Set(children.map((c) => c.stdout)).size).toBe(1);
    expect(fake.tokensIssued).toHaveLength(1);
  });
});
