import { randomUUID } from "node:crypto";
import { Hookyard, type AppFunction, type HookyardOptions } from "../app/index.js";
import { deepMergeAll } from "../github/repo-config/merge.js";
import type { SettledTask } from "../tasks/settled.js";
import type { AcceptStatus } from "../store/backend.js";
import { findExample } from "./examples.js";
import { createFakeGitHub } from "./fake-github/index.js";
import type { FakeGitHub, FakeGitHubOptions, FakeInstallation, FakeRepo } from "./fake-github/types.js";
import { seedPayload } from "./seed-payload.js";
import { TaskSettler } from "./task-settler.js";
import { storeOnClock, type TestClock } from "./test-clock.js";

/** Options of {@link createTestApp}; every one has a default. */
export interface TestAppOptions {
  /** The repository deliveries are about, created in the fake with an installation on its owner (default `acme/widgets`). */
  repo?: string;
  /** Files of the repository's first commit, e.g. `{ ".github/my-app.yml": "greeting: hi\n" }`. */
  files?: Record<string, string>;
  /**
   * Start the HTTP server on a free loopback port and point the fake's webhooks at it, so changes
   * your handlers make through the API come back as deliveries, as on GitHub (default true).
   */
  webhooks?: boolean;
  /** Options of the fake GitHub. */
  fake?: FakeGitHubOptions;
  /**
   * The store (default `memory:`, on the fake's clock), e.g. `sqlite:/tmp/t/h.db` or a
   * `redis://…?prefix=…` URL, to run the same test on every backend. Only the default store follows
   * `t.clock`: with another, tasks waiting for a time are not fast-forwarded.
   */
  store?: string;
  /** More Hookyard options (`concurrency`, `taskTimeout`, …); the store, App and GitHub URL are the test's. */
  hookyard?: HookyardOptions;
}

/** What {@link createTestApp} gives a test. */
export interface TestApp {
  /** The Hookyard app, with your app function loaded and its workers running. */
  app: Hookyard;
  /** The fake GitHub the app talks to: `fake.state.comments(…)`, `fake.requests`, `fake.setFile(…)`, … */
  fake: FakeGitHub;
  installation: FakeInstallation;
  repo: FakeRepo;
  /** The fake's clock, shared by the store and the task runner: `t.clock.advance(ms)` runs what is due by then. */
  clock: TestClock;
  /**
   * Receives a delivery of `name` (`"issues.opened"`): a real example payload from
   * `@octokit/webhooks-examples`, made to be about the test's repository and installation, with
   * `overrides` deep-merged over it (arrays replaced). The issue and the pull request the payload
   * names are first created in the fake unless `overrides` name existing ones by number (the
   * payload then carries the fake's shapes of them), with no labels but the ones `overrides`
   * give, or, for a `labeled` event, its `label`.
   */
  receive(name: string, overrides?: Record<string, unknown>): Promise<{ id: string; status: AcceptStatus; payload: Record<string, unknown> }>;
  /**
   * Resolves once every delivery so far — received, or sent back by the fake — has had its tasks
   * run their latest attempt and the fake sends nothing more. A task deferred to a rate-limit reset
   * is run by moving `t.clock` to the reset; with `{ retries: true }`, so is a task waiting for its
   * retry, until it completes or fails for good. Rejects with an `AggregateError` of the handlers'
   * errors (of failed and retrying tasks) not reported by an earlier call.
   */
  settled(options?: { retries?: boolean }): Promise<SettledTask[]>;
  /** Stops the app and the fake. */
  close(): Promise<void>;
}

const clone = <T>(v: T): T => structuredClone(v);

/**
 * A Hookyard app wired to a fresh fake GitHub — memory store, the fake's App configured, writes not
 * paced, the fake's clock — to test an app function (Hookyard's or Probot's) without mocking HTTP.
 *
 * @example
 * ```ts
 * import { createTestApp } from "hookyard/testing";
 * import app from "../app/index.js";
 *
 * const t = await createTestApp(app, { files: { ".github/welcome.yml": "message: Hi!\n" } });
 * await t.receive("issues.opened", { issue: { title: "Broken" } });
 * await t.settled();
 * expect(t.fake.state.comments("acme/widgets", 1).map((c) => c.body)).toEqual(["Hi!"]);
 * await t.close();
 * ```
 */
