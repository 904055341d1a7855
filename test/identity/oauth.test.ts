import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeGitHub, type FakeGitHub } from "../../src/testing/index.js";
import { requireUser } from "../../src/identity/oauth/index.js";
import { nextOutcome, stopApps, type StartedApp } from "../support/app.js";
import { Browser } from "./support/browser.js";
import { beginLogin, callbackPath, logIn, startLoginApp } from "./support/login.js";

let fake: FakeGitHub;
let started: StartedApp;
let browser: Browser;

const json = async (res: Response) => (await res.json()) as { error?: { code: string; message: string }; login?: string; id?: number };
const tokenRequests = () => fake.requests.filter((r) => r.method === "POST" && r.path === "/login/oauth/access_token").length;

beforeEach(async () => {
  fake = await createFakeGitHub();
  fake.addUser({ login: "alice", name: "Alice Liddell" });
  started = await startLoginApp(fake, (app) => {
    // a route that uses the user's own token against GitHub
    app.route((http) => {
      http.get("/me", { preHandler: requireUser() }, async (req) => {
        const { data } = await req.user!.octokit.request("GET /user");
        return { login: data.login };
      });
    });
  });
  browser = new Browser(started.base);
});

afterEach(async () => {
  await stopApps();
  await fake.close();
});

describe("login", () => {
  it("goes login → GitHub → callback → user, with state, PKCE and a sealed session cookie", async () => {
    const a = await beginLogin(browser, fake, "/dashboard?tab=1");
    expect(a.state).toMatch(/^[\w-]{43}$/);
    expect(a.challenge).toMatch(/^[\w-]{43}$/);
    expect(a.redirectUri).toBe(`${started.base}/auth/github/callback`);
    expect(browser.names()).toEqual(["hookyard_login"]);

    const cb = await browser.navigate(callbackPath(fake, a, "alice"));
    expect(cb.status).toBe(302);
    expect(cb.headers.get("location")).toBe("/dashboard?tab=1");
    const set = cb.headers.getSetCookie();
    const session = set.find((c) => c.startsWith("hookyard_session="));
    expect(session).toMatch(/; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/); // no Secure on localhost
    expect(set.some((c) => c.startsWith("hookyard_login=;") && c.includes("Max-Age=0"))).toBe(true);
    expect(browser.names()).toEqual(["hookyard_session"]);
    expect(browser.cookie("hookyard_session")).not.toMatch(/gh[ur]_/); // the tokens are sealed, not readable

    const user = await browser.fetch("/auth/github/user");
    expect(user.status).toBe(200);
    expect(user.headers.get("cache-control")).toBe("no-store");
    expect(await user.json()).toEqual({ id: expect.any(Number), login: "alice", name: "Alice Liddell", avatarUrl: expect.stringContaining("avatars") });
    const me = await browser.fetch("/me");
    expect(await me.json()).toEqual({ login: "alice" });
  });

  it("refuses a callback with no state, no login cookie, a wrong state or a replayed state", async () => {
    const a = await beginLogin(browser, fake);
    const noState = await browser.navigate(callbackPath(fake, a, "alice").replace(/&state=.*/, ""));
    expect(noState.status).toBe(400);
    expect(noState.headers.get("cache-control")).toBe("no-store");
    expect((await json(noState)).error?.code).toBe("HOOKYARD_ERR_OAUTH_STATE_MISSING");

    const elsewhere = new Browser(started.base); // another browser never started this login
    const stray = await elsewhere.navigate(callbackPath(fake, await beginLogin(browser, fake), "alice"));
    expect((await json(stray)).error?.code).toBe("HOOKYARD_ERR_OAUTH_STATE_MISSING");

    const b = await beginLogin(browser, fake);
    const wrong = await browser.navigate(callbackPath(fake, b, "alice", { state: "x".repeat(43) }));
    expect(wrong.status).toBe(400);
    expect((await json(wrong)).error?.code).toBe("HOOKYARD_ERR_OAUTH_STATE_MISMATCH");
    expect(browser.cookie("hookyard_session")).toBeUndefined();

    const c = await beginLogin(browser, fake);
    const pending = browser.cookie("hookyard_login") as string;
    const path = callbackPath(fake, c, "alice");
    expect((await browser.navigate(path)).status).toBe(302);
    const replay = new Browser(started.base);
    replay.put("hookyard_login", pending, "/auth/github");
    const again = await replay.navigate(path);
    expect(again.status).toBe(400);
    expect((await json(again)).error?.code).toBe("HOOKYARD_ERR_OAUTH_STATE_REUSED");
    expect(replay.cookie("hookyard_session")).toBeUndefined();
  });

  it("refuses a code whose PKCE verifier does not match (an injected code)", async () => {
    const a = await beginLogin(browser, fake);
    const res = await browser.navigate(callbackPath(fake, a, "alice", { challenge: "A".repeat(43) }));
    expect(res.status).toBe(400);
    expect((await json(res)).error?.code).toBe("HOOKYARD_ERR_OAUTH_CODE_INVALID");
    expect(browser.cookie("hookyard_session")).toBeUndefined();
  });

  it("reports a denied authorization and a refused client as such, without a session", async () => {
    const a = await beginLogin(browser, fake);
    const denied = await browser.navigate(`/auth/github/callback?error=access_denied&error_description=denied&state=${a.state}`);
    expect(denied.status).toBe(403);
    expect((await json(denied)).error?.code).toBe("HOOKYARD_ERR_OAUTH_DENIED");

    const wrongSecret = await startLoginApp(fake, undefined, { clientSecret: "not-the-secret" });
    const b = new Browser(wrongSecret.base);
    const res = await logIn(b, fake, "alice");
    expect(res.status).toBe(502);
    const body = await res.text();
    expect(JSON.parse(body)).toMatchObject({ error: { code: "HOOKYARD_ERR_OAUTH_EXCHANGE_FAILED" } });
    expect(body).not.toContain("not-the-secret");
    expect(b.cookie("hookyard_session")).toBeUndefined();
  });

  it("refuses return_to values that leave the site", async () => {
    for (const target of ["//evil.com", "https://evil.com", "/\\evil.com", "\\\\evil.com", "/\\/evil.com", "javascript:alert(1)", "/ok\r\nSet-Cookie: x=1", "evil.com"]) {
      const res = await browser.navigate(`/auth/github/login?return_to=${encodeURIComponent(target)}`);
      expect([target, res.status, (await json(res)).error?.code]).toEqual([target, 400, "HOOKYARD_ERR_OAUTH_RETURN_TO_INVALID"]);
      expect(res.headers.get("location")).toBeNull();
      const out = await browser.fetch(`/auth/github/logout?return_to=${encodeURIComponent(target)}`, { method: "POST" });
      expect(out.status).toBe(400);
    }
    expect(browser.cookie("hookyard_login")).toBeUndefined();
  });

  it("uses __Secure-/__Host- cookies with Secure when the site is not localhost", async () => {
    const secure = await startLoginApp(fake, undefined, { publicUrl: "https://app.example.com" });
    const res = await fetch(`${secure.base}/auth/github/login`, { redirect: "manual" });
    expect(new URL(res.headers.get("location") ?? "").searchParams.get("redirect_uri")).toBe("https://app.example.com/auth/github/callback");
    expect(res.headers.getSetCookie()[0]).toMatch(/^__Secure-hookyard_login=v1\.[\w-]+; Path=\/auth\/github; Max-Age=600; HttpOnly; Secure; SameSite=Lax$/);
  });
});

