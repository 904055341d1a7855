import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import { RequestError } from "@octokit/request-error";
import { SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { appOctokit, cleanup, Octokit, seeded, silentLog, startFake } from "./support.js";

afterEach(cleanup);

/** A JWT signed with `pem` carrying exactly the given claims. */
async function jwt(pem: string, claims: { iss: number | string; iat: number; exp: number }): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: "RS256", typ: "JWT" }).setIssuer(String(claims.iss)).setIssuedAt(claims.iat).setExpirationTime(claims.exp).sign(createPrivateKey(pem));
}

/** `GET /app` with a hand-made bearer token; the status and message. */
async function getApp(url: string, bearer: string): Promise<{ status: number; message?: string }> {
  const octokit = new Octokit({ baseUrl: url, log: silentLog });
  try {
    const res = await octokit.request("GET /app", { headers: { authorization: `bearer ${bearer}` } });
    return { status: res.status };
  } catch (err) {
    if (!(err instanceof RequestError)) throw err;
    return { status: err.status, message: (err.response?.data as { message?: string } | undefined)?.message };
  }
}

const otherKey = () => generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();

describe("fake GitHub: App JWT", () => {
  it("accepts a JWT from @octokit/auth-app and answers GET /app as an `integration`", async () => {
    const fake = await startFake({ name: "Widget Bot" });
    const { data, status, headers } = await appOctokit(fake).rest.apps.getAuthenticated();
    expect(status).toBe(200);
    expect(data).toMatchObject({ id: fake.appId, slug: "widget-bot", name: "Widget Bot", client_id: fake.clientId, installations_count: 0 });
    expect(typeof data?.node_id).toBe("string");
    expect(headers["x-github-request-id"]).toMatch(/^[0-9A-F:]+$/);
    expect(fake.requests.at(-1)).toMatchObject({ method: "GET", path: "/app", status: 200, auth: "app", authenticated: true, appId: fake.appId });
  });

  it("rejects a JWT signed with another key", async () => {
    const fake = await startFake();
    const err = await appOctokit(fake, undefined, { privateKey: otherKey() }).rest.apps.getAuthenticated().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestError);
    expect((err as RequestError).status).toBe(401);
    expect((err as RequestError).response?.data).toEqual({ message: "A JSON web token could not be decoded", documentation_url: "https://docs.github.com/rest", status: "401" });
  });

  it("checks iat/exp against its own clock: expired, too long, issued in the future; 600 s and a client id as iss pass", async () => {
    const fake = await startFake();
    const now = Math.floor(fake.clock.now() / 1000);
    const sign = (iat: number, exp: number, iss: number | string = fake.appId) => jwt(fake.privateKey, { iss, iat, exp });
    expect(await getApp(fake.url, await sign(now - 700, now - 100))).toEqual({
      status: 401,
      message: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    });
    expect(await getApp(fake.url, await sign(now - 30, now + 571))).toEqual({ status: 401, message: "'Expiration time' claim ('exp') is too far in the future" });
    expect(await getApp(fake.url, await sign(now + 120, now + 600))).toEqual({
      status: 401,
      message: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
    });
    expect(await getApp(fake.url, await sign(now - 30, now + 570))).toEqual({ status: 200 });
    expect(await getApp(fake.url, await sign(now - 30, now + 570, fake.clientId))).toEqual({ status: 200 });
    expect(await getApp(fake.url, await sign(now - 30, now + 570, 999))).toEqual({ status: 404, message: "Integration not found" });
  });

  it("expires a JWT when the fake's clock moves past exp", async () => {
    const fake = await startFake();
    const now = Math.floor(fake.clock.now() / 1000);
    const token = await jwt(fake.privateKey, { iss: fake.appId, iat: now - 30, exp: now + 570 });
    expect((await getApp(fake.url, token)).status).toBe(200);
    fake.clock.advance(10 * 60_000);
    expect((await getApp(fake.url, token)).status).toBe(401);
  });

  it("rejects an installation token on an App route", async () => {
    const { fake, octokit } = await seeded();
    await octokit.rest.repos.get({ owner: "acme", repo: "widgets" });
    const token = fake.tokensIssued[0]?.token ?? "";
    expect(await getApp(fake.url, token)).toEqual({ status: 401, message: "A JSON web token could not be decoded" });
  });

  it("runs clockSkewMs from the caller's clock, so @octokit/auth-app's skew correction kicks in", async () => {
    const fake = await startFake({ clockSkewMs: -5 * 60_000 });
    const res = await appOctokit(fake).rest.apps.getAuthenticated();
    expect(res.status).toBe(200);
    expect(Date.now() - Date.parse(res.headers.date ?? "")).toBeGreaterThan(4 * 60_000);
    expect(fake.requests.filter((r) => r.path === "/app").map((r) => r.status)).toEqual([401, 200]);
  });
});

describe("fake GitHub: App routes", () => {
  it("lists and finds installations by id, repository, org and user", async () => {
    const fake = await startFake();
    fake.addRepo({ owner: "acme", name: "widgets" });
    const org = fake.addInstallation({ account: "acme" });
    const user = fake.addInstallation({ account: { login: "octocat", type: "User" }, repositories: ["octocat/dotfiles"] });
    const octokit = appOctokit(fake);
    const list = await octokit.paginate(octokit.rest.apps.listInstallations, { per_page: 1 });
    expect(list.map((i) => i.id)).toEqual([org.id, user.id]);
    expect(list[1]).toMatchObject({ account: { login: "octocat", type: "User" }, repository_selection: "selected", app_id: fake.appId, app_slug: fake.slug });
    expect((await octokit.rest.apps.getInstallation({ installation_id: org.id })).data.id).toBe(org.id);
    expect((await octokit.rest.apps.getRepoInstallation({ owner: "acme", repo: "widgets" })).data.id).toBe(org.id);
    expect((await octokit.rest.apps.getOrgInstallation({ org: "acme" })).data.id).toBe(org.id);
    expect((await octokit.rest.apps.getUserInstallation({ username: "octocat" })).data.id).toBe(user.id);
    await expect(octokit.rest.apps.getOrgInstallation({ org: "octocat" })).rejects.toMatchObject({ status: 404 });
    await expect(octokit.rest.apps.getRepoInstallation({ owner: "nobody", repo: "x" })).rejects.toMatchObject({ status: 404 });
  });

  it("converts a manifest code into a new App whose JWTs it then accepts; the code works once", async () => {
    const fake = await startFake();
    const code = fake.createManifestCode({ name: "My Bot", url: "https://example.com", hook_attributes: { url: "https://example.com/hook" }, default_events: ["issues"] });
    const anonymous = new Octokit({ baseUrl: fake.url, log: silentLog });
    const { data, status } = await anonymous.rest.apps.createFromManifest({ code });
    expect(status).toBe(201);
    expect(data).toMatchObject({ slug: "my-bot", name: "My Bot", events: ["issues"] });
    expect(data.id).not.toBe(fake.appId);
    expect(data.client_id).toMatch(/^Iv23/);
    expect(data.client_secret).toMatch(/^[0-9a-f]{40}$/);
    expect(data.webhook_secret).toMatch(/^[0-9a-f]{40}$/);
    expect(data.pem).toContain("BEGIN RSA PRIVATE KEY");
    const created = await appOctokit(fake, undefined, { appId: data.id, privateKey: data.pem }).rest.apps.getAuthenticated();
    expect(created.data).toMatchObject({ id: data.id, slug: "my-bot" });
    await expect(anonymous.rest.apps.createFromManifest({ code })).rejects.toMatchObject({ status: 404 });
  });
});
