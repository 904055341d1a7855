import { randomUUID } from "node:crypto";
import { Hookyard, type HookyardOptions } from "../../src/app/index.js";
import type { AcceptStatus } from "../../src/store/backend.js";
import { createFakeGitHub, findExample, type FakeGitHub, type FakeGitHubOptions } from "../../src/testing/index.js";

const fakes: FakeGitHub[] = [];
const apps: Hookyard[] = [];

/** A fake GitHub with `acme/widgets` and an installation on `acme`. */
export async function fakeWithRepo(options: FakeGitHubOptions = {}) {
  const fake = await createFakeGitHub(options);
  fakes.push(fake);
  fake.addRepo({ owner: "acme", name: "widgets", files: { "README.md": "# widgets\n" } });
  const installation = fake.addInstallation({ account: "acme" });
  fake.addIssue("acme/widgets", { title: "First" });
  return { fake, installation };
}

/** A Hookyard app on the memory store whose App is the fake's (writes not paced, the fake's clock). */
export function appFor(fake: FakeGitHub, options: HookyardOptions = {}): Hookyard {
  const app = new Hookyard({
    store: "memory:", logLevel: "silent", webhookSecret: "x", env: {},
    appId: fake.appId, privateKey: fake.privateKey, githubApiUrl: fake.url,
    github: { throttle: false, now: () => fake.clock.now() },
    ...options,
  });
  apps.push(app);
  return app;
}

/** An `issues.opened` payload about acme/widgets#1, from the given installation (or none). */
export function issuePayload(installationId: number | null): Record<string, unknown> {
  const p = structuredClone(findExample("issues.opened").payload) as Record<string, unknown> & { repository: Record<string, unknown>; issue: Record<string, unknown> };
  p.repository = { ...p.repository, name: "widgets", full_name: "acme/widgets", owner: { ...(p.repository.owner as object), login: "acme" } };
  p.issue = { ...p.issue, number: 1 };
  if (installationId === null) delete p.installation;
  else p.installation = { id: installationId, node_id: "x" };
  return p;
}

/** Receives an issues.opened delivery; returns its id. */
export async function send(app: Hookyard, installationId: number | null): Promise<string> {
  const id = randomUUID();
  const status: AcceptStatus = await app.receive({ id, name: "issues", payload: issuePayload(installationId) });
  if (status !== "accepted") throw new Error(`delivery ${status}`);
  return id;
}

export async function cleanupGitHub(): Promise<void> {
  for (const app of apps.splice(0)) await app.stop();
  await Promise.all(fakes.splice(0).map((f) => f.close()));
}