describe("sessions", () => {
  it("refuses a tampered cookie, a cookie sealed for another purpose or with another secret, and clears it", async () => {
    await logIn(browser, fake, "alice");
    const good = browser.cookie("hookyard_session") as string;
    const flipped = `${good.slice(0, 20)}${good[20] === "A" ? "B" : "A"}${good.slice(21)}`;
    browser.setCookie("hookyard_session", flipped);
    const res = await browser.fetch("/auth/github/user");
    expect(res.status).toBe(401);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect((await json(res)).error?.code).toBe("HOOKYARD_ERR_OAUTH_SESSION_INVALID");
    expect(browser.cookie("hookyard_session")).toBeUndefined();
    expect((await json(await browser.fetch("/auth/github/user"))).error?.code).toBe("HOOKYARD_ERR_OAUTH_LOGIN_REQUIRED");

    // a pending-login cookie is sealed too, but for another purpose: it does not open as a session
    await beginLogin(browser, fake);
    browser.put("hookyard_session", browser.cookie("hookyard_login") as string);
    expect((await json(await browser.fetch("/auth/github/user"))).error?.code).toBe("HOOKYARD_ERR_OAUTH_SESSION_INVALID");

    // a genuine session of another app (another secret) does not open here
    const other = await startLoginApp(fake);
    const there = new Browser(other.base);
    await logIn(there, fake, "alice");
    browser.put("hookyard_session", there.cookie("hookyard_session") as string);
    expect((await json(await browser.fetch("/auth/github/user"))).error?.code).toBe("HOOKYARD_ERR_OAUTH_SESSION_INVALID");
  });

  it("refreshes the 8-hour token when it expires, once for concurrent requests", async () => {
    await logIn(browser, fake, "alice");
    const before = browser.cookie("hookyard_session");
    expect(tokenRequests()).toBe(1);
    fake.clock.advance(8 * 3600_000 + 60_000); // the token is dead at GitHub now
    const [a, b] = await Promise.all([browser.fetch("/me"), browser.fetch("/me")]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await a.json()).toEqual({ login: "alice" });
    expect(tokenRequests()).toBe(2); // one refresh, shared
    expect(browser.cookie("hookyard_session")).not.toBe(before);
    expect(a.headers.getSetCookie()[0]).toMatch(/^hookyard_session=v1\./);
    // the new cookie carries the new token: no further refresh
    expect((await browser.fetch("/me")).status).toBe(200);
    expect(tokenRequests()).toBe(2);
  });

  it("ends a session whose refresh token has expired", async () => {
    const long = await startLoginApp(fake, undefined, { sessionTtl: "365d" });
    const b = new Browser(long.base);
    await logIn(b, fake, "alice");
    fake.clock.advance(185 * 86_400_000); // past the 184-day refresh token
    const res = await b.fetch("/auth/github/user");
    expect(res.status).toBe(401);
    expect((await json(res)).error?.code).toBe("HOOKYARD_ERR_OAUTH_SESSION_EXPIRED");
  });

  it("ends the user's sessions when they revoke the App's authorization (github_app_authorization.revoked)", async () => {
    await logIn(browser, fake, "alice");
    const bob = new Browser(started.base);
    await logIn(bob, fake, "bob");
    const handled = nextOutcome(started.app, (t) => t.name === "hookyard:oauth-revoked");
    await fake.revokeAuthorization("alice");
    expect((await handled).kind).toBe("complete");

    const res = await browser.fetch("/auth/github/user");
    expect(res.status).toBe(401);
    expect((await json(res)).error?.code).toBe("HOOKYARD_ERR_OAUTH_SESSION_REVOKED");
    expect(browser.cookie("hookyard_session")).toBeUndefined();
    expect((await bob.fetch("/auth/github/user")).status).toBe(200);
    // logging in again (authorizing anew) works
    await logIn(browser, fake, "alice");
    expect((await json(await browser.fetch("/auth/github/user"))).login).toBe("alice");
  });

  it("logs out: the token is revoked on GitHub and the cookie cleared", async () => {
    await logIn(browser, fake, "alice");
    const res = await browser.fetch("/auth/github/logout?return_to=/bye", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/bye");
    expect(browser.cookie("hookyard_session")).toBeUndefined();
    expect(fake.requests.filter((r) => r.method === "DELETE" && r.path === `/applications/${fake.clientId}/token`).map((r) => r.status)).toEqual([204]);
    expect((await json(await browser.fetch("/auth/github/user"))).error?.code).toBe("HOOKYARD_ERR_OAUTH_LOGIN_REQUIRED");
  });
});
