import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Hookyard } from "../../src/app/index.js";
import { requireUser, userCanAccessRepo, userInTeam } from "../../src/identity/oauth/index.js";
import { createFakeGitHub, type FakeGitHub } from "../../src/testing/index.js";
import { startApp, stopApps, type StartedApp } from "../support/app.js";
import { Browser } from "./support/browser.js";
import { logIn, startLoginApp } from "./support/login.js";

let fake: FakeGitHub;
let started: StartedApp;

const repoReads = () => fake.requests.filter((r) => r.path === "/repos/acme/widgets" && r.auth === "user").length;

beforeEach(async () => {
  fake = await createFakeGitHub();
  fake.addRepo({ owner: "acme", name: "widgets", private: true });
  fake.addRepo({ owner: "acme", name: "hidden", private: false });
  fake.addInstallation({ account: { login: "acme", type: "Organization" }, repositories: ["acme/widgets"] });
  fake.setCollaborator("acme/widgets", "alice", "write");
  fake.setCollaborator("acme/widgets", "bob", "read");
  fake.addTeamMember("acme/deployers", "alice");
  fake.addTeamMember("acme/ops", "bob");
  started = await startLoginApp(fake, (app) => {
    app.route((http) => {
      http.get("/can", { preHandler: requireUser() }, async (req) => {
        const q = req.query as { repo: string; permission: "pull" | "push" | "admin"; team: string };
        return { repo: await userCanAccessRepo(req.user!, q.repo, q.permission), team: await userInTeam(req.user!, q.team) };
      });
      http.post("/act", { preHandler: requireUser() }, async (req) => ({ by: req.user!.login }));
    }, { prefix: "/x" });
  });
});

afterEach(async () => {
  await stopApps();
  await fake.close();
});

async function ask(b: Browser, repo: string, permission: string, team: string) {
  const res = await b.fetch(`/x/can?repo=${repo}&permission=${permission}&team=${team}`);
  return res.json() as Promise<{ repo: boolean; team: boolean }>;
}

async function browserFor(login: string): Promise<Browser> {
  const b = new Browser(started.base);
  await logIn(b, fake, login);
  return b;
}

describe("userCanAccessRepo and userInTeam", () => {
  it("answer from the user's own rights, scoped to where the App is installed", async () => {
    const alice = await browserFor("alice");
    const bob = await browserFor("bob");
    const carol = await browserFor("carol");
    expect(await ask(alice, "acme/widgets", "push", "acme/deployers")).toEqual({ repo: true, team: true });
    expect(await ask(alice, "acme/widgets", "admin", "ACME/Deployers")).toEqual({ repo: false, team: true });
    expect(await ask(bob, "acme/widgets", "push", "acme/deployers")).toEqual({ repo: false, team: false });
    expect(await ask(bob, "acme/widgets", "pull", "acme/ops")).toEqual({ repo: true, team: true });
    expect(await ask(carol, "acme/widgets", "pull", "acme/deployers")).toEqual({ repo: false, team: false });
    // public, but the App is not installed there: a GitHub App's user token does not reach it
    expect(await ask(alice, "acme/hidden", "pull", "acme/deployers")).toEqual({ repo: false, team: true });
  });

  it("keep answers for a minute per user", async () => {
    const alice = await browserFor("alice");
    const teamReads = () => fake.requests.filter((r) => r.path === "/user/teams").length;
    expect(await ask(alice, "acme/widgets", "push", "acme/deployers")).toEqual({ repo: true, team: true });
    fake.setCollaborator("acme/widgets", "alice", null);
    fake.removeTeamMember("acme/deployers", "alice");
    expect(await ask(alice, "acme/widgets", "pull", "acme/deployers")).toEqual({ repo: true, team: true }); // cached
    expect([repoReads(), teamReads()]).toEqual([1, 1]);
    const bob = await browserFor("bob");
    expect(await ask(bob, "acme/widgets", "pull", "acme/ops")).toEqual({ repo: true, team: true }); // another user: asked anew
    expect([repoReads(), teamReads()]).toEqual([2, 2]);
    fake.clock.advance(61_000);
    expect(await ask(alice, "acme/widgets", "pull", "acme/deployers")).toEqual({ repo: false, team: false });
    expect([repoReads(), teamReads()]).toEqual([3, 3]);
  });
});

