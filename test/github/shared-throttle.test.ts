import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { GitHubClients } from "../../src/github/clients.js";
import { cleanupGitHub, fakeWithRepo } from "./support.js";

const REDIS_URL = "redis://127.0.0.1:6379/0";
const redis = new Redis(REDIS_URL, { lazyConnect: true });
const clients: GitHubClients[] = [];
const namespaces: string[] = [];
afterAll(() => redis.quit());

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const ns of namespaces.splice(0)) {
    const keys = await redis.keys(`b_${ns}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  await cleanupGitHub();
});

/** A process's GitHub clients for the fake's App with REDIS_URL set; the limiters live under `namespace` in Redis. */
function clientsFor(fake: { appId: number; privateKey: string; url: string }, namespace: string, redisUrl: string | null = REDIS_URL): GitHubClients {
  const config = loadConfig({ appId: fake.appId, privateKey: fake.privateKey, githubApiUrl: fake.url, ...(redisUrl ? { redisUrl } : {}) }, {});
  const github = new GitHubClients(config, { log: pino({ level: "silent" }), throttleNamespace: namespace });
  clients.push(github);
  return github;
}

function uniqueNamespace(): string {
  const ns = `hookyard-test-${randomUUID()}:`;
  namespaces.push(ns);
  return ns;
}

describe("write pacing shared through REDIS_URL", () => {
  it("two clients with their own Redis connections and limiters see one write limiter per installation", async () => {
    const { fake, installation } = await fakeWithRepo();
    const ns = uniqueNamespace();
    const first = clientsFor(fake, ns);
    const second = clientsFor(fake, ns);
    const id = `${fake.appId}:${installation.id}`;
    const issue = { owner: "acme", repo: "widgets", issue_number: 1 };

    const octokit = first.app.installation(installation.id);
    await octokit.rest.issues.addLabels({ ...issue, labels: ["a"] });
    await octokit.rest.issues.addLabels({ ...issue, labels: ["b"] });

    // the limiter is Bottleneck's, kept in Redis under the id
    expect(await redis.exists(`b_${ns}octokit-write-${id}_settings`)).toBe(1);
    // the second client has made no request: what its limiter counts are the first one's writes
    const theirs = await second.throttle!.limiter("write", id);
    expect(await theirs.done()).toBe(2);

    await second.app.installation(installation.id).rest.issues.addLabels({ ...issue, labels: ["c"] });
    expect(await (await first.throttle!.limiter("write", id)).done()).toBe(3);
    // reads are not paced as writes: the global group counted all three requests, the write group no read
    await octokit.rest.issues.get(issue);
    expect(await theirs.done()).toBe(3);
    expect(await (await second.throttle!.limiter("global", id)).done()).toBe(4);
  });

  it("limiters under another namespace (another fleet on the same Redis) are not shared", async () => {
    const { fake, installation } = await fakeWithRepo();
    const first = clientsFor(fake, uniqueNamespace());
    const other = clientsFor(fake, uniqueNamespace());
    const id = `${fake.appId}:${installation.id}`;
    await first.app.installation(installation.id).rest.issues.addLabels({ owner: "acme", repo: "widgets", issue_number: 1, labels: ["a"] });
    expect(await (await first.throttle!.limiter("write", id)).done()).toBe(1);
    expect(await (await other.throttle!.limiter("write", id)).done()).toBe(0);
  });

  it("without REDIS_URL writes are paced in the process, and nothing connects to Redis", async () => {
    const { fake } = await fakeWithRepo();
    expect(clientsFor(fake, uniqueNamespace(), null).throttle).toBeUndefined();
  });
});
