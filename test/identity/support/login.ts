import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import type { Hookyard, HookyardOptions } from "../../../src/app/index.js";
import type { FakeGitHub } from "../../../src/testing/index.js";
import { startApp, type StartedApp } from "../../support/app.js";
import type { Browser } from "./browser.js";

/** Starts a Hookyard (SQLite in a temp dir, loopback port) with GitHub login against the fake, on the fake's clock. */
export async function startLoginApp(fake: FakeGitHub, setup?: (app: Hookyard) => void, options: HookyardOptions = {}): Promise<StartedApp> {
  const started = await startApp(setup, {
    githubApiUrl: fake.url,
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    sessionSecret: randomBytes(32).toString("base64url"),
    webhookSecret: fake.webhookSecret,
    github: { now: () => fake.clock.now() },
    ...options,
  });
  fake.setWebhookUrl(started.url);
  return started;
}

/** What GitHub's authorize redirect carried. */
export interface Authorize {
  state: string;
  challenge: string;
  redirectUri: string;
  url: URL;
}

/** `GET /auth/github/login`: checks the redirect to GitHub and returns its parameters. */
export async function beginLogin(browser: Browser, fake: FakeGitHub, returnTo?: string): Promise<Authorize> {
  const res = await browser.navigate(`/auth/github/login${returnTo === undefined ? "" : `?return_to=${encodeURIComponent(returnTo)}`}`);
  expect(res.status).toBe(302);
  const url = new URL(res.headers.get("location") ?? "");
  expect(`${url.origin}${url.pathname}`).toBe(`${fake.url}/login/oauth/authorize`);
  expect(url.searchParams.get("client_id")).toBe(fake.clientId);
  expect(url.searchParams.get("code_challenge_method")).toBe("S256");
  return {
    state: url.searchParams.get("state") ?? "",
    challenge: url.searchParams.get("code_challenge") ?? "",
    redirectUri: url.searchParams.get("redirect_uri") ?? "",
    url,
  };
}

/** GitHub's side: the user approves, and the browser comes back to the callback with a code. */
export function callbackPath(fake: FakeGitHub, a: Authorize, login: string, overrides: { state?: string; challenge?: string } = {}): string {
  const code = fake.createOAuthCode({ login, codeChallenge: overrides.challenge ?? a.challenge, redirectUri: a.redirectUri });
  const cb = new URL(a.redirectUri);
  return `${cb.pathname}?code=${code}&state=${encodeURIComponent(overrides.state ?? a.state)}`;
}

/** The whole login of `login`; resolves with the callback's answer. */
export async function logIn(browser: Browser, fake: FakeGitHub, login: string, returnTo?: string): Promise<Response> {
  const a = await beginLogin(browser, fake, returnTo);
  return browser.navigate(callbackPath(fake, a, login));
}