export async function createTestApp(appFn?: AppFunction | readonly AppFunction[], options: TestAppOptions = {}): Promise<TestApp> {
  const fake = await createFakeGitHub(options.fake);
  const own = options.store === undefined || options.store === "memory:" ? storeOnClock(fake.clock) : undefined;
  try {
    const [owner, name] = (options.repo ?? "acme/widgets").split("/", 2) as [string, string];
    const repo = fake.addRepo({ owner, name, files: options.files ?? {} });
    const installation = fake.addInstallation({ account: owner });
    const app = new Hookyard({
      logLevel: "silent", port: 0, host: "127.0.0.1", ...options.hookyard,
      store: own?.store ?? options.store ?? "memory:", now: () => fake.clock.now(), env: {}, webhookSecret: fake.webhookSecret,
      appId: fake.appId, privateKey: fake.privateKey, githubApiUrl: fake.url, gitUrl: fake.gitUrl,
      github: { throttle: false, now: () => fake.clock.now(), ...options.hookyard?.github },
    });
    const settler = new TaskSettler(app); // first onError hook: sees the handlers' own errors
    for (const fn of appFn === undefined ? [] : Array.isArray(appFn) ? appFn : [appFn]) await app.load(fn as AppFunction);
    if (options.webhooks ?? true) {
      await app.start();
      fake.setWebhookUrl(`${app.url}${app.config.webhookPath}`);
    } else {
      await app.open();
    }
    const reported = new Set<string>();

    return {
      app, fake, installation, repo,
      clock: own?.clock ?? { now: () => fake.clock.now(), advance: (ms) => fake.clock.advance(ms) },
      async receive(eventName, overrides = {}) {
        const { event, payload: example } = findExample(eventName);
        const payload = aboutRepo(clone(example), repo, installation, fake.gitUrl);
        seedPayload(fake, repo.fullName, payload, overrides);
        const merged = deepMergeAll<Record<string, unknown>>([payload, overrides], { arrayMerge: (_target, source) => source });
        const id = randomUUID();
        const status = await app.receive({ id, name: event, payload: merged });
        return { id, status, payload: merged };
      },
      async settled(settleOptions = {}) {
        let tasks: SettledTask[];
        for (;;) {
          await fake.idle();
          const known = settler.tracked.length;
          tasks = await settler.settle({ jumpTo: own?.jumpTo, retries: settleOptions.retries ?? false });
          await fake.idle(); // deliveries the fake sent back because of what the handlers did
          if (settler.tracked.length === known) break;
        }
        // a task deferred to a rate-limit reset (another store than the default) has not failed
        const errors = tasks.filter((t) => t.error && t.state !== "queued" && !reported.has(`${t.id}:${t.attempts}`));
        for (const t of errors) reported.add(`${t.id}:${t.attempts}`);
        if (errors.length > 0) throw new AggregateError(errors.map((t) => t.error), errors.map((t) => `${t.name}: ${t.error?.message}`).join("\n"));
        return tasks;
      },
      async close() {
        await app.stop();
        await own?.store.close();
        await fake.close();
      },
    };
  } catch (err) {
    await own?.store.close();
    await fake.close();
    throw err;
  }
}

/** The example payload made to be about `repo`, delivered to `installation`. */
function aboutRepo(payload: Record<string, unknown>, repo: FakeRepo, installation: FakeInstallation, gitUrl: string): Record<string, unknown> {
  const r = payload.repository as Record<string, unknown> | undefined;
  if (r) {
    payload.repository = {
      ...r, id: repo.id, name: repo.name, full_name: repo.fullName, private: false, default_branch: repo.defaultBranch,
      html_url: `https://github.com/${repo.fullName}`,
      clone_url: `${gitUrl}/${repo.fullName}.git`, git_url: `${gitUrl}/${repo.fullName}.git`,
      owner: { ...(r.owner as object), login: repo.owner, id: installation.account.id, type: installation.account.type },
    };
  }
  const org = payload.organization as Record<string, unknown> | undefined;
  if (org) payload.organization = { ...org, login: repo.owner, id: installation.account.id };
  payload.installation = { id: installation.id, node_id: Buffer.from(`04:Installation${installation.id}`).toString("base64") };
  return payload;
}
