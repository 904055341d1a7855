import { afterEach, describe, expect, it } from "vitest";
import { findExample } from "../../../src/testing/index.js";
import { appOctokit, cleanup, closedPortUrl, seeded, startReceiver } from "./support.js";

afterEach(cleanup);

const repo = { owner: "acme", repo: "widgets" };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("fake GitHub: webhooks", () => {
  it("sends a signed issues.labeled webhook to a real receiver that verifies it, and logs the delivery", async () => {
    const secret = "s3cret-for-the-test";
    const receiver = await startReceiver(secret);
    const { fake, octokit, installation } = await seeded({ webhookUrl: receiver.url, webhookSecret: secret });
    await octokit.rest.issues.create({ ...repo, title: "Please triage" });
    await octokit.rest.issues.addLabels({ ...repo, issue_number: 1, labels: ["triage"] });
    await fake.idle();

    // two sends in flight may arrive in either order, as on GitHub
    expect(receiver.received.map((r) => `${String(r.headers["x-github-event"])}.${String(r.payload.action)}`).sort()).toEqual(["issues.labeled", "issues.opened"]);
    const labeled = receiver.received.find((r) => r.payload.action === "labeled");
    expect(labeled?.signature).toBe("ok");
    expect(labeled?.headers).toMatchObject({
      "content-type": "application/json",
      "x-github-event": "issues",
      "x-github-hook-id": expect.stringMatching(/^\d+$/),
      "x-github-hook-installation-target-id": String(fake.appId),
      "x-github-hook-installation-target-type": "integration",
    });
    expect(labeled?.headers["user-agent"]).toMatch(/^GitHub-Hookshot\//);
    expect(labeled?.headers["x-github-delivery"]).toMatch(UUID);
    expect(labeled?.payload).toMatchObject({
      action: "labeled",
      label: { name: "triage" },
      issue: { number: 1, title: "Please triage", labels: [{ name: "triage" }] },
      repository: { full_name: "acme/widgets", owner: { login: "acme" } },
      organization: { login: "acme" },
      sender: { login: `${fake.slug}[bot]`, type: "Bot" },
      installation: { id: installation.id, node_id: expect.any(String) },
    });
    expect(fake.deliveries.map((d) => [d.event, d.action, d.status, d.status_code, d.redelivery])).toEqual([
      ["issues", "opened", "OK", 202, false],
      ["issues", "labeled", "OK", 202, false],
    ]);
    expect(fake.deliveries[1]).toMatchObject({ guid: labeled?.headers["x-github-delivery"], installation_id: installation.id, repository_id: expect.any(Number) });
  });

  it("logs a receiver's refusal (a wrong secret) as Invalid HTTP Response", async () => {
    const receiver = await startReceiver("the-receivers-secret");
    const { fake, octokit } = await seeded({ webhookUrl: receiver.url, webhookSecret: "another-secret" });
    await octokit.rest.issues.create({ ...repo, title: "x" });
    await fake.idle();
    expect(receiver.received[0]?.signature).toBe("invalid");
    expect(fake.deliveries[0]).toMatchObject({ status: "Invalid HTTP Response: 401", status_code: 401 });
  });

  it("sends comment, close, unlabel and pull request events; honours the installation's event subscription", async () => {
    const { fake, octokit } = await seeded();
    fake.addRepo({ owner: "quiet", name: "repo" });
    const quiet = fake.addInstallation({ account: "quiet", events: ["issue_comment"] });
    await octokit.rest.issues.create({ ...repo, title: "x", labels: ["a"] });
    await octokit.rest.issues.createComment({ ...repo, issue_number: 1, body: "hi" });
    await octokit.rest.issues.removeLabel({ ...repo, issue_number: 1, name: "a" });
    await octokit.rest.issues.update({ ...repo, issue_number: 1, state: "closed" });
    fake.addBranch("acme/widgets", "f");
    fake.setFile("acme/widgets", "f.txt", "f", { branch: "f" });
    await octokit.rest.pulls.create({ ...repo, title: "PR", head: "f", base: "main" });
    const quietOctokit = appOctokit(fake, quiet.id);
    await quietOctokit.rest.issues.create({ owner: "quiet", repo: "repo", title: "not sent" });
    await quietOctokit.rest.issues.createComment({ owner: "quiet", repo: "repo", issue_number: 1, body: "sent" });
    await fake.idle();
    expect(fake.deliveries.map((d) => `${d.event}.${d.action}`)).toEqual([
      "issues.opened",
      "issues.labeled",
      "issue_comment.created",
      "issues.unlabeled",
      "issues.closed",
      "pull_request.opened",
      "issue_comment.created",
    ]);
    expect(fake.deliveries[2]?.request.payload).toMatchObject({ comment: { body: "hi" }, issue: { number: 1, comments: 1 } });
    expect(fake.deliveries[5]?.request.payload).toMatchObject({ number: 2, pull_request: { head: { ref: "f" }, state: "open" } });
    expect(fake.deliveries[6]?.installation_id).toBe(quiet.id);
  });

  it("pages the delivery log newest first with a cursor Link, as GitHub does", async () => {
    const receiver = await startReceiver("s");
    const { fake, installation } = await seeded({ webhookUrl: receiver.url, webhookSecret: "s" });
    const { event, payload } = findExample("issues.labeled");
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await fake.sendWebhook(event, payload, { installationId: installation.id }));
    expect(receiver.received.every((r) => r.signature === "ok" && (r.payload.installation as { id: number }).id === installation.id)).toBe(true);

    const app = appOctokit(fake);
    const first = await app.rest.apps.listWebhookDeliveries({ per_page: 2 });
    expect(first.data.map((d) => d.id)).toEqual([sent[4]?.id, sent[3]?.id]);
    expect(first.headers.link).toMatch(new RegExp(`^<${fake.url}/app/hook/deliveries\\?per_page=2&cursor=v1_${sent[3]?.id}>; rel="next"$`));
    const all = await app.paginate(app.rest.apps.listWebhookDeliveries, { per_page: 2 });
    expect(all.map((d) => d.guid)).toEqual(sent.map((d) => d.guid).reverse());
    expect(all[0]).toMatchObject({ event: "issues", action: "labeled", status: "OK", status_code: 202, installation_id: installation.id, redelivery: false });
    expect(all[0]?.delivered_at).toMatch(/Z$/);
    const one = await app.rest.apps.getWebhookDelivery({ delivery_id: sent[0]?.id ?? 0 });
    expect(one.data.request.headers).toMatchObject({ "x-github-delivery": sent[0]?.guid, "x-github-event": "issues" });
    expect(one.data.request.payload).toMatchObject({ action: "labeled" });
  });

  it("keeps failed deliveries failed until redelivered; redelivery keeps the guid and is logged as a new entry", async () => {
    const receiver = await startReceiver("s");
    const { fake, octokit } = await seeded({ webhookUrl: receiver.url, webhookSecret: "s" });
    fake.failWebhooks(true);
    await octokit.rest.issues.create({ ...repo, title: "x" });
    await fake.idle();
    expect(receiver.received).toHaveLength(0);
    const failed = fake.deliveries[0];
    expect(failed).toMatchObject({ status_code: 0, status: "We couldn't deliver this payload: Connection refused", redelivery: false });

    fake.failWebhooks(false);
    const app = appOctokit(fake);
    const res = await app.rest.apps.redeliverWebhookDelivery({ delivery_id: failed?.id ?? 0 });
    expect(res.status).toBe(202);
    await fake.idle();
    expect(receiver.received.map((r) => r.headers["x-github-delivery"])).toEqual([failed?.guid]);
    expect(fake.deliveries).toHaveLength(2);
    expect(fake.deliveries[1]).toMatchObject({ guid: failed?.guid, redelivery: true, status: "OK", status_code: 202, event: "issues", action: "opened" });
    expect(fake.deliveries[1]?.id).not.toBe(failed?.id);
    await expect(app.rest.apps.redeliverWebhookDelivery({ delivery_id: 1 })).rejects.toMatchObject({ status: 404 });
  });

  it("logs an unreachable URL and a simulated status as failures", async () => {
    const { fake } = await seeded();
    const { event, payload } = findExample("issues.opened");
    fake.setWebhookUrl(await closedPortUrl());
    expect(await fake.sendWebhook(event, payload)).toMatchObject({ status_code: 0, status: "We couldn't deliver this payload: Connection refused" });
    fake.failWebhooks(503);
    expect(await fake.sendWebhook(event, payload)).toMatchObject({ status_code: 503, status: "Invalid HTTP Response: 503" });
  });
});
