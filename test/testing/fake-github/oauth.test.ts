import { createHash, randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, Octokit, seeded, silentLog, startFake, tokenOctokit } from "./support.js";
import type { FakeGitHub } from "../../../src/testing/index.js";

afterEach(cleanup);

interface TokenAnswer {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  refresh_token_expires_in?: number;
  token_type?: string;
  scope?: string;
  error?: string;
  error_description?: string;
  error_uri?: string;
}

/** POST /login/oauth/access_token through Octokit, as a server-side OAuth client would (JSON answer). */
async function exchange(fake: FakeGitHub, params: Record<string, string>): Promise<{ status: number; data: TokenAnswer; date: string | undefined }> {
  const octokit = new Octokit({ baseUrl: fake.url, log: silentLog });
  const res = await octokit.request("POST /login/oauth/access_token", { ...params, headers: { accept: "application/json" } });
  return { status: res.status, data: res.data as TokenAnswer, date: res.headers.date };
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

describe("fake GitHub: OAuth web flow", () => {
  it("exchanges a code with the right PKCE verifier for a user token that GET /user accepts", async () => {
    const fake = await startFake();
    fake.addUser({ login: "octocat", name: "Mona", email: "mona@example.com" });
    const { verifier, challenge } = pkce();
    const code = fake.createOAuthCode({ login: "octocat", codeChallenge: challenge, redirectUri: "http://localhost:3000/callback" });
    const { status, data } = await exchange(fake, {
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
      code,
      redirect_uri: "http://localhost:3000/callback",
      code_verifier: verifier,
    });
    expect(status).toBe(200);
    expect(data).toMatchObject({ expires_in: 28800, refresh_token_expires_in: 15897600, token_type: "bearer", scope: "" });
    expect(data.access_token).toMatch(/^ghu_/);
    expect(data.refresh_token).toMatch(/^ghr_/);
    const me = await tokenOctokit(fake, data.access_token ?? "").rest.users.getAuthenticated();
    expect(me.data).toMatchObject({ login: "octocat", type: "User", name: "Mona", email: "mona@example.com" });
    expect(fake.requests.at(-1)).toMatchObject({ path: "/user", auth: "user", authenticated: true });
  });

  it("answers bad_verification_code (200) for a wrong or missing verifier, and the code is then spent", async () => {
    const fake = await startFake();
    const { verifier, challenge } = pkce();
    const base = { client_id: fake.clientId, client_secret: fake.clientSecret };
    const code = fake.createOAuthCode({ login: "octocat", codeChallenge: challenge });
    const wrong = await exchange(fake, { ...base, code, code_verifier: pkce().verifier });
    expect(wrong.status).toBe(200);
    expect(wrong.data).toEqual({
      error: "bad_verification_code",
      error_description: "The code passed is incorrect or expired.",
      error_uri: "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code",
    });
    expect((await exchange(fake, { ...base, code, code_verifier: verifier })).data.error).toBe("bad_verification_code");
    const missing = fake.createOAuthCode({ login: "octocat", codeChallenge: challenge });
    expect((await exchange(fake, { ...base, code: missing })).data.error).toBe("bad_verification_code");
    expect((await exchange(fake, { ...base, code: "nope" })).data.error).toBe("bad_verification_code");
  });

  it("checks client credentials and redirect_uri, answers form-encoded without Accept: json, and refreshes once per refresh token", async () => {
    const fake = await startFake();
    const base = { client_id: fake.clientId, client_secret: fake.clientSecret };
    expect((await exchange(fake, { ...base, client_secret: "wrong", code: fake.createOAuthCode({ login: "a" }) })).data.error).toBe("incorrect_client_credentials");
    const mismatch = fake.createOAuthCode({ login: "a", redirectUri: "http://localhost/cb" });
    expect((await exchange(fake, { ...base, code: mismatch, redirect_uri: "http://evil/cb" })).data.error).toBe("redirect_uri_mismatch");

    const form = await fetch(`${fake.url}/login/oauth/access_token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ...base, code: fake.createOAuthCode({ login: "a" }) }).toString(),
    });
    expect(form.headers.get("content-type")).toMatch(/^application\/x-www-form-urlencoded/);
    const answer = new URLSearchParams(await form.text());
    expect(answer.get("token_type")).toBe("bearer");
    const refreshToken = answer.get("refresh_token") ?? "";

    const refreshed = await exchange(fake, { ...base, grant_type: "refresh_token", refresh_token: refreshToken });
    expect(refreshed.data.access_token).toMatch(/^ghu_/);
    expect(refreshed.data.access_token).not.toBe(answer.get("access_token"));
    expect((await exchange(fake, { ...base, grant_type: "refresh_token", refresh_token: refreshToken })).data.error).toBe("bad_refresh_token");
  });

  it("expires user tokens after 8 hours by the fake's clock; an installation token may not call GET /user", async () => {
    const t0 = Date.now();
    const { fake, octokit } = await seeded({ now: () => t0 });
    const { data } = await exchange(fake, { client_id: fake.clientId, client_secret: fake.clientSecret, code: fake.createOAuthCode({ login: "octocat" }) });
    const user = tokenOctokit(fake, data.access_token ?? "");
    expect((await user.rest.users.getAuthenticated()).status).toBe(200);
    await expect(octokit.rest.users.getAuthenticated()).rejects.toMatchObject({ status: 403, response: { data: { message: "Resource not accessible by integration" } } });
    fake.clock.advance(8 * 3600_000);
    await expect(user.rest.users.getAuthenticated()).rejects.toMatchObject({ status: 401, response: { data: { message: "Bad credentials" } } });
  });
});
