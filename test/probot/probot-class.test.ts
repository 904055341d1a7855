/**
 * `hookyard/probot`'s Probot class, as apps and tests that construct it use it: load, receive (which
 * resolves once the handlers ran, or rejects like Probot), auth, webhooks, createProbot, defaults.
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { loadAppModule } from "../../src/cli/load-app.js";
import { sign } from "../../src/ingress/verify.js";
import { createProbot, Probot, run, type ApplicationFunction, type ProbotOptions } from "../../src/probot/index.js";
import { postDelivery, signedDelivery, type FakeGitHub } from "../../src/testing/index.js";
import { issuePayload } from "../github/support.js";
import { closeFakes, fakeGitHub, probotApp } from "./support.js";

const probots: Probot[] = [];
afterEach(async () => {
  for (const p of probots.splice(0)) await p.hookyard.stop();
  await closeFakes();
});

function probotFor(fake: FakeGitHub, extra: ProbotOptions = {}): Probot {
  const probot = new Probot({
    appId: fake.appId, privateKey: fake.privateKey, secret: "s3cret", baseUrl: fake.url, logLevel: "silent",
    hookyard: { github: { throttle: false } }, ...extra,
  });
  probots.push(probot);
  return probot;
}

/** An issues.opened payload about acme/widgets#1 by a person (not a bot). */
const opened = (installationId: number) => ({ ...issuePayload(installationId), sender: { login: "octocat", id: 1, type: "User" } });

describe("new Probot()", () => {
  it("loads a Probot app module; receive() resolves once its handlers ran (the app's comment is already there)", async () => {
    const { fake, installation } = await fakeGitHub();
    fake.addIssue("acme/widgets", { title: "Crash on start" });
    const probot = probotFor(fake);
    await probot.load((await loadAppModule(probotApp("welcome"))) as unknown as ApplicationFunction);
    await probot.receive({ id: "1", name: "issues", payload: opened(installation.id) });
    expect(fake.state.comments("acme/widgets", 1).map((c) => c.body)).toEqual([expect.stringContaining("@octocat")]);
    expect(fake.state.issue("acme/widgets", 1)?.labels.map((l) => (typeof l === "string" ? l : l.name))).toEqual(["new"]);
    expect(probot.hookyard.store.description).toMatch(/^memory/);
  });

  it("receive() rejects like Probot with an AggregateError of the handlers' own errors; onError sees each", async () => {
    const { fake, installation } = await fakeGitHub();
    const probot = probotFor(fake);
    class Boom extends Error {}
    const seen: string[] = [];
    await probot.load((app) => {
      app.on("issues.opened", async () => {
        throw new Boom("boom");
      }, { retries: 0 });
      app.on("issues", async () => undefined);
      app.onError((error) => void seen.push(error.message));
    });
    const err = await probot.receive({ id: "2", name: "issues", payload: opened(installation.id) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AggregateError);
    expect((err as AggregateError).errors).toHaveLength(1);
    expect((err as AggregateError).errors[0]).toBeInstanceOf(Boom);
    expect(err).toMatchObject({ message: "boom", event: { id: "2", name: "issues" } });
    expect(seen).toEqual(["boom"]);
  });

  it("a delivery id received before is not run again, and says so", async () => {
    const { fake, installation } = await fakeGitHub();
    const lines: string[] = [];
    const probot = probotFor(fake, { log: pino({ level: "warn" }, { write: (line: string) => void lines.push(line) }) });
    let runs = 0;
    probot.on("issues.opened", async () => void runs++);
    const id = randomUUID();
    await probot.receive({ id, name: "issues", payload: opened(installation.id) });
    await probot.receive({ id, name: "issues", payload: opened(installation.id) });
    await probot.receive({ name: "issues", payload: opened(installation.id) }); // no id: a fresh one
    expect(runs).toBe(2);
    expect(lines.map((l) => JSON.parse(l) as { delivery: string; msg: string })).toEqual([expect.objectContaining({ delivery: id, msg: expect.stringContaining("do not run again") })]);
  });

  it("auth() is the App, auth(id) an installation; octokit.auth({ type }) returns the JWT and the installation token GitHub accepts", async () => {
    const { fake, installation } = await fakeGitHub();
    const probot = probotFor(fake);
    const appOctokit = await probot.auth();
    expect((await appOctokit.rest.apps.getAuthenticated()).data?.slug).toBe(fake.slug);
    const repos = await (await probot.auth(installation.id)).rest.apps.listReposAccessibleToInstallation();
    expect(repos.data.repositories.map((r) => r.full_name)).toEqual(["acme/widgets"]);
    const jwt = (await appOctokit.auth({ type: "app" })) as { type: string; token: string; appId: number };
    expect(jwt).toMatchObject({ type: "app", appId: Number(fake.appId) });
    expect((await fetch(`${fake.url}/app`, { headers: { authorization: `bearer ${jwt.token}` } })).status).toBe(200);
    let fromContext: { type?: string; tokenType?: string; token?: string; installationId?: number } = {};
    await probot.load((app) => app.on("issues.opened", async (context) => void (fromContext = (await context.octokit.auth({ type: "installation" })) as typeof fromContext)));
    await probot.receive({ name: "issues", payload: opened(installation.id) });
    expect(fromContext).toMatchObject({ type: "token", tokenType: "installation", installationId: installation.id });
    const res = await fetch(`${fake.url}/installation/repositories`, { headers: { authorization: `token ${fromContext.token}` } });
    expect(res.status).toBe(200);
    expect(() => new Probot({ githubToken: "ghp_x" })).toThrow(expect.objectContaining({ code: "HOOKYARD_ERR_PROBOT_UNSUPPORTED" }));
  });

  it("webhooks.verify / verifyAndReceive check X-Hub-Signature-256 against the secret", async () => {
    const { fake, installation } = await fakeGitHub();
    const probot = probotFor(fake);
    let runs = 0;
    probot.webhooks.on("issues.opened", async () => void runs++);
    const payload = opened(installation.id);
    const body = JSON.stringify(payload);
    expect(await probot.webhooks.verify(body, sign("s3cret", body))).toBe(true);
    expect(await probot.webhooks.verify(body, sign("other", body))).toBe(false);
    await expect(probot.webhooks.verifyAndReceive({ id: "v1", name: "issues", payload, signature: sign("other", body) })).rejects.toMatchObject({ code: "HOOKYARD_ERR_INGRESS_SIGNATURE_INVALID" });
    await probot.webhooks.verifyAndReceive({ id: "v2", name: "issues", payload, signature: sign("s3cret", body) });
    expect(runs).toBe(1);
  });
});

describe("createProbot() and Probot.defaults()", () => {
  it("createProbot reads the environment between defaults and overrides; the store is HOOKYARD_STORE or memory", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const env = { APP_ID: "42", PRIVATE_KEY: privateKey, LOG_LEVEL: "warn", WEBHOOK_SECRET: "from-env" };
    const probot = createProbot({ env, defaults: { appId: 7, secret: "default", webhookPath: "/hooks" }, overrides: { logLevel: "error" } });
    const config = probot.hookyard.config;
    expect([config.appId, config.webhookSecret, config.webhookPath, config.logLevel, config.store]).toEqual(["42", ["from-env"], "/hooks", "error", "memory:"]);
    expect(createProbot({ env: { HOOKYARD_STORE: "sqlite:/tmp/x.db" } }).hookyard.config.store).toBe("sqlite:/tmp/x.db");
  });

  it("new Probot() reads nothing from process.env; Probot.defaults() makes a subclass with defaults", () => {
    process.env.WEBHOOK_PATH = "/from-process-env";
    try {
      expect(new Probot({ logLevel: "silent" }).hookyard.config.webhookPath).toBe("/api/github/webhooks");
    } finally {
      delete process.env.WEBHOOK_PATH;
    }
    const MyProbot = Probot.defaults({ webhookPath: "/mine", logLevel: "silent" });
    const p = new MyProbot({ port: 0 });
    expect(p).toBeInstanceOf(Probot);
    expect([p.hookyard.config.webhookPath, p.hookyard.config.port]).toEqual(["/mine", 0]);
  });
});

