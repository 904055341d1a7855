// One process of a fleet, for bench/token-fetches.mjs: builds its token client, prints "ready", waits
// for "go" on stdin, asks for an installation token, prints "done" and exits.
// argv: <hookyard|auth-app> <api url> <app id> <private key file> <redis url> <key prefix> <installation id>
import { createAppAuth } from "@octokit/auth-app";
import { request } from "@octokit/request";
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { Redis } from "ioredis";
import pino from "pino";
import { GitHubApp } from "../../dist/github/github-app.js";
import { RedisTokenStore } from "../../dist/github/token-store.js";

const [variant, url, appId, keyFile, redisUrl, prefix, installationId] = process.argv.slice(2);
const pem = readFileSync(keyFile, "utf8");
const key = createPrivateKey(pem);
const redis = new Redis(redisUrl);
await redis.ping();
// the same encrypted Redis store for both variants
const store = new RedisTokenStore(redis, key, prefix);

let fetchToken;
if (variant === "hookyard") {
  const app = new GitHubApp({ appId, privateKey: key, baseUrl: url }, { log: pino({ level: "silent" }), store });
  fetchToken = () => app.tokens.get({ installationId: Number(installationId) });
} else {
  // auth-app's cache holds one string per key ("token|createdAt|expiresAt|…"); the adapter keeps it
  // in the encrypted store until the token's expiresAt
  const cache = {
    async get(k) {
      return (await store.get(k))?.token;
    },
    async set(k, v) {
      await store.set(k, { token: v, expiresAt: Date.parse(v.split("|")[2]) });
    },
  };
  const auth = createAppAuth({ appId, privateKey: pem, cache, request: request.defaults({ baseUrl: url }) });
  fetchToken = () => auth({ type: "installation", installationId: Number(installationId) });
}

process.stdout.write("ready\n");
for await (const line of createInterface({ input: process.stdin })) {
  if (line === "go") break;
}
await fetchToken();
process.stdout.write("done\n");
await redis.quit();
