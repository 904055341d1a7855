/**
 * The issue's "must show", with real processes: `hookyard serve` on a SQLite store is down while
 * GitHub (the fake) sends deliveries; when it starts again its recovery has them redelivered and
 * each is handled exactly once; `hookyard redeliver` afterwards finds nothing left to do.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createFakeGitHub, type FakeGitHub } from "../../src/testing/index.js";
import { CLI, fileLines, fixture, freePort, killServers, startServer } from "../fixtures/server.js";
import { removeTempDirs, tempDir } from "../support/store.js";
import { appFor, cleanupGitHub } from "./support.js";

let fake: FakeGitHub | undefined;
afterEach(async () => {
  await killServers();
  await cleanupGitHub();
  await fake?.close();
  removeTempDirs();
});

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
});

function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH ?? "" } }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe("hookyard serve after downtime", () => {
  it("redelivers what GitHub could not deliver while it was down, once each; hookyard redeliver then finds nothing", { timeout: 60_000 }, async () => {
    fake = await createFakeGitHub();
    fake.addRepo({ owner: "acme", name: "widgets" });
    const installation = fake.addInstallation({ account: "acme" });
    const dir = tempDir();
    const handledFile = join(dir, "handled.txt");
    const port = await freePort();
    fake.setWebhookUrl(`http://127.0.0.1:${port}/api/github/webhooks`);
    // the App and the store come from .env, as in a deployment (the CLI reads it too)
    writeFileSync(join(dir, ".env"), [
      `APP_ID=${fake.appId}`,
      `PRIVATE_KEY="${fake.privateKey.trim().replace(/\n/g, "\\n")}"`,
      `WEBHOOK_SECRET=${fake.webhookSecret}`,
      `HOOKYARD_GITHUB_API_URL=${fake.url}`,
      `HOOKYARD_STORE=sqlite:${join(dir, "h.db")}`,
      "",
    ].join("\n"));
    const env = { PORT: String(port), HANDLED_FILE: handledFile, WEBHOOK_SECRET: fake.webhookSecret };
    const gh = await appFor(fake).auth(installation.id);
    const openIssue = async (title: string) => {
      const before = fake!.deliveries.length;
      await gh.rest.issues.create({ owner: "acme", repo: "widgets", title });
      await fake!.idle();
      return fake!.deliveries.slice(before).map((d) => d.guid);
    };

    // first life: one delivery arrives normally
    const first = await startServer(fixture("recording-app.mjs"), dir, env);
    const [early] = await openIssue("while up");
    await first.waitForLine(new RegExp(`"handled":"${early}"`));
    // a run from the CLI, beside the running server: nothing missed; the checkpoint file both share moves to the newest delivery
    const check = await cli(["redeliver"], dir);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/: 0 missed; 0 redelivered/);
    const checkpoint = Date.parse(fake.deliveries.find((d) => d.guid === early)!.delivered_at);
    expect(JSON.parse(readFileSync(join(dir, "h.db-redelivery.json"), "utf8"))).toMatchObject({ checkpoint });
    first.child.kill("SIGTERM");
    expect(await first.exited).toEqual({ code: 0, signal: null });

    // down: five deliveries fail
    const missed: string[] = [];
    for (let i = 0; i < 5; i++) missed.push(...(await openIssue(`while down ${i}`)));
    expect(missed).toHaveLength(5);
    expect(fake.deliveries.filter((d) => missed.includes(d.guid)).map((d) => d.status_code)).toEqual([0, 0, 0, 0, 0]);

    // second life: the recovery at start has GitHub redeliver them
    const second = await startServer(fixture("recording-app.mjs"), dir, env);
    for (const guid of missed) await second.waitForLine(new RegExp(`"handled":"${guid}"`));
    const summary = JSON.parse(await second.waitForLine(/asked GitHub to redeliver 5 deliveries/)) as { from: string; redelivered: string[] };
    expect(summary.from).toBe(new Date(checkpoint - 5 * 60_000).toISOString()); // back to the checkpoint, less the overlap
    expect(summary.redelivered).toEqual(missed);
    await fake.idle();

    const again = await cli(["redeliver"], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^examined \d+ attempts? of \d+ deliver(y|ies) since .*: 0 missed; 0 redelivered, 0 already stored$/m);
    expect(again.stdout).not.toMatch(/^redelivered /m);
    await fake.idle();

    second.child.kill("SIGTERM");
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(fileLines(handledFile).sort()).toEqual([early!, ...missed].sort()); // each exactly once
    expect(existsSync(join(dir, "h.db-redelivery.json"))).toBe(true);
    for (const guid of missed) {
      expect(fake.deliveries.filter((d) => d.guid === guid).map((d) => [d.redelivery, d.status_code])).toEqual([[false, 0], [true, 202]]);
    }
  });
});