describe("run()", () => {
  it("starts a server with the app on the configured store and takes signed deliveries; run(argv) is unsupported", async () => {
    const { fake, installation } = await fakeGitHub();
    const before = process.listeners("SIGTERM").length;
    const env = {
      PORT: "0", HOST: "127.0.0.1", WEBHOOK_SECRET: "s3cret", HOOKYARD_STORE: "memory:", LOG_LEVEL: "silent",
      APP_ID: String(fake.appId), PRIVATE_KEY: fake.privateKey, HOOKYARD_GITHUB_API_URL: fake.url,
    };
    const probot = await run((app) => {
      app.on("issues.opened", async (context) => {
        await context.octokit.rest.issues.createComment(context.issue({ body: `run() by ${app.constructor.name}` }));
      });
    }, { env });
    probots.push(probot);
    try {
      fake.addIssue("acme/widgets", { title: "Crash" });
      const done = probot.hookyard.events.once("task:complete");
      const d = signedDelivery("issues", opened(installation.id), { secret: "s3cret" });
      expect((await postDelivery(`${probot.hookyard.url}/api/github/webhooks`, d)).status).toBe(202);
      await done;
      expect(fake.state.comments("acme/widgets", 1).map((c) => c.body)).toEqual(["run() by Probot"]);
    } finally {
      for (const signal of ["SIGTERM", "SIGINT"] as const) for (const l of process.listeners(signal).slice(before)) process.off(signal, l);
    }
    await expect(run(["node", "probot", "run", "./app.js"] as never)).rejects.toMatchObject({ code: "HOOKYARD_ERR_PROBOT_UNSUPPORTED" });
  });
});
