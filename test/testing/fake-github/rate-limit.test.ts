import { createAppAuth } from "@octokit/auth-app";
import { Octokit as Core } from "@octokit/core";
import { restEndpointMethods } from "@octokit/plugin-rest-endpoint-methods";
import { throttling } from "@octokit/plugin-throttling";
import { RequestError } from "@octokit/request-error";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, seeded, silentLog } from "./support.js";

afterEach(cleanup);

const repo = { owner: "acme", repo: "widgets" };

describe("fake GitHub: rate limits", () => {
  it("puts x-ratelimit-* on every authenticated answer, per installation, and GET /rate_limit does not count", async () => {
    const t0 = Date.now(); // a frozen clock (near the real one, so auth-app's JWTs stay valid)
    const { fake, octokit, installation } = await seeded({ now: () => t0 });
    const first = await octokit.rest.repos.get(repo);
    expect(first.headers).toMatchObject({ "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4999", "x-ratelimit-used": "1", "x-ratelimit-resource": "core" });
    expect(Number(first.headers["x-ratelimit-reset"])).toBe(Math.ceil(t0 / 1000) + 3600);
    const second = await octokit.rest.issues.listForRepo(repo);
    expect(second.headers["x-ratelimit-remaining"]).toBe("4998");
    const overview = await octokit.rest.rateLimit.get();
    expect(overview.data.resources.core).toMatchObject({ limit: 5000, remaining: 4998, used: 2 });
    expect(overview.data.rate.remaining).toBe(4998);
    expect((await octokit.rest.repos.get(repo)).headers["x-ratelimit-remaining"]).toBe("4997");
    expect(fake.requests.find((r) => r.path === "/rate_limit")).toMatchObject({ installationId: installation.id, status: 200 });
  });

  it("answers 403 with GitHub's message once the budget is spent, until the window resets by the fake's clock", async () => {
    const { fake, octokit, installation } = await seeded({ rateLimit: 2 });
    await octokit.rest.repos.get(repo);
    const last = await octokit.rest.repos.get(repo);
    expect(last.headers["x-ratelimit-remaining"]).toBe("0");
    const err = await octokit.rest.repos.get(repo).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestError);
    const e = err as RequestError;
    expect(e.status).toBe(403);
    expect(e.response?.headers).toMatchObject({ "x-ratelimit-remaining": "0", "x-ratelimit-limit": "2", "x-ratelimit-used": "2" });
    expect((e.response?.data as { message: string }).message).toMatch(
      new RegExp(`^API rate limit exceeded for installation ID ${installation.id}\\. If you reach out to GitHub Support for help, please include the request ID \\S+ and timestamp .+ UTC\\.$`),
    );
    expect(e.response?.data).toMatchObject({ documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api", status: "403" });
    fake.setRateLimit({ installationId: installation.id, remaining: 0, resetAt: fake.clock.now() + 60_000 });
    await expect(octokit.rest.repos.get(repo)).rejects.toMatchObject({ status: 403 });
    fake.clock.advance(60_000);
    const after = await octokit.rest.repos.get(repo);
    expect(after.headers).toMatchObject({ "x-ratelimit-remaining": "1", "x-ratelimit-used": "1" });
  });

  it("lets a global override apply to every caller", async () => {
    const { fake, octokit } = await seeded();
    fake.setRateLimit({ remaining: 1 });
    expect((await octokit.rest.repos.get(repo)).headers["x-ratelimit-remaining"]).toBe("0");
    await expect(octokit.rest.repos.get(repo)).rejects.toMatchObject({ status: 403 });
  });

  it("triggers secondary limits (403 and 429 with retry-after) that @octokit/plugin-throttling recognises", async () => {
    const { fake, installation } = await seeded();
    const seen: string[] = [];
    const Throttled = Core.plugin(restEndpointMethods, throttling);
    const octokit = new Throttled({
      authStrategy: createAppAuth,
      auth: { appId: fake.appId, privateKey: fake.privateKey, installationId: installation.id },
      baseUrl: fake.url,
      log: silentLog,
      throttle: {
        retryAfterBaseValue: 0, // retry at once: the test moves the fake's clock instead of waiting
        onSecondaryRateLimit: (retryAfter, _options, _octokit, retryCount) => {
          seen.push(`secondary ${retryAfter}`);
          return retryCount === 0;
        },
        onRateLimit: (retryAfter, _options, _octokit, retryCount) => {
          seen.push(`primary ${retryAfter > 0}`);
          fake.clock.advance(120_000);
          return retryCount === 0;
        },
      },
    });
    await octokit.rest.repos.get(repo); // fetch the token first, so the limits below hit repo requests
    fake.triggerSecondaryRateLimit({ installationId: installation.id, retryAfterSeconds: 30 });
    expect((await octokit.rest.repos.get(repo)).status).toBe(200);
    fake.triggerSecondaryRateLimit({ status: 429, retryAfterSeconds: 7, requests: 2 });
    const err = (await octokit.rest.repos.get(repo).catch((e: unknown) => e)) as RequestError;
    expect(err.status).toBe(429);
    expect(err.response?.headers["retry-after"]).toBe("7");
    expect((err.response?.data as { message: string }).message).toMatch(/^You have exceeded a secondary rate limit\./);
    fake.setRateLimit({ installationId: installation.id, remaining: 0, resetAt: fake.clock.now() + 60_000 });
    expect((await octokit.rest.repos.get(repo)).status).toBe(200);
    expect(seen).toEqual(["secondary 30", "secondary 7", "secondary 7", "primary true"]);
    expect(fake.requests.filter((r) => r.path === "/repos/acme/widgets").map((r) => r.status)).toEqual([200, 403, 200, 429, 429, 403, 200]);
  });
});
