/**
 * Apps written for Probot run unchanged under a real `hookyard serve` process (the built CLI) whose
 * GitHub is the fake: people act through the fake's API, the fake sends real signed webhooks, the
 * handlers run as durable tasks and their effect is read back from the fake. The tests wait on the
 * fake (idle) and on the server's own task log lines, never on time.
 */
import { afterEach, describe, expect, it } from "vitest";
import { killServers } from "../fixtures/server.js";
import { removeTempDirs, tempDir } from "../support/store.js";
import { closeFakes, fakeGitHub, handled, lastDelivery, person, probotApp, pushPayload, serveOnFake } from "./support.js";

afterEach(async () => {
  await killServers();
  await closeFakes();
  removeTempDirs();
});

const labelsOf = (fake: Awaited<ReturnType<typeof fakeGitHub>>["fake"], n: number) => fake.state.issue("acme/widgets", n)?.labels.map((l) => (typeof l === "string" ? l : l.name));
const bodies = (fake: Awaited<ReturnType<typeof fakeGitHub>>["fake"], n: number) => fake.state.comments("acme/widgets", n).map((c) => c.body);

describe("hookyard serve <Probot app>", () => {
  it("CommonJS module.exports app (directory with package.json main), context.octokit.issues.*, context.isBot", { timeout: 60_000 }, async () => {
    const { fake } = await fakeGitHub();
    const server = await serveOnFake(probotApp("welcome"), fake, tempDir());
    expect(server.lines.some((l) => l.includes('"msg":"welcome app loaded"'))).toBe(true);
    const octocat = await person(fake, "octocat");

    await octocat.rest.issues.create({ owner: "acme", repo: "widgets", title: "Crash on start" });
    await fake.idle();
    const opened = lastDelivery(fake, "issues.opened");
    expect(opened.status_code).toBe(202);
    await handled(server, opened.guid, "issues.opened:anonymous");
    expect(bodies(fake, 1)).toEqual(['Thanks for opening "Crash on start", @octocat! A maintainer will look at it soon.']);
    expect(labelsOf(fake, 1)).toEqual(["new"]);

    // the app's own comment came back as a delivery from a bot: handled, and left alone
    await fake.idle();
    const own = lastDelivery(fake, "issue_comment.created", (p) => p.sender.type === "Bot");
    await handled(server, own.guid, "issue_comment.created:anonymous");

    // a person comments on the closed issue: the app answers
    await octocat.rest.issues.update({ owner: "acme", repo: "widgets", issue_number: 1, state: "closed" });
    await octocat.rest.issues.createComment({ owner: "acme", repo: "widgets", issue_number: 1, body: "Still broken." });
    await fake.idle();
    const comment = lastDelivery(fake, "issue_comment.created", (p) => p.sender.login === "octocat");
    await handled(server, comment.guid, "issue_comment.created:anonymous");
    expect(bodies(fake, 1).slice(1)).toEqual(["Still broken.", "This issue is closed; please open a new one."]);
  });

  it("ESM export default (app, { cwd }) app (.mjs), app.on([...]), context.octokit.rest.*, context.name and context.id", { timeout: 60_000 }, async () => {
    const { fake } = await fakeGitHub();
    const dir = tempDir();
    const server = await serveOnFake(probotApp("triage.mjs"), fake, dir);
    expect(server.lines.find((l) => l.includes("triage app loaded"))).toContain(`"cwd":"${dir}"`);
    const octocat = await person(fake, "octocat");

    await octocat.rest.issues.create({ owner: "acme", repo: "widgets", title: "Wrong total" });
    await fake.idle();
    await handled(server, lastDelivery(fake, "issues.opened").guid, "issues.opened+issues.reopened:anonymous");
    expect(labelsOf(fake, 1)).toEqual(["needs-triage"]);

    await octocat.rest.issues.addLabels({ owner: "acme", repo: "widgets", issue_number: 1, labels: ["bug"] });
    await fake.idle();
    const labeled = lastDelivery(fake, "issues.labeled", (p) => p.label?.name === "bug");
    await handled(server, labeled.guid, "issues.labeled:anonymous");
    expect(bodies(fake, 1)).toEqual([`Thanks for the report. Could you share the steps to reproduce it? (event issues, delivery ${labeled.guid})`]);
    expect(labelsOf(fake, 1)).toEqual(["bug"]);
    await handled(server, labeled.guid, "*:anonymous"); // app.onAny ran for it too
  });

  it("context.config() with _extends to the org's .github repository, app.auth() and app.auth(id); a push drops the cached file", { timeout: 60_000 }, async () => {
    const { fake, installation } = await fakeGitHub(
      { ".github/autolabel.yml": "_extends: .github\nrules:\n  crash: bug\n" },
      { ".github/autolabel.yml": "comment: Labelled automatically\nrules:\n  docs: documentation\n" },
    );
    const server = await serveOnFake(probotApp("autolabel.js"), fake, tempDir());
    const octocat = await person(fake, "octocat");

    await octocat.rest.issues.create({ owner: "acme", repo: "widgets", title: "Crash in the docs" });
    await fake.idle();
    await handled(server, lastDelivery(fake, "issues.opened").guid, "issues.opened:anonymous");
    expect(labelsOf(fake, 1)).toEqual(["documentation", "bug"]);
    expect(bodies(fake, 1)).toEqual(["Labelled automatically (documentation, bug)\n\n— hookyard-test-app, installed on 2 repositories"]);
    expect(fake.requests.find((r) => r.path === "/app")).toMatchObject({ auth: "app", status: 200 });

    // the config changes on main; the push (no handler for it) drops the cached file
    fake.setFile("acme/widgets", ".github/autolabel.yml", "_extends: .github\nrules:\n  crash: crash\n");
    await fake.sendWebhook("push", pushPayload([".github/autolabel.yml"]), { installationId: installation.id });
    await fake.idle();
    expect(lastDelivery(fake, "push").response.payload).toContain('"status":"ignored"');

    await octocat.rest.issues.create({ owner: "acme", repo: "widgets", title: "Another crash" });
    await fake.idle();
    await handled(server, lastDelivery(fake, "issues.opened").guid, "issues.opened:anonymous");
    expect(labelsOf(fake, 2)).toEqual(["crash"]);
    const reads = (repo: string) => fake.requests.filter((r) => decodeURIComponent(r.path) === `/repos/acme/${repo}/contents/.github/autolabel.yml`);
    // the repository's file was read again in full; the org file, unchanged, was revalidated (304)
    expect(reads("widgets").map((r) => [r.status, r.headers["if-none-match"] !== undefined])).toEqual([[200, false], [200, false]]);
    expect(reads(".github").map((r) => r.status)).toEqual([200, 304]);
  });
  it("the paginate + GraphQL app: context.octokit.paginate over several pages and context.octokit.graphql, from a real process", { timeout: 60_000 }, async () => {
    const { fake } = await fakeGitHub();
    for (const title of ["one", "two", "three"]) fake.addIssue("acme/widgets", { title });
    fake.graphql.answer(/stargazerCount/, { repository: { stargazerCount: 7 } });
    const server = await serveOnFake(probotApp("issue-digest.js"), fake, tempDir());
    const octocat = await person(fake, "octocat");
    const { data: issue } = await octocat.rest.issues.create({ owner: "acme", repo: "widgets", title: "four" });
    await fake.idle();
    await handled(server, lastDelivery(fake, "issues.opened").guid, "issues.opened:anonymous");
    expect(bodies(fake, issue.number)).toEqual(["4 open issues, 7 stars"]);
    expect(fake.graphql.queries).toHaveLength(1);
  });
});
