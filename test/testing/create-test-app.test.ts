/** createTestApp(): payloads seeded into the fake, a clock that runs deferred and retrying tasks, GitHub's 4xx not retried. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, findExample, type TestApp } from "../../src/testing/index.js";

let t: TestApp;
const seenLabels: string[][] = [];
let flaky = 0;

beforeAll(async () => {
  t = await createTestApp((app) => {
    app.on("pull_request.opened", async (ctx) => {
      const pr = (await ctx.octokit.rest.pulls.get(ctx.pullRequest())).data;
      await ctx.octokit.rest.pulls.createReview(ctx.pullRequest({ event: "APPROVE" as const }));
      await ctx.octokit.rest.pulls.merge(ctx.pullRequest({ sha: pr.head.sha }));
    });
    app.on("issue_comment.created", async (ctx) => {
      const issue = (await ctx.octokit.rest.issues.get(ctx.issue())).data;
      seenLabels.push(ctx.payload.issue.labels.map((l) => l.name), issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))));
    });
    app.on("issues.opened", async (ctx) => {
      await ctx.octokit.rest.issues.createComment(ctx.issue({ body: "hi" }));
    });
    app.on("issues.assigned", async () => {
      if (flaky++ === 0) throw new Error("flaky once");
    }, { backoff: { type: "fixed", delay: 600_000, jitter: "none" } });
    app.on("issues.reopened", async (ctx) => {
      await ctx.octokit.rest.issues.get(ctx.repo({ issue_number: 999 }));
    });
    app.on("issues.edited", async (ctx) => {
      try {
        await ctx.octokit.rest.issues.get(ctx.repo({ issue_number: 999 }));
      } catch (err) {
        if ((err as { status?: number }).status !== 404) throw err;
        await ctx.octokit.rest.issues.createComment(ctx.issue({ body: "no #999" }));
      }
    });
  }, { webhooks: false });
});
afterAll(() => t.close());

describe("createTestApp(): t.receive seeds what the payload names", () => {
  it("seeds the pull request, so the handler can get, review and merge it (in git)", async () => {
    const { payload } = await t.receive("pull_request.opened");
    await t.settled();
    const number = (payload.pull_request as { number: number }).number;
    expect(payload.number).toBe(number);
    const [pr] = t.fake.state.pulls("acme/widgets");
    expect(pr).toMatchObject({ number, merged: true, state: "closed", user: { login: "Codertocat" } });
    expect(t.fake.state.reviews("acme/widgets", number).map((r) => r.state)).toEqual(["APPROVED"]);
    expect(t.fake.state.commit("acme/widgets", "main")?.parents).toEqual([pr?.base.sha, pr?.head.sha]);
    t.fake.requests.expect({ route: "PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", body: { sha: pr?.head.sha }, status: 200 }, { times: 1 });
  });

  it("carries no labels of the example payload: only the test's, or a labeled event's label", async () => {
    const example = await t.receive("issue_comment.created"); // the example's issue has the label "bug"
    await t.receive("issue_comment.created", { issue: { labels: [{ name: "p1" }] } });
    await t.settled();
    expect(seenLabels).toEqual([[], [], ["p1"], ["p1"]]);
    expect((example.payload.issue as { labels: unknown[] }).labels).toEqual([]);
    const labeled = await t.receive("issues.labeled", { label: { name: "triage" } });
    const n = (labeled.payload.issue as { number: number }).number;
    expect(t.fake.state.issue("acme/widgets", n)?.labels.map((l) => (typeof l === "string" ? l : l.name))).toEqual(["triage"]);
    await t.settled();
  });
});

describe("createTestApp(): the clock", () => {
  it("runs a task deferred by a spent rate limit at its reset: settled() waits instead of rejecting", async () => {
    const resetAt = t.clock.now() + 30 * 60_000;
    t.fake.setRateLimit({ installationId: t.installation.id, remaining: 0, resetAt });
    const { payload } = await t.receive("issues.opened");
    const tasks = await t.settled();
    const n = (payload.issue as { number: number }).number;
    expect(t.fake.state.comments("acme/widgets", n).map((c) => c.body)).toEqual(["hi"]);
    expect(tasks.at(-1)).toMatchObject({ event: "issues", action: "opened", state: "completed", attempts: 1 });
    expect(t.clock.now()).toBeGreaterThanOrEqual(resetAt);
    expect(t.fake.requests.findAll({ route: "POST /repos/{owner}/{repo}/issues/{issue_number}/comments", status: 403 })).toHaveLength(1);
  });

  it("runs a retry when t.clock.advance passes its time, or at once with settled({ retries: true })", async () => {
    await t.receive("issues.assigned");
    await expect(t.settled()).rejects.toThrow(/flaky once/);
    const waiting = (await t.app.store.listTasks({ state: "retrying" })).items;
    expect(waiting.map((x) => x.attempts)).toEqual([1]);
    t.clock.advance(599_000);
    expect((await t.settled()).at(-1)?.state).toBe("retrying"); // not due yet
    t.clock.advance(1_000);
    expect((await t.settled()).at(-1)).toMatchObject({ state: "completed", attempts: 2 });

    flaky = 0;
    await t.receive("issues.assigned");
    const before = t.clock.now();
    expect((await t.settled({ retries: true })).at(-1)).toMatchObject({ state: "completed", attempts: 2 });
    expect(t.clock.now() - before).toBeGreaterThanOrEqual(600_000);
  });
});

describe("GitHub's 4xx answers", () => {
  it("fail the task without retries, keeping err.status for handlers that check it", async () => {
    await t.receive("issues.reopened");
    const err = await t.settled().then(() => undefined, (e: unknown) => e as AggregateError);
    expect(err?.errors[0]).toMatchObject({ name: "GitHubRequestRejected", code: "HOOKYARD_ERR_GITHUB_REQUEST_REJECTED", status: 404 });
    const [failed] = (await t.app.store.listTasks({ state: "failed" })).items;
    expect(failed).toMatchObject({ event: "issues", action: "reopened", attempts: 1, lastError: { code: "HOOKYARD_ERR_GITHUB_REQUEST_REJECTED" } });

    const { payload } = await t.receive("issues.edited");
    await t.settled();
    expect(t.fake.state.comments("acme/widgets", (payload.issue as { number: number }).number).map((c) => c.body)).toEqual(["no #999"]);
  });

  it("retry when the app asks for it (github.retryClientErrors)", async () => {
    const r = await createTestApp((app) => {
      app.on("issues.reopened", async (ctx) => {
        await ctx.octokit.rest.issues.get(ctx.repo({ issue_number: 999 }));
      });
    }, { webhooks: false, hookyard: { github: { retryClientErrors: true } } });
    try {
      await r.receive("issues.reopened");
      await expect(r.settled()).rejects.toThrow(/Not Found/);
      expect((await r.app.store.listTasks({ state: "retrying" })).items).toHaveLength(1);
    } finally {
      await r.close();
    }
  });
});

describe("example payloads", () => {
  it("an event or action without an example is HOOKYARD_ERR_TESTING_NO_EXAMPLE", () => {
    expect(() => findExample("issues.no_such_action")).toThrow(expect.objectContaining({ code: "HOOKYARD_ERR_TESTING_NO_EXAMPLE" }));
    expect(findExample("issues.labeled").action).toBe("labeled");
  });
});
