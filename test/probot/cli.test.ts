/**
 * Processes as Probot users run them: a script that loads an app into `hookyard/probot`'s Probot and
 * receives one event ends by itself (Probot's behaviour), and `hookyard receive` runs an app once on
 * a payload file without a server (`probot receive`), with the App's key given base64-encoded.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { CLI } from "../fixtures/server.js";
import { issuePayload } from "../github/support.js";
import { removeTempDirs, tempDir } from "../support/store.js";
import { closeFakes, fakeGitHub, probotApp } from "./support.js";

const run = promisify(execFile);
/** The child's environment without anything that configures Hookyard or Probot from the developer's shell. */
const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(HOOKYARD_|WEBHOOK_|LOG_|APP_ID$|PRIVATE_KEY|REDIS_URL$|NODE_OPTIONS$|VITEST)/.test(k)));
/** exit code and output of a child that may fail. */
async function outcome(file: string, args: string[], env: Record<string, string>, cwd?: string) {
  try {
    const { stdout } = await run(process.execPath, [file, ...args], { env: { ...cleanEnv(), ...env }, timeout: 30_000, ...(cwd ? { cwd } : {}) });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

afterAll(async () => {
  await closeFakes();
  removeTempDirs();
});

describe("processes that use Hookyard the way Probot users use Probot", () => {
  it("a script that does load + receive with hookyard/probot exits by itself within 2 s of receive(), whether the handler succeeded or threw", async () => {
    const ok = await outcome(probotApp("load-and-receive.mjs"), [], {});
    expect(ok).toEqual({ code: 0, stdout: "received\nruns: 1\n" });
    const failed = await outcome(probotApp("load-and-receive.mjs"), [], { THROW: "1" });
    // rejected once; the handler did not run again in the background before the exit
    expect(failed).toEqual({ code: 0, stdout: "rejected: boom\nruns: 1\n" });
  });

  it("hookyard receive -e issues -p payload.json <app> runs the app once on the payload, against GitHub as the App (base64 PRIVATE_KEY)", async () => {
    const { fake, installation } = await fakeGitHub();
    fake.addIssue("acme/widgets", { title: "Crash on start" });
    const dir = tempDir();
    const payload = join(dir, "issues.opened.json");
    writeFileSync(payload, JSON.stringify({ ...issuePayload(installation.id), sender: { login: "octocat", id: 1, type: "User" } }));
    const env = { APP_ID: String(fake.appId), PRIVATE_KEY: Buffer.from(fake.privateKey).toString("base64"), HOOKYARD_GITHUB_API_URL: fake.url, LOG_LEVEL: "warn" };
    const res = await outcome(CLI, ["receive", "-e", "issues", "-p", payload, probotApp("welcome")], env, dir);
    expect(res).toMatchObject({ code: 0, stdout: expect.stringContaining("issues.opened:anonymous: ok") });
    expect(fake.state.comments("acme/widgets", 1).map((c) => c.body)).toEqual([expect.stringContaining("@octocat")]);

    const failing = await outcome(CLI, ["receive", "-e", "issues", "-p", join(dir, "missing.json"), probotApp("welcome")], env, dir);
    expect(failing).toMatchObject({ code: 2, stdout: expect.stringContaining("cannot read the payload") });
  });
});
