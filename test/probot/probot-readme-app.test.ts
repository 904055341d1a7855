/**
 * Probot 14's own example: the package ships one app, in its README (`issues.opened` comments with
 * `context.issue()` + `context.octokit.issues.createComment`, `app.onAny` logs each event with
 * `context.log.info`, `app.onError` logs with `app.log.error`). It is taken from the installed
 * `probot` package as it is and run unchanged under createTestApp(), under a real `hookyard serve`
 * process, and with nock under `hookyard/probot` (the only change from a Probot test: the import).
 */
import { generateKeyPairSync } from "node:crypto";
import { Writable } from "node:stream";
import nock from "nock";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { Probot, ProbotOctokit } from "hookyard/probot";
import { loadAppModule } from "../../src/cli/load-app.js";
import { createTestApp, type TestApp } from "../../src/testing/index.js";
import { killServers } from "../fixtures/server.js";
import payload from "../fixtures/probot-apps/payloads/issues.opened.json" with { type: "json" };
import { removeTempDirs, tempDir } from "../support/store.js";
import { closeFakes, fakeGitHub, handled, lastDelivery, person, probotReadmeApp, serveOnFake } from "./support.js";

const apps: TestApp[] = [];
afterEach(async () => {
  for (const t of apps.splice(0)) await t.close();
  await killServers();
  await closeFakes();
  nock.cleanAll();
  nock.enableNetConnect();
  removeTempDirs();
});

/** A pino logger whose JSON lines are kept in `lines`. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: "info" }, stream), lines };
}

describe("Probot 14's README example app, unchanged", () => {
  it("under createTestApp(): comments on the new issue, and onAny logs every event it sees", async () => {
    const { logger, lines } = capturingLogger();
    const t = await createTestApp(await loadAppModule(probotReadmeApp(tempDir())), { hookyard: { logger } });
    apps.push(t);
    await t.receive("issues.opened", { sender: { login: "octocat", type: "User" } });
    const tasks = await t.settled();
    expect(t.fake.state.comments("acme/widgets", 1).map((c) => c.body)).toEqual(["Thanks for opening this issue!"]);
    // the app's comment came back as a delivery; onAny ran for both events
    expect(tasks.map((task) => `${task.event}.${task.action} ${task.name} ${task.state}`).sort()).toEqual([
      "issue_comment.created *:anonymous completed",
      "issues.opened *:anonymous completed",
      "issues.opened issues.opened:anonymous completed",
    ]);
    expect(lines.filter((l) => l.event !== undefined && l.action !== undefined && l.msg === undefined).map((l) => `${String(l.event)}.${String(l.action)}`).sort())
      .toEqual(["issue_comment.created", "issues.opened"]);
  });

  it("under hookyard serve: a person opens an issue on the fake GitHub, the app answers it", { timeout: 60_000 }, async () => {
    const { fake } = await fakeGitHub();
    const dir = tempDir();
    const server = await serveOnFake(probotReadmeApp(dir), fake, dir);
    const octocat = await person(fake, "octocat");
    await octocat.rest.issues.create({ owner: "acme", repo: "widgets", title: "Crash on start" });
    await fake.idle();
    const opened = lastDelivery(fake, "issues.opened").guid;
    await handled(server, opened, "issues.opened:anonymous");
    await handled(server, opened, "*:anonymous");
    expect(fake.state.comments("acme/widgets", 1).map((c) => c.body)).toEqual(["Thanks for opening this issue!"]);
    expect(server.lines.some((l) => l.includes(`"delivery":"${opened}"`) && l.includes('"event":"issues","action":"opened"'))).toBe(true);
  });

  describe("with nock under hookyard/probot, as Probot's testing docs show", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const token = { token: "test", permissions: { issues: "write" } };
    async function probotWithReadmeApp() {
      const { default: app } = (await import(probotReadmeApp(tempDir()))) as { default: Parameters<Probot["load"]>[0] };
      const { logger, lines } = capturingLogger();
      nock.disableNetConnect();
      const probot = new Probot({ appId: 123, privateKey, log: logger, Octokit: ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }) });
      await probot.load(app);
      return { probot, lines };
    }

    it("comments on the new issue", async () => {
      const { probot } = await probotWithReadmeApp();
      const mock = nock("https://api.github.com")
        .post("/app/installations/2/access_tokens").reply(200, token)
        .post("/repos/Codertocat/Hello-World/issues/1/comments", { body: "Thanks for opening this issue!" }).reply(200);
      await probot.receive({ name: "issues", payload });
      expect(mock.pendingMocks()).toStrictEqual([]);
    });

    it("app.onError logs the handler's error when GitHub refuses the comment", async () => {
      const { probot, lines } = await probotWithReadmeApp();
      nock("https://api.github.com")
        .post("/app/installations/2/access_tokens").reply(200, token)
        .post("/repos/Codertocat/Hello-World/issues/1/comments").reply(500, { message: "Server Error" });
      await expect(probot.receive({ name: "issues", payload })).rejects.toThrow();
      // Hookyard's own "task failed" line, and the app's: app.log.error(error) with Octokit's error
      const errors = lines.filter((l) => l.level === 50);
      expect(errors.map((l) => String(l.msg)).sort()).toEqual(["Server Error", "task failed"]);
      expect(errors.find((l) => l.msg === "Server Error")).toMatchObject({ err: { status: 500, message: "Server Error" } });
    });
  });
});
