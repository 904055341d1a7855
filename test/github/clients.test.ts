import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { GitHubClients } from "../../src/github/clients.js";
import { deliveryMeta } from "../../src/ingress/delivery-meta.js";
import type { FakeGitHub } from "../../src/testing/index.js";
import { cleanupGitHub, fakeWithRepo } from "./support.js";

const log = pino({ level: "silent" });

afterEach(cleanupGitHub);

/** The clients of an app whose App is the fake's. */
function clientsFor(fake: FakeGitHub): GitHubClients {
  return new GitHubClients(loadConfig({ appId: fake.appId, privateKey: fake.privateKey, githubApiUrl: fake.url }, {}), { log, throttle: false });
}

describe("GitHubClients.forDelivery", () => {
  it("authenticates as the installation the delivery's metadata names", async () => {
    const { fake, installation } = await fakeWithRepo();
    const github = clientsFor(fake);
    const client = github.forDelivery(deliveryMeta("issues", { action: "opened", installation: { id: installation.id } }), "d1", log);
    expect([client.installationId, client.reason]).toEqual([installation.id, undefined]);
    const { data } = await client.octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { owner: "acme", repo: "widgets", issue_number: 1 });
    expect(data.title).toBe("First");
    await github.close();
  });

  // it took any number before: a fraction or an id past 2^53 went to GitHub's token endpoint
  it.each([
    ["a fraction", { id: 1.5 }],
    ["an id past 2^53", { id: 2 ** 64 }],
    ["a number as a string", { id: "42" }],
    ["no installation", undefined],
  ])("%s: unauthenticated, naming no installation", async (_name, installation) => {
    const { fake } = await fakeWithRepo();
    const github = clientsFor(fake);
    const client = github.forDelivery(deliveryMeta("issues", { action: "opened", installation }), "d1", log);
    expect([client.installationId, client.reason]).toEqual([null, "no installation in the payload"]);
    expect(fake.tokensIssued).toHaveLength(0);
  });

  it("installation.deleted is unauthenticated: GitHub no longer issues that installation tokens", async () => {
    const { fake, installation } = await fakeWithRepo();
    const github = clientsFor(fake);
    const client = github.forDelivery(deliveryMeta("installation", { action: "deleted", installation: { id: installation.id } }), "d1", log);
    expect([client.installationId, client.reason]).toEqual([installation.id, "installation.deleted"]);
  });
});
