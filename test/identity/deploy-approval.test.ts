// The deploy-approval example end to end, against the built package ("hookyard", as a user's app
// imports it): a workflow's Actions token asks, team members log in with GitHub and approve.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { Hookyard } from "hookyard";
import { createFakeGitHub, type FakeGitHub } from "hookyard/testing";
import { deployApproval, TASK_NAME } from "../../examples/deploy-approval/index.js";
import type { DeployRequest } from "../../examples/deploy-approval/requests.js";
import { Browser } from "./support/browser.js";
import { AUDIENCE, REPO, startIssuer, type TestIssuer } from "./support/issuer.js";
import { logIn } from "./support/login.js";

let fake: FakeGitHub;
let issuer: TestIssuer;
let dir: string;
let ids: Record<string, number>;
const SESSION_SECRET = randomBytes(32).toString("base64url");
const running: Hookyard[] = [];
const deployed: { id: string; sha: string; attempt: number }[] = [];

beforeAll(async () => {
  fake = await createFakeGitHub();
  issuer = await startIssuer();
  ids = {};
  for (const login of ["alice", "bob", "carol", "mallory"]) ids[login] = fake.addUser({ login }).id;
  for (const login of ["alice", "bob", "carol"]) fake.addTeamMember("acme/deployers", login);
  fake.addTeamMember("acme/interns", "mallory");
});

