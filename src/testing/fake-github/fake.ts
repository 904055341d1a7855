import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyRequest } from "fastify";
import { createClock } from "./clock.js";
import type { FakeContext, RequestInfo } from "./context.js";
import { installationRef } from "./events.js";
import { moveBranch, resolveRef } from "./git.js";
import { ZERO_SHA } from "./git/refs.js";
import { identityMethods } from "./identity.js";
import { randomHex } from "./ids.js";
import { followPullHeads } from "./ref-updates.js";
import { createIssue, ensureLabel } from "./issue-ops.js";
import { RateLimiter } from "./rate-limit.js";
import { addInstallation, addRepo, createApp, setFile } from "./seed.js";
import { buildServer } from "./server.js";
import { GraphQLAnswers } from "./graphql/answers.js";
import { createRequestLog } from "./requests.js";
import { seedPull } from "./seed-pulls.js";
import { label as labelShape, pullRequest } from "./shapes/issues.js";
import type { Urls } from "./shapes/urls.js";
import { FakeState, type AppRecord } from "./state.js";
import { createActors } from "./helpers.js";
import { createReadBack } from "./read-back.js";
import { TokenStore } from "./tokens.js";
import type { FakeGitHub, FakeGitHubOptions } from "./types.js";
import { deliveryDetail, Webhooks } from "./webhooks.js";

const HOUR = 3600_000;

/**
 * Starts a fake GitHub: a real HTTP server on 127.0.0.1 (random port) answering GitHub's REST
 * routes for Apps (JWT and installation tokens, issues, comments, labels, permissions, pulls,
 * reviews, contents, commits, refs, check runs and suites, Actions runs and jobs, the delivery log,
 * manifests, OAuth) with GitHub's response shapes, and git's smart HTTP protocol (`git clone
 * ${fake.gitUrl}/owner/repo.git` with an installation token as the password) over a real bare
 * repository per repository; it sends signed webhooks when state changes, on a clock the test
 * controls. Point a real Octokit at `fake.url`.
 *
 * @example
 * ```ts
 * import { Octokit as Core } from "@octokit/core";
 * import { createAppAuth } from "@octokit/auth-app";
 * import { restEndpointMethods } from "@octokit/plugin-rest-endpoint-methods";
 * import { createFakeGitHub } from "hookyard/testing";
 *
 * const fake = await createFakeGitHub({ webhookUrl: "http://127.0.0.1:3000/api/github/webhooks" });
 * fake.addRepo({ owner: "acme", name: "widgets", files: { ".github/hookyard.yml": "triage: true\n" } });
 * const { id: installationId } = fake.addInstallation({ account: "acme" });
 * const Octokit = Core.plugin(restEndpointMethods);
 * const octokit = new Octokit({
 *   authStrategy: createAppAuth,
 *   auth: { appId: fake.appId, privateKey: fake.privateKey, installationId },
 *   baseUrl: fake.url,
 * });
 * await octokit.rest.issues.create({ owner: "acme", repo: "widgets", title: "Broken", labels: ["bug"] });
 * await fake.idle(); // the issues.opened and issues.labeled webhooks have been delivered
 * expect(fake.state.issues("acme/widgets")[0]?.labels).toHaveLength(1);
 * await fake.close();
 * ```
 */