describe("access arguments", () => {
  it("a repository not written owner/repo, or an unknown permission, is HOOKYARD_ERR_OAUTH_ARGUMENT_INVALID (400 from a route)", async () => {
    const alice = await browserFor("alice");
    for (const query of ["repo=widgets&permission=pull&team=acme/deployers", "repo=acme/widgets&permission=write&team=acme/deployers"]) {
      const res = await alice.fetch(`/x/can?${query}`);
      expect(res.status, query).toBe(400);
      expect(await res.json(), query).toMatchObject({ error: { code: "HOOKYARD_ERR_OAUTH_ARGUMENT_INVALID" } });
    }
  });
});

describe("requireUser", () => {
  it("sends browsers to login and back, answers API callers 401", async () => {
    const b = new Browser(started.base);
    const page = await b.navigate("/x/can?repo=acme/widgets&permission=pull&team=a/b");
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe(`/auth/github/login?return_to=${encodeURIComponent("/x/can?repo=acme/widgets&permission=pull&team=a/b")}`);
    const api = await b.fetch("/x/can", { headers: { accept: "application/json" } });
    expect(api.status).toBe(401);
    expect(api.headers.get("cache-control")).toBe("no-store");
    expect(await api.json()).toMatchObject({ error: { code: "HOOKYARD_ERR_OAUTH_LOGIN_REQUIRED" } });
    const back = await logIn(b, fake, "alice", "/x/can?repo=acme/widgets&permission=push&team=acme/deployers");
    expect(back.headers.get("location")).toBe("/x/can?repo=acme/widgets&permission=push&team=acme/deployers");
  });

  it("refuses state-changing requests from another site's page", async () => {
    const alice = await browserFor("alice");
    const evil = await alice.fetch("/x/act", { method: "POST", headers: { origin: "https://evil.example" } });
    expect(evil.status).toBe(403);
    expect(await evil.json()).toMatchObject({ error: { code: "HOOKYARD_ERR_OAUTH_CROSS_ORIGIN" } });
    const crossSite = await alice.fetch("/x/act", { method: "POST", headers: { "sec-fetch-site": "cross-site" } });
    expect(crossSite.status).toBe(403);
    const own = await alice.fetch("/x/act", { method: "POST", headers: { origin: started.base } });
    expect(await own.json()).toEqual({ by: "alice" });
  });
});

describe("app.route", () => {
  it("serves routes without login configured; requireUser then answers 500 NOT_CONFIGURED", async () => {
    const plain = await startApp((app) => {
      app.route((http) => {
        http.get("/open", async () => ({ ok: true }));
        http.get("/closed", { preHandler: requireUser() }, async () => ({ ok: true }));
      });
    });
    expect(await (await fetch(`${plain.base}/open`)).json()).toEqual({ ok: true });
    const closed = await fetch(`${plain.base}/closed`);
    expect(closed.status).toBe(500);
    expect(await closed.json()).toMatchObject({ error: { code: "HOOKYARD_ERR_OAUTH_NOT_CONFIGURED" } });
    expect((await fetch(`${plain.base}/auth/github/login`)).status).toBe(404);
    expect(() => plain.app.route(() => undefined)).toThrow(expect.objectContaining({ code: "HOOKYARD_ERR_APP_ROUTE_LATE" }));
  });

  it("refuses Probot ≤ 10's app.route(path), and half a login configuration", () => {
    const app = new Hookyard({ env: {}, logLevel: "silent", store: "memory:" });
    expect(() => app.route("/my-app" as never)).toThrow(expect.objectContaining({ code: "HOOKYARD_ERR_PROBOT_UNSUPPORTED" }));
    expect(() => new Hookyard({ env: { GITHUB_CLIENT_ID: "Iv1.abc", HOOKYARD_SESSION_SECRET: "s".repeat(32) }, logLevel: "silent" })).toThrow(expect.objectContaining({ code: "HOOKYARD_ERR_OAUTH_NOT_CONFIGURED" }));
    expect(() => new Hookyard({ env: { HOOKYARD_SESSION_SECRET: "short" }, logLevel: "silent" })).toThrow(expect.objectContaining({ code: "HOOKYARD_ERR_CONFIG_INVALID" }));
    // what `hookyard setup` writes (client id and secret) without a session secret: login stays off
    expect(new Hookyard({ env: { GITHUB_CLIENT_ID: "Iv1.abc", GITHUB_CLIENT_SECRET: "x" }, logLevel: "silent" }).oauth).toBeUndefined();
  });
});
