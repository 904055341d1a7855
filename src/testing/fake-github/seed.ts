import { join } from "node:path";
import { commitChanges, moveBranch, normalisePath, resolveRef, branchSha, FAKE_AUTHOR } from "./git.js";
import { GitRepo } from "./git/repo.js";
import { randomHex, randomToken } from "./ids.js";
import { appKeyPair } from "./keys.js";
import type { AccountRecord, AccountType, AppRecord, BlobRecord, CommitRecord, FakeState, InstallationRecord, Permissions, RepoRecord } from "./state.js";

export const DEFAULT_PERMISSIONS: Permissions = { actions: "read", checks: "write", contents: "write", issues: "write", metadata: "read", pull_requests: "write" };
export const DEFAULT_EVENTS = [
  "check_run", "check_suite", "issue_comment", "issues", "label", "pull_request", "pull_request_review", "pull_request_review_comment", "push", "workflow_job", "workflow_run",
];

/** What an App is made of; everything has a default. */
export interface AppInput {
  id?: number;
  name?: string;
  slug?: string;
  clientId?: string;
  clientSecret?: string;
  privateKey?: string;
  webhookUrl?: string;
  webhookSecret?: string;
  permissions?: Permissions;
  events?: string[];
  owner?: AccountRecord;
  description?: string | null;
  externalUrl?: string;
  callbackUrls?: string[];
}

/** `My App!` → `my-app`, as GitHub derives slugs. */
export function slugify(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "app";
}

/** Registers an App (with a fresh RSA key pair unless `privateKey` is given) and its bot user. */
export function createApp(state: FakeState, input: AppInput): AppRecord {
  const id = input.id ?? state.ids.id();
  if (state.apps.has(id)) throw new Error(`fake GitHub: an App with id ${id} exists already`);
  const name = input.name ?? `Hookyard Test App ${id}`;
  const slug = input.slug ?? slugify(name);
  const keys = appKeyPair(input.privateKey);
  const bot = state.account(`${slug}[bot]`, "Bot");
  const app: AppRecord = {
    id,
    slug,
    name,
    description: input.description ?? null,
    clientId: input.clientId ?? `Iv23li${randomToken("").slice(0, 14)}`,
    clientSecret: input.clientSecret ?? randomHex(20),
    owner: input.owner ?? state.account("hookyard-owner", "Organization"),
    bot,
    publicKey: keys.publicKey,
    privateKey: keys.privateKey,
    webhookUrl: input.webhookUrl,
    webhookSecret: input.webhookSecret,
    hookId: state.ids.id(),
    permissions: { ...(input.permissions ?? DEFAULT_PERMISSIONS) },
    events: [...(input.events ?? DEFAULT_EVENTS)],
    externalUrl: input.externalUrl ?? "https://example.com",
    callbackUrls: input.callbackUrls ?? [],
    createdAt: state.clock.now(),
  };
  state.apps.set(id, app);
  return app;
}

/** Input of `fake.addInstallation`. */
export interface InstallationInput {
  /** The account the App is installed on: a login (an organization) or `{ login, type }`. */
  account: string | { login: string; type?: "User" | "Organization" };
  /** `"owner/name"` or bare names (owned by the account); omitted: every repository of the account. */
  repositories?: string[];
  permissions?: Permissions;
  events?: string[];
  /** Which App (default: the fake's own). */
  appId?: number;
}

function accountOf(state: FakeState, a: InstallationInput["account"]): AccountRecord {
  const login = typeof a === "string" ? a : a.login;
  const type: AccountType = typeof a === "string" ? "Organization" : (a.type ?? "Organization");
  const acc = state.account(login, type);
  if (typeof a !== "string" && a.type !== undefined) acc.type = a.type; // an explicit type wins over an earlier guess
  return acc;
}

/** Installs `app` on an account; named repositories that do not exist yet are created empty. */
export function addInstallation(state: FakeState, app: AppRecord, input: InstallationInput): InstallationRecord {
  const account = accountOf(state, input.account);
  const repoIds = new Set<number>();
  for (const full of input.repositories ?? []) {
    const [owner, name] = full.includes("/") ? (full.split("/", 2) as [string, string]) : [account.login, full];
    const repo = state.repo(owner, name) ?? addRepo(state, { owner, name });
    repoIds.add(repo.id);
  }
  const inst: InstallationRecord = {
    id: state.ids.id(),
    appId: app.id,
    account,
    selection: input.repositories === undefined ? "all" : "selected",
    repoIds,
    permissions: { ...(input.permissions ?? app.permissions) },
    events: [...(input.events ?? app.events)],
    createdAt: state.clock.now(),
  };
  state.installations.set(inst.id, inst);
  return inst;
}

/** Input of `fake.addRepo`. */
export interface RepoInput {
  owner: string;
  name: string;
  /** Path → content of the first commit on the default branch. */
  files?: Record<string, string | Uint8Array>;
  defaultBranch?: string;
  private?: boolean;
  description?: string | null;
}

/** Creates a repository with one commit holding `files` on its default branch (`main`). */
export function addRepo(state: FakeState, input: RepoInput): RepoRecord {
  if (state.repo(input.owner, input.name)) throw new Error(`fake GitHub: repository "${input.owner}/${input.name}" exists already`);
  const now = state.clock.now();
  const owner = state.findAccount(input.owner) ?? state.account(input.owner, "Organization");
  const id = state.ids.id();
  const defaultBranch = input.defaultBranch ?? "main";
  const repo: RepoRecord = {
    id,
    owner,
    name: input.name,
    private: input.private ?? false,
    description: input.description ?? null,
    defaultBranch,
    createdAt: now,
    updatedAt: now,
    pushedAt: now,
    git: GitRepo.init(join(state.gitRoot, `${id}.git`), defaultBranch),
    labels: new Map(),
    issues: new Map(),
    comments: [],
    checkRuns: new Map(),
    checkSuites: new Map(),
    workflowRuns: new Map(),
    jobs: new Map(),
    reviews: [],
    reviewComments: [],
    permissions: new Map(),
    nextNumber: 1,
  };
  const changes = new Map<string, Buffer | null>();
  for (const [path, content] of Object.entries(input.files ?? {})) changes.set(path, Buffer.from(content));
  const commit = commitChanges(repo, undefined, changes, "Initial commit", now);
  moveBranch(repo, repo.defaultBranch, commit.sha, now);
  state.repos.set(`${input.owner}/${input.name}`.toLowerCase(), repo);
  return repo;
}

/** Commits one file change (or a deletion with `null`) on `branch` (default: the default branch); no webhook, pull requests not followed. */
export function setFile(
  state: FakeState,
  repo: RepoRecord,
  path: string,
  content: string | Uint8Array | null,
  options: { branch?: string; message?: string; author?: { name: string; email: string } } = {},
): { commit: CommitRecord; blob: BlobRecord | undefined } {
  const branch = options.branch ?? repo.defaultBranch;
  const parent = branchSha(repo, branch) ?? resolveRef(repo, undefined)?.sha;
  const p = normalisePath(path);
  const now = state.clock.now();
  const commit = commitChanges(
    repo,
    parent,
    new Map([[p, content === null ? null : Buffer.from(content)]]),
    options.message ?? `${content === null ? "Delete" : "Update"} ${p}`,
    now,
    options.author ?? FAKE_AUTHOR,
  );
  moveBranch(repo, branch, commit.sha, now);
  return { commit, blob: commit.tree.get(p) };
}
