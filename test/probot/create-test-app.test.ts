/** createTestApp(): a user's app tested against a fresh fake GitHub, without mocking HTTP. */
import { afterEach, describe, expect, it } from "vitest";
import { loadAppModule } from "../../src/cli/load-app.js";
import { createTestApp, type TestApp } from "../../src/testing/index.js";
import { probotApp } from "./support.js";

const apps: TestApp[] = [];
afterEach(async () => {
  for (const t of apps.splice(0)) await t.close();
});
const track = (t: TestApp) => (apps.push(t), t);

describe("createTestApp()", () => {
  it("receives a real example payload about the test repository; settled() waits for the handlers and what the fake sent back", async () => {
    const t = track(await createTestApp(await loadAppModule(probotApp("welcome"))));
    const { payload, status } = await t.receive("issues.opened", { issue: { title: "Crash on start" }, sender: { login: "octocat", type: "User" } });
    expect(status).toBe("accepted");
    expect(payload).toMatchObject({ repository: { full_name: "acme/widgets" }, installation: { id: t.installation.id }, issue: { number: 1, title: "Crash on start" } });
    const tasks = await t.settled();
    expect(t.fake.state.comments("acme/widgets", 1).map((c) => c.body)).toEqual(['Thanks for opening "Crash on start", @octocat! A maintainer will look at it soon.']);
    // the app's comment and label came back from the fake as deliveries, and were handled too
    expect(tasks.map((task) => `${task.event}.${task.action} ${task.state}`)).toEqual(["issues.opened completed", "issue_comment.created completed"]);
    expect(t.fake.deliveries.map((d) => `${d.event}.${d.action} ${d.status_code}`)).toEqual(["issue_comment.created 202", "issues.labeled 202"]);
  });

  it("seeds .github files for ctx.config(); settled() rejects with the handlers' errors once", async () => {
    const t = track(await createTestApp((app) => {
      app.on("issues.opened", async (ctx) => {
        const config = await ctx.config("greeting.yml", { greeting: "Hello" });
        if (config.greeting === "fail") throw new Error("asked to fail");
        await ctx.octokit.rest.issues.createComment(ctx.issue({ body: config.greeting }));
      }, { retries: 0 });
    }, { files: { ".github/greeting.yml": "greeting: Bonjour\n" }, webhooks: false }));
    await t.receive("issues.opened");
    await t.settled();
    expect(t.fake.state.comments("acme/widgets", 1).map((c) => c.body)).toEqual(["Bonjour"]);

    t.fake.setFile("acme/widgets", ".github/greeting.yml", "greeting: fail\n");
    await t.receive("issues.opened");
    await expect(t.settled()).rejects.toThrow(/issues\.opened:anonymous: asked to fail/);
    const again = await t.settled(); // reported once
    expect(again.map((task) => task.state)).toEqual(["completed", "failed"]);
  });

  it("runs Probot apps unchanged: the labeler with context.config() and app.auth(), the router with addHandler and octokit.auth()", async () => {
    const labeler = track(await createTestApp(await loadAppModule(probotApp("autolabel.js")), {
      files: { ".github/autolabel.yml": "rules:\n  crash: bug\ncomment: Labelled by title\n" }, webhooks: false,
    }));
    await labeler.receive("issues.opened", { issue: { title: "Crash on start" }, sender: { login: "octocat", type: "User" } });
    await labeler.settled();
    expect(labeler.fake.state.issue("acme/widgets", 1)?.labels.map((l) => (typeof l === "string" ? l : l.name))).toEqual(["bug"]);
    expect(labeler.fake.state.comments("acme/widgets", 1).map((c) => c.body)).toEqual([`Labelled by title (bug)\n\n— ${labeler.fake.slug}, installed on 1 repositories`]);

    const router = track(await createTestApp(await loadAppModule(probotApp("router.mjs")), { webhooks: false }));
    expect(router.app.httpHandlers.list).toHaveLength(1);
    await router.receive("issues.opened", { sender: { login: "octocat", type: "User" } });
    await router.settled();
    expect(router.fake.state.comments("acme/widgets", 1).map((c) => c.body)).toEqual([expect.stringMatching(/^clone with a installation token of \d+ characters; app token type app$/)]);
  });

  it("runs the paginate + GraphQL app unchanged: pages through the issues, reads a configured GraphQL answer, comments", async () => {
    const t = track(await createTestApp(await loadAppModule(probotApp("issue-digest.js")), { webhooks: false }));
    for (const title of ["one", "two", "three", "four"]) t.fake.addIssue("acme/widgets", { title });
    t.fake.graphql.answer(/stargazerCount/, { repository: { stargazerCount: 42 } });
    await t.receive("issues.opened", { issue: { title: "five" }, sender: { login: "octocat", type: "User" } });
    await t.settled();
    // four seeded + the one t.receive seeded, listed two per page
    expect(t.fake.state.comments("acme/widgets", 5).map((c) => c.body)).toEqual(["5 open issues, 42 stars"]);
    expect(t.fake.graphql.queries.map((q) => q.variables)).toEqual([{ owner: "acme", repo: "widgets" }]);
    expect(t.fake.requests.findAll({ method: "GET", route: "/repos/{owner}/{repo}/issues" })).toHaveLength(3);
  });
});
