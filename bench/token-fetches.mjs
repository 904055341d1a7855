// How many installation tokens a fleet asks GitHub for when its processes need one at the same
// moment: Hookyard's token cache (the shared, encrypted Redis store with a fetch lock) against
// @octokit/auth-app with a custom cache on the same Redis store (its cache interface is get/set, no
// lock). Each member is a separate process (auth-app dedupes concurrent requests inside one process
// only); all are started, wait until every one is ready, then ask at once. The fake GitHub counts
// the token requests. Prints the count per round and the ratio.
// Usage: node bench/token-fetches.mjs [--members 8] [--rounds 5]   (needs `npm run build` and Redis)
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { createFakeGitHub } from "../dist/testing/index.js";
import { dropRedisPrefix } from "./lib/redis.mjs";

const { values } = parseArgs({ options: { members: { type: "string", default: "8" }, rounds: { type: "string", default: "5" }, redis: { type: "string", default: "redis://127.0.0.1:6379/0" } } });
const MEMBERS = Number(values.members);
const ROUNDS = Number(values.rounds);
const REDIS = values.redis;
const member = join(import.meta.dirname, "lib", "token-member.mjs");

const fake = await createFakeGitHub();
fake.addRepo({ owner: "acme", name: "widgets", files: {} });
const dir = mkdtempSync(join(tmpdir(), "hookyard-token-bench-"));
const keyFile = join(dir, "app.pem");
writeFileSync(keyFile, fake.privateKey, { mode: 0o600 });
const tokenPosts = () => fake.requests.filter((r) => r.method === "POST" && r.path.endsWith("/access_tokens")).length;

/** One round: MEMBERS processes of `variant` ask for a token of a fresh installation at once; returns GitHub's token requests. */
async function round(variant, n) {
  const installation = fake.addInstallation({ account: "acme" });
  const prefix = `bench-tokens-${process.pid}-${variant}-${n}`;
  const children = Array.from({ length: MEMBERS }, () =>
    spawn(process.execPath, [member, variant, fake.url, String(fake.appId), keyFile, REDIS, `${prefix}:`, String(installation.id)], { stdio: ["pipe", "pipe", "inherit"] }));
  const said = (child, word) => new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`a ${variant} member exited ${code} before "${word}"`)));
    createInterface({ input: child.stdout }).on("line", (line) => line === word && resolve());
  });
  const ready = children.map((c) => said(c, "ready"));
  const done = children.map((c) => said(c, "done"));
  await Promise.all(ready);
  const before = tokenPosts();
  for (const c of children) c.stdin.end("go\n");
  await Promise.all(done);
  await Promise.all(children.map((c) => (c.exitCode !== null ? undefined : new Promise((r) => c.once("exit", r)))));
  await dropRedisPrefix(REDIS, prefix);
  return tokenPosts() - before;
}

const counts = { hookyard: [], "auth-app": [] };
for (let n = 0; n < ROUNDS; n++) {
  for (const variant of Object.keys(counts)) counts[variant].push(await round(variant, n));
}
const total = (v) => counts[v].reduce((a, b) => a + b, 0);
console.log(`${MEMBERS} processes needing one installation's token at once, ${ROUNDS} rounds; token requests to GitHub per round:`);
console.log(`  Hookyard's cache (shared Redis store + fetch lock):       ${counts.hookyard.join(", ")}`);
console.log(`  @octokit/auth-app + custom cache on the same Redis store: ${counts["auth-app"].join(", ")}`);
console.log(`ratio auth-app / Hookyard: ${(total("auth-app") / total("hookyard")).toFixed(1)}x`);
rmSync(dir, { recursive: true, force: true });
await fake.close();
