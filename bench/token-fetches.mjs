// How many installation tokens a fleet asks GitHub for when its processes need one at the same
// moment: Hookyard's token cache (shared Redis store with a fetch lock) against @octokit/auth-app
// with a custom cache on the same Redis store (its cache interface has get/set but no lock).
// Each "process" is its own client object; the fake GitHub counts the POSTs. Prints the ratio.
import { createAppAuth } from "@octokit/auth-app";
import { request } from "@octokit/request";
import { createPrivateKey } from "node:crypto";
import { Redis } from "ioredis";
import pino from "pino";
import { GitHubApp } from "../dist/github/github-app.js";
import { RedisTokenStore } from "../dist/github/token-store.js";
import { createFakeGitHub } from "../dist/testing/index.js";

const MEMBERS = 8;
const fake = await createFakeGitHub();
fake.addRepo({ owner: "acme", name: "widgets", files: {} });
const installation = fake.addInstallation({ account: "acme" });
const key = createPrivateKey(fake.privateKey);
const redis = new Redis("redis://127.0.0.1:6379/0");
const tokenPosts = () => fake.requests.filter((r) => r.method === "POST" && r.path.endsWith("/access_tokens")).length;
const log = pino({ level: "silent" });

const prefix = `bench-tokens-${process.pid}:`;
let before = tokenPosts();
const members = Array.from({ length: MEMBERS }, () => new GitHubApp({ appId: String(fake.appId), privateKey: key, baseUrl: fake.url }, { log, store: new RedisTokenStore(redis, key, `${prefix}hy:`) }));
await Promise.all(members.map((m) => m.tokens.get({ installationId: installation.id })));
const hookyard = tokenPosts() - before;

before = tokenPosts();
const store = new RedisTokenStore(redis, key, `${prefix}aa:`);
// auth-app's cache keeps a string per key; the adapter keeps it in the same encrypted store
const cache = {
  async get(k) { return (await store.get(k))?.token; },
  async set(k, v) { await store.set(k, { token: v, expiresAt: Date.now() + 3_000_000 }); },
};
const auths = Array.from({ length: MEMBERS }, () => createAppAuth({ appId: fake.appId, privateKey: fake.privateKey, cache, request: request.defaults({ baseUrl: fake.url }) }));
await Promise.all(auths.map((a) => a({ type: "installation", installationId: installation.id })));
const authApp = tokenPosts() - before;

console.log(`${MEMBERS} processes needing a token at once: Hookyard's cache asked GitHub ${hookyard} time(s), @octokit/auth-app with a shared custom cache ${authApp} time(s) (ratio ${(authApp / hookyard).toFixed(1)}x)`);
for (const k of await redis.keys(`${prefix}*`)) await redis.del(k);
await redis.quit();
await fake.close();
