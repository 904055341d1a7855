import { afterAll, afterEach, beforeAll, expect, it, vi } from "vitest";
import { httpStatus } from "../../src/http/error-status.js";
import { verifyActionsToken, type ActionsTokenOptions } from "../../src/identity/oidc/index.js";
import { AUDIENCE, REPO, startIssuer, type TestIssuer } from "./support/issuer.js";

let issuer: TestIssuer;
const opts = (): ActionsTokenOptions => ({ audience: AUDIENCE, issuer: issuer.url, policy: { repositoryIds: [REPO.id] } });
const codeOf = (token: string) => verifyActionsToken(token, opts()).then(() => "accepted", (e: { code: string }) => e.code);

beforeAll(async () => {
  issuer = await startIssuer();
});
afterAll(async () => {
  await issuer.close();
});
afterEach(() => {
  vi.useRealTimers();
});

it("fetches the JWKS once for many verifications, and again on an unknown kid at most once per cooldown", async () => {
  // only Date is faked (jose's cooldown and the token times read it); timers and sockets stay real
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });

  const tokens = await Promise.all(Array.from({ length: 8 }, () => issuer.mint()));
  const concurrent = await Promise.all(tokens.slice(0, 4).map(codeOf));
  for (const t of tokens.slice(4)) expect(await codeOf(t)).toBe("accepted");
  expect(concurrent).toEqual(["accepted", "accepted", "accepted", "accepted"]);
  expect(issuer.hits).toEqual({ discovery: 1, jwks: 1 });

  // the issuer rotates in a new key: within the cooldown the set is not fetched again
  const rotated = await issuer.addKey(true);
  expect(await codeOf(await issuer.mint({}, { key: rotated }))).toBe("HOOKYARD_ERR_OIDC_KEY_UNKNOWN");
  expect(issuer.hits.jwks).toBe(1);

  // past the cooldown, the unknown kid triggers one re-fetch, which finds it
  vi.setSystemTime(Date.now() + 31_000);
  expect(await codeOf(await issuer.mint({}, { key: rotated }))).toBe("accepted");
  expect(issuer.hits.jwks).toBe(2);

  // a kid the issuer never publishes: one re-fetch per cooldown, however many tokens carry it
  const stray = await issuer.addKey(false);
  for (let i = 0; i < 5; i++) expect(await codeOf(await issuer.mint({}, { key: stray }))).toBe("HOOKYARD_ERR_OIDC_KEY_UNKNOWN");
  expect(issuer.hits.jwks).toBe(2);
  vi.setSystemTime(Date.now() + 31_000);
  for (let i = 0; i < 5; i++) expect(await codeOf(await issuer.mint({}, { key: stray }))).toBe("HOOKYARD_ERR_OIDC_KEY_UNKNOWN");
  expect(issuer.hits.jwks).toBe(3);
  // known keys never needed the network again
  expect(await codeOf(await issuer.mint())).toBe("accepted");
  expect(issuer.hits).toEqual({ discovery: 1, jwks: 3 });
});

it("reports an unreachable issuer as unavailable, and tries the discovery again on the next verification", async () => {
  const flaky = await startIssuer();
  const o: ActionsTokenOptions = { audience: AUDIENCE, issuer: flaky.url, policy: { repositoryIds: [REPO.id] } };
  const token = await flaky.mint();
  flaky.setDown(true);
  const first = await verifyActionsToken(token, o).then(() => "accepted", (e: { code: string }) => `${e.code} ${httpStatus(e.code)}`);
  expect(first).toBe("HOOKYARD_ERR_OIDC_JWKS_UNAVAILABLE 503");
  flaky.setDown(false);
  await expect(verifyActionsToken(token, o)).resolves.toMatchObject({ repository: REPO.name });
  expect(flaky.hits).toEqual({ discovery: 2, jwks: 1 });
  await flaky.close();
});
