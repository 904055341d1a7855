// The optional peers (bullmq, ioredis, pg): the built package, run from a folder whose node_modules
// lacks them, opens SQLite as usual and names the install command for a store URL that needs them.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, "../..");
let dir: string;
let runs = 0;

beforeAll(() => {
  // a package folder: dist/ linked as is, and node_modules holding every package but the peers
  dir = mkdtempSync(join(tmpdir(), "hookyard-peers-"));
  symlinkSync(join(repo, "dist"), join(dir, "dist"));
  symlinkSync(join(repo, "package.json"), join(dir, "package.json"));
  mkdirSync(join(dir, "node_modules"));
  for (const name of readdirSync(join(repo, "node_modules"))) {
    if (!["bullmq", "ioredis", "pg"].includes(name)) symlinkSync(join(repo, "node_modules", name), join(dir, "node_modules", name));
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `code` (an ES module) in the package folder without the peers; returns what it printed. */
async function withoutPeers(code: string): Promise<string> {
  // --preserve-symlinks: modules resolve from the folder's node_modules, not the repository's
  const file = join(dir, `run-${++runs}.mjs`);
  writeFileSync(file, code);
  const { stdout } = await run(process.execPath, ["--preserve-symlinks", file], { cwd: dir });
  return stdout.trim();
}

const open = (url: string): string => `
  const { openStore } = await import(${JSON.stringify("./dist/store/index.js")});
  try { const s = await openStore(${JSON.stringify(url)}); console.log("opened " + s.description); await s.close(); }
  catch (e) { console.log(e.code + ": " + e.message); }`;

describe("optional peer dependencies", () => {
  it("opens a SQLite store and loads none of them", async () => {
    const out = await withoutPeers(open(`sqlite:${join(dir, "store.db")}`));
    expect(out).toMatch(/^opened sqlite:/);
  });

  it("names the packages a redis:// or postgres:// store needs", async () => {
    expect(await withoutPeers(open("redis://127.0.0.1:6379/0"))).toBe(
      "HOOKYARD_ERR_STORE_DRIVER_MISSING: HOOKYARD_STORE=redis://… needs the optional packages bullmq and ioredis: run `npm install bullmq ioredis`");
    expect(await withoutPeers(open("postgres://127.0.0.1/test"))).toBe(
      "HOOKYARD_ERR_STORE_DRIVER_MISSING: HOOKYARD_STORE=postgres://… needs the optional packages bullmq and pg: run `npm install bullmq pg`");
  });

  it("REDIS_URL's shared throttling names ioredis when the first request needs a limiter, not before", async () => {
    const out = await withoutPeers(`
      const { generateKeyPairSync } = await import("node:crypto");
      const { default: pino } = await import("pino");
      const { loadConfig } = await import("./dist/config/index.js");
      const { GitHubClients } = await import("./dist/github/clients.js");
      const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" });
      const github = new GitHubClients(loadConfig({ appId: 1, privateKey, redisUrl: "redis://127.0.0.1:6379/0" }, {}), { log: pino({ level: "silent" }) });
      console.log("constructed");
      try { await github.throttle.limiter("write", "1:2"); } catch (e) { console.log(e.code + ": " + e.message); }`);
    expect(out).toBe("constructed\nHOOKYARD_ERR_STORE_DRIVER_MISSING: REDIS_URL (shared throttling) needs the optional package ioredis: run `npm install ioredis`");
  });
});