afterEach(async () => {
  for (const app of running.splice(0)) await app.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

afterAll(async () => {
  await fake.close();
  await issuer.close();
});

/** Starts the example on the SQLite file of this test (a restart is another boot on the same file). */
async function boot(beforeStart?: (app: Hookyard) => void): Promise<Hookyard> {
  const app = new Hookyard({
    store: `sqlite:${join(dir, "h.db")}`, port: 0, host: "127.0.0.1", logLevel: "silent", env: {},
    webhookSecret: fake.webhookSecret, githubApiUrl: fake.url, clientId: fake.clientId, clientSecret: fake.clientSecret, sessionSecret: SESSION_SECRET,
  });
  await app.load(deployApproval({
    audience: AUDIENCE, issuer: issuer.url, approvers: "acme/deployers",
    policy: { repositoryIds: [REPO.id], environments: ["production"] },
    deploy: async (r, ctx) => {
      deployed.push({ id: r.id, sha: r.sha, attempt: ctx.attempt });
    },
  }));
  beforeStart?.(app);
  await app.start();
  running.push(app);
  return app;
}

async function stop(app: Hookyard): Promise<void> {
  running.splice(running.indexOf(app), 1);
  await app.stop();
}

/** Resolves when the next deployment task of `app` completes. */
function deployment(app: Hookyard): Promise<string> {
  return new Promise((resolve) => {
    const off = app.events.on("task:complete", ({ task }) => {
      if (task.name !== TASK_NAME) return;
      off();
      resolve(task.deliveryId);
    });
  });
}

const approveAs = (b: Browser, id: string) => b.fetch(`/deploy/${id}/approve`, { method: "POST", headers: { origin: new URL(b.base).origin, accept: "application/json" } });
const codeOf = async (res: Response) => ((await res.json()) as { error?: { code: string } }).error?.code;

it("deploys once two team members other than the requester approved, across a restart", async () => {
  dir = mkdtempSync(join(tmpdir(), "hookyard-deploy-"));
  deployed.length = 0;
  let app = await boot();
  const token = await issuer.mint({ actor: "alice", actor_id: String(ids.alice), run_id: "900001" });
  const ask = (t: string) => fetch(`${app.url}/deploy`, { method: "POST", headers: { authorization: `Bearer ${t}` } });

  // the workflow asks; without a token, or from another repository, it is refused
  expect((await ask("")).status).toBe(401);
  expect(await codeOf(await ask(await issuer.mint({ repository_id: "999", run_id: "900002" })))).toBe("HOOKYARD_ERR_OIDC_POLICY_REPOSITORY_ID");
  const asked = await ask(token);
  expect(asked.status).toBe(202);
  const { id, status, required } = (await asked.json()) as { id: string; status: string; required: number };
  expect([status, required]).toEqual(["pending", 2]);
  expect((await ask(token)).status).toBe(200); // the same run asking again: the same request

  // the requester cannot approve; someone outside the team cannot either
  const alice = new Browser(app.url as string);
  await logIn(alice, fake, "alice");
  expect(await codeOf(await approveAs(alice, id))).toBe("deploy.self_approval");
  const mallory = new Browser(app.url as string);
  await logIn(mallory, fake, "mallory");
  expect(await codeOf(await approveAs(mallory, id))).toBe("deploy.not_approver");

  // one approval is not enough, and the same person approving twice counts once
  const bob = new Browser(app.url as string);
  await logIn(bob, fake, "bob");
  expect(await (await approveAs(bob, id)).json()).toEqual({ id, status: "pending", approvals: 1, required: 2 });
  expect(await codeOf(await approveAs(bob, id))).toBe("deploy.already_approved");
  expect((await app.store.listTasks({ name: TASK_NAME })).items).toEqual([]);
  expect(deployed).toEqual([]);

  // a restart while waiting loses nothing: the request and its approval are in the store
  await stop(app);
  app = await boot();
  for (const b of [alice, bob]) b.base = app.url as string;
  const polled = await fetch(`${app.url}/deploy/${id}/status`, { headers: { authorization: `Bearer ${await issuer.mint({ run_id: "900001" })}` } });
  expect(await polled.json()).toEqual({ id, status: "pending", approvals: 1, required: 2 });
  const page = await bob.navigate(`/deploy/${id}`); // bob's session survived the restart too
  expect(page.status).toBe(200);
  expect(await page.text()).toContain("You have approved this request.");

  // the second approver, on the restarted server: the deployment runs, once
  const carol = new Browser(app.url as string);
  const login = await logIn(carol, fake, "carol", `/deploy/${id}`);
  expect(login.headers.get("location")).toBe(`/deploy/${id}`);
  expect(await (await carol.navigate(`/deploy/${id}`)).text()).toContain("Approve deployment");
  const done = deployment(app);
  const approved = await carol.fetch(`/deploy/${id}/approve`, { method: "POST", headers: { origin: new URL(app.url as string).origin, accept: "text/html", "content-type": "application/x-www-form-urlencoded" }, body: "" });
  expect(approved.status).toBe(303);
  expect(await done).toBe(`deploy-approval-${id}`);
  expect(deployed).toEqual([{ id, sha: "6113728f27ae82c7b1a177c8d03f9e96e0adf246", attempt: 1 }]);
  const final = (await (await carol.fetch(`/deploy/${id}`, { headers: { accept: "application/json" } })).json()) as DeployRequest;
  expect(final.status).toBe("deployed");
  expect(final.approvals.map((a) => a.login)).toEqual(["bob", "carol"]);

  // later approvals, a second dispatch and another restart run nothing again
  expect(await codeOf(await approveAs(alice, id))).toBe("deploy.not_pending");
  const forged = deployment(app);
  await app.receive({ id: "forged-1", name: "repository_dispatch", payload: { action: "hookyard-deploy-approved", branch: "main", client_payload: { request: id } } });
  await forged;
  await stop(app);
  app = await boot();
  expect(deployed).toHaveLength(1);
  expect((await app.store.listTasks({ name: TASK_NAME })).items.map((t) => t.state)).toEqual(["completed", "completed"]);
});

it("queues at start an approved request whose deployment task was never queued", async () => {
  dir = mkdtempSync(join(tmpdir(), "hookyard-deploy-"));
  deployed.length = 0;
  let app = await boot();
  const res = await fetch(`${app.url}/deploy`, { method: "POST", headers: { authorization: `Bearer ${await issuer.mint({ actor: "alice", actor_id: String(ids.alice), run_id: "900100" })}` } });
  const { id } = (await res.json()) as { id: string };
  // as if the process had stopped between recording the second approval and queueing the task
  const rec = await app.store.getRecord("deploy-request", id);
  const value = rec!.value as DeployRequest;
  const approvals = [{ id: ids.bob!, login: "bob", at: 1 }, { id: ids.carol!, login: "carol", at: 2 }];
  await app.store.putRecord("deploy-request", id, { ...value, approvals, status: "approved", approvedAt: 2 }, rec!.version);
  await stop(app);
  let done: Promise<string> | undefined;
  app = await boot((next) => {
    done = deployment(next); // listening before start, which queues the task
  });
  expect(await done).toBe(`deploy-approval-${id}`);
  expect(deployed.map((d) => d.id)).toEqual([id]);
});
