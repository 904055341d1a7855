/**
 * The four kinds of Probot apps, tested the way Probot's "Testing" docs teach: nock intercepts
 * api.github.com, the app is loaded into a `Probot` whose Octokit has retries and throttling off,
 * and `probot.receive()` resolves once the handlers ran. The only change from a Probot test is the
 * import: `hookyard/probot` instead of `probot`. (The payload is the real issues.opened example
 * from @octokit/webhooks-examples, with an installation added, as Probot's fixture has.)
 */
import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
// the one change: `from "probot"` becomes `from "hookyard/probot"`
import { createNodeMiddleware, Probot, ProbotOctokit } from "hookyard/probot";
import welcomeApp from "../fixtures/probot-apps/welcome/index.js";
import autolabelApp from "../fixtures/probot-apps/autolabel.js";
import routerApp from "../fixtures/probot-apps/router.mjs";
import digestApp from "../fixtures/probot-apps/issue-digest.js";
import payload from "../fixtures/probot-apps/payloads/issues.opened.json" with { type: "json" };

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
const token = { token: "test", permissions: { issues: "write" } };

describe("Probot apps, tested with nock as Probot's docs show", () => {
  let probot: Probot;

  beforeEach(() => {
    nock.disableNetConnect();
    probot = new Probot({
      appId: 123,
      privateKey,
      // disable request throttling and retries for testing
      Octokit: ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }),
    });
  });

  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  test("welcome: comments and labels a new issue", async () => {
    probot.load(welcomeApp);
    const mock = nock("https://api.github.com")
      .post("/app/installations/2/access_tokens").reply(200, token)
      .post("/repos/Codertocat/Hello-World/issues/1/comments", (body) => {
        expect(body).toEqual({ body: 'Thanks for opening "Spelling error in the README file", @Codertocat! A maintainer will look at it soon.' });
        return true;
      }).reply(200)
      .post("/repos/Codertocat/Hello-World/issues/1/labels", { labels: ["new"] }).reply(200);
    await probot.receive({ name: "issues", payload });
    expect(mock.pendingMocks()).toStrictEqual([]);
  });

  test("labeler: reads .github/autolabel.yml with context.config(), uses app.auth() and app.auth(id)", async () => {
    probot.load(autolabelApp);
    const yml = "rules:\n  spelling: typo\ncomment: Labelled by title\n";
    const mock = nock("https://api.github.com")
      .post("/app/installations/2/access_tokens").reply(200, token)
      .get(/\/repos\/Codertocat\/Hello-World\/contents\/\.github(%2F|\/)autolabel\.yml/).reply(200, yml)
      .post("/repos/Codertocat/Hello-World/issues/1/labels", { labels: ["typo"] }).reply(200)
      .get("/app").reply(200, { slug: "autolabel-bot" })
      .get("/installation/repositories").reply(200, { total_count: 3, repositories: [] })
      .post("/repos/Codertocat/Hello-World/issues/1/comments", { body: "Labelled by title (typo)\n\n— autolabel-bot, installed on 3 repositories" }).reply(200);
    await probot.receive({ name: "issues", payload });
    expect(mock.pendingMocks()).toStrictEqual([]);
  });

  describe("router: addHandler served by createNodeMiddleware, app.auth(), tokens from octokit.auth()", () => {
    let server: Server;
    afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

    test("answers its HTTP route as the App, and comments with the installation token's length", async () => {
      server = createServer(await createNodeMiddleware(routerApp, { probot }));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
      nock.enableNetConnect("127.0.0.1");
      const mock = nock("https://api.github.com")
        .get("/app").reply(200, { slug: "router-bot" })
        .post("/app/installations/2/access_tokens").reply(200, token)
        .post("/repos/Codertocat/Hello-World/issues/1/comments", { body: "clone with a installation token of 4 characters; app token type app" }).reply(200);
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/router/hello`);
      expect(await res.json()).toEqual({ hello: "router-bot" });
      await probot.receive({ name: "issues", payload });
      expect(mock.pendingMocks()).toStrictEqual([]);
    });
  });

  test("digest: paginates the open issues and asks GraphQL for the stars", async () => {
    probot.load(digestApp);
    const page = (n: number) => ({ id: n, number: n, title: `Issue ${n}` });
    const mock = nock("https://api.github.com")
      .post("/app/installations/2/access_tokens").reply(200, token)
      .get("/repos/Codertocat/Hello-World/issues").query({ state: "open", per_page: 2 })
      .reply(200, [page(1), page(2)], { link: '<https://api.github.com/repositories/1/issues?state=open&per_page=2&page=2>; rel="next"' })
      .get("/repositories/1/issues").query({ state: "open", per_page: 2, page: 2 }).reply(200, [page(3)])
      .post("/graphql", (body) => body.variables.owner === "Codertocat" && body.variables.repo === "Hello-World").reply(200, { data: { repository: { stargazerCount: 42 } } })
      .post("/repos/Codertocat/Hello-World/issues/1/comments", { body: "3 open issues, 42 stars" }).reply(200);
    await probot.receive({ name: "issues", payload });
    expect(mock.pendingMocks()).toStrictEqual([]);
  });

  test("a failing handler rejects receive() once and is not run again in the background", async () => {
    let runs = 0;
    probot.load((app) => {
      app.on("issues.opened", async () => {
        runs++;
        throw new Error("boom");
      });
    });
    await expect(probot.receive({ name: "issues", payload })).rejects.toThrow("boom");
    await probot.hookyard.stop();
    expect(runs).toBe(1);
  });
});
