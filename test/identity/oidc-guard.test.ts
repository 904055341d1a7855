import { afterAll, beforeAll, expect, it } from "vitest";
import { requireActionsToken } from "../../src/identity/oidc/index.js";
import { startApp, stopApps, type StartedApp } from "../support/app.js";
import { AUDIENCE, REPO, startIssuer, type TestIssuer } from "./support/issuer.js";

let issuer: TestIssuer;
let started: StartedApp;

beforeAll(async () => {
  issuer = await startIssuer();
  started = await startApp((app) => {
    const ci = requireActionsToken({ audience: AUDIENCE, issuer: issuer.url, policy: { repositoryIds: [REPO.id], refs: ["refs/heads/main"] } });
    app.route((http) => {
      http.post("/deploy", { preHandler: ci }, async (req) => ({ repository: req.actionsToken?.repository, sha: req.actionsToken?.sha, main: req.actionsToken?.isDefaultBranch() }));
    });
  });
});

afterAll(async () => {
  await stopApps();
  await issuer.close();
});

const post = (token?: string) => fetch(`${started.base}/deploy`, { method: "POST", headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

it("admits a verified token that meets the policy and hands the route its claims", async () => {
  const res = await post(await issuer.mint());
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ repository: REPO.name, sha: "6113728f27ae82c7b1a177c8d03f9e96e0adf246", main: true });
});

it("answers 401 with the reason (and WWW-Authenticate) for a missing or bad token, 403 for a refused one, never echoing the token", async () => {
  const missing = await post();
  expect(missing.status).toBe(401);
  expect(missing.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
  expect(await missing.json()).toMatchObject({ error: { code: "HOOKYARD_ERR_OIDC_TOKEN_MISSING" } });

  const now = Math.floor(Date.now() / 1000);
  const expired = await issuer.mint({ iat: now - 900, nbf: now - 900, exp: now - 300 });
  const e = await post(expired);
  const text = await e.text();
  expect(e.status).toBe(401);
  expect(JSON.parse(text)).toMatchObject({ error: { code: "HOOKYARD_ERR_OIDC_EXPIRED" } });
  expect(text).not.toContain(expired.split(".")[1]);

  const branch = await post(await issuer.mint({ ref: "refs/heads/feature" }));
  expect(branch.status).toBe(403);
  expect(branch.headers.get("www-authenticate")).toBeNull();
  expect(await branch.json()).toMatchObject({ error: { code: "HOOKYARD_ERR_OIDC_POLICY_REF" } });
});

it("refuses an empty policy when the guard is set up", () => {
  expect(() => requireActionsToken({ audience: AUDIENCE, policy: {} })).toThrow(expect.objectContaining({ code: "HOOKYARD_ERR_OIDC_POLICY_EMPTY" }));
});