export async function createFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const clock = createClock(options.now ?? Date.now, options.clockSkewMs ?? 0);
  const gitRoot = mkdtempSync(join(tmpdir(), "hookyard-fake-git-"));
  const state = new FakeState(clock, gitRoot);
  const webhookSecret = options.webhookSecret ?? randomHex(20);
  const mainApp = createApp(state, {
    id: options.appId,
    name: options.name ?? "Hookyard Test App",
    slug: options.slug,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    privateKey: options.privateKey,
    webhookUrl: options.webhookUrl,
    webhookSecret,
    permissions: options.permissions,
    events: options.events,
  });
  const urls: Urls = { api: "", html: (options.htmlUrl ?? "https://github.com").replace(/\/+$/, ""), git: "" };
  const infos = new WeakMap<FastifyRequest, RequestInfo>();
  const log = createRequestLog();
  const webhooks = new Webhooks(clock, state.ids);
  const ctx: FakeContext = {
    state,
    clock,
    urls,
    tokens: new TokenStore(clock, options.tokenTtlMs ?? HOUR),
    rate: new RateLimiter(clock, options.rateLimit ?? 5000),
    webhooks,
    manifests: new Map(),
    graphql: new GraphQLAnswers(),
    info(req) {
      let i = infos.get(req);
      if (!i) infos.set(req, (i = {}));
      return i;
    },
  };
  const server = buildServer(ctx, infos, log);
  try {
    await server.listen({ host: "127.0.0.1", port: 0 });
  } catch (err) {
    rmSync(gitRoot, { recursive: true, force: true });
    throw err;
  }
  const address = server.server.address();
  if (address === null || typeof address === "string") throw new Error("fake GitHub: the server has no TCP address");
  urls.api = `http://127.0.0.1:${address.port}`;
  urls.git = (options.gitUrl ?? urls.api).replace(/\/+$/, "");

  let closing: Promise<void> | undefined;
  const appOr = (appId: number | undefined): AppRecord => {
    const a = appId === undefined ? mainApp : state.app(appId);
    if (!a) throw new Error(`fake GitHub: no App with id ${appId}`);
    return a;
  };

  return {
    ...identityMethods(ctx, appOr, deliveryDetail),
    url: urls.api,
    gitUrl: urls.git,
    appId: mainApp.id,
    slug: mainApp.slug,
    clientId: mainApp.clientId,
    clientSecret: mainApp.clientSecret,
    privateKey: mainApp.privateKey,
    webhookSecret,
    clock,
    requests: log,
    graphql: ctx.graphql,
    tokensIssued: ctx.tokens.issued,
    get deliveries() {
      return [...webhooks.log].sort((a, b) => a.id - b.id).map(deliveryDetail);
    },
    state: createReadBack(ctx),
    ...createActors(ctx, mainApp),

    addInstallation(input) {
      const app = appOr(input.appId);
      const inst = addInstallation(state, app, input);
      const type = inst.account.type === "Organization" ? "Organization" : "User";
      return { id: inst.id, appId: app.id, account: { login: inst.account.login, id: inst.account.id, type }, repositorySelection: inst.selection };
    },
    addRepo(input) {
      const r = addRepo(state, input);
      const headSha = resolveRef(r, undefined)?.sha ?? "";
      return { id: r.id, owner: r.owner.login, name: r.name, fullName: `${r.owner.login}/${r.name}`, defaultBranch: r.defaultBranch, headSha };
    },
    setFile(repo, path, content, opts = {}) {
      const r = state.requireRepo(repo);
      const branch = opts.branch ?? r.defaultBranch;
      const { commit, blob } = setFile(state, r, path, content, opts);
      followPullHeads(r, [{ ref: `refs/heads/${branch}`, before: ZERO_SHA, after: commit.sha }], clock.now());
      return { commitSha: commit.sha, sha: blob?.sha ?? null };
    },
    addBranch(repo, branch, fromSha) {
      const r = state.requireRepo(repo);
      const sha = fromSha ?? resolveRef(r, undefined)?.sha;
      if (sha === undefined || !r.git.commit(sha)) throw new Error(`fake GitHub: no commit ${String(fromSha)} in ${repo}`);
      moveBranch(r, branch, sha, clock.now());
      followPullHeads(r, [{ ref: `refs/heads/${branch}`, before: ZERO_SHA, after: sha }], clock.now());
      return sha;
    },
    addIssue(repo, input) {
      const r = state.requireRepo(repo);
      const user = state.account(input.user ?? r.owner.login);
      const i = createIssue(ctx, r, { title: input.title, body: input.body ?? null, user, appId: null, ...(input.number === undefined ? {} : { number: input.number }) });
      i.labels = (input.labels ?? []).map((n) => ensureLabel(ctx, r, n));
      if (input.state === "closed") {
        i.state = "closed";
        i.stateReason = "completed";
        i.closedAt = clock.now();
      }
      return createReadBack(ctx).issue(repo, i.number) as NonNullable<ReturnType<FakeGitHub["state"]["issue"]>>;
    },
    addPullRequest(repo, input) {
      const r = state.requireRepo(repo);
      return pullRequest(urls, r, seedPull(ctx, r, input));
    },
    addLabel(repo, input) {
      const r = state.requireRepo(repo);
      const l = ensureLabel(ctx, r, input.name);
      if (input.color !== undefined) l.color = input.color.replace(/^#/, "");
      if (input.description !== undefined) l.description = input.description;
      return labelShape(urls, r, l);
    },
    addUser(input) {
      const a = state.account(input.login, "User");
      if (input.name !== undefined) a.name = input.name;
      if (input.email !== undefined) a.email = input.email;
      return { id: a.id, login: a.login };
    },

    setWebhookUrl(url, opts = {}) {
      appOr(opts.appId).webhookUrl = url;
    },
    failWebhooks(mode) {
      webhooks.failWebhooks(mode);
    },
    async sendWebhook(event, payload, opts = {}) {
      const inst = opts.installationId === undefined ? undefined : state.installations.get(opts.installationId);
      if (opts.installationId !== undefined && !inst) throw new Error(`fake GitHub: no installation ${opts.installationId}`);
      const app = appOr(opts.appId ?? inst?.appId);
      const body = inst ? { ...payload, installation: installationRef(inst.id) } : payload;
      const fromPayload = (key: string): number | null => {
        const v = (body[key] as { id?: unknown } | undefined)?.id;
        return typeof v === "number" ? v : null;
      };
      const record = await webhooks.send(app, event, body, { installationId: fromPayload("installation"), repositoryId: fromPayload("repository") });
      return deliveryDetail(record);
    },
    idle: () => webhooks.idle(),

    setRateLimit(input) {
      const resetAt = input.resetAt instanceof Date ? input.resetAt.getTime() : input.resetAt;
      const key = input.installationId === undefined ? undefined : `installation:${input.installationId}`;
      ctx.rate.set(key, { remaining: input.remaining, limit: input.limit, resetAt });
    },
    triggerSecondaryRateLimit(input = {}) {
      ctx.rate.triggerSecondary({
        status: input.status ?? 403,
        retryAfterSeconds: input.retryAfterSeconds ?? 60,
        requests: input.requests ?? 1,
        key: input.installationId === undefined ? undefined : `installation:${input.installationId}`,
      });
    },

    createManifestCode(manifest, opts = {}) {
      const code = randomHex(10);
      const owner = opts.owner === undefined ? mainApp.owner : state.account(opts.owner);
      ctx.manifests.set(code, { manifest: { ...manifest }, owner, expiresAt: clock.now() + HOUR });
      return code;
    },
    createOAuthCode(input) {
      const app = input.clientId === undefined ? mainApp : state.appByClientId(input.clientId);
      if (!app) throw new Error(`fake GitHub: no App with client id ${input.clientId}`);
      return ctx.tokens.createCode(app, state.account(input.login, "User"), input.codeChallenge, input.redirectUri);
    },

    close() {
      closing ??= webhooks
        .close()
        .then(() => server.close())
        .finally(() => rmSync(gitRoot, { recursive: true, force: true }));
      return closing;
    },
  };
}
