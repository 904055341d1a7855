import type { FakeClock } from "./clock.js";
import type { GraphQLCall, GraphQLData, GraphQLMatcher, FakeGraphQL } from "./graphql/answers.js";
import type { FakeCommit, FakeGitHubActors } from "./helper-types.js";
import type { RequestLog, RequestMatch } from "./requests.js";
import type { FakeIdentity } from "./identity.js";
import type { Schemas } from "./shapes/urls.js";
import type { Permissions } from "./state.js";
import type { IssuedToken } from "./tokens.js";

export type { FakeClock, FakeGraphQL, GraphQLCall, GraphQLData, GraphQLMatcher, IssuedToken, Permissions, RequestLog, RequestMatch };
export type * from "./helper-types.js";

/** Options of {@link createFakeGitHub}; every one has a default. */
export interface FakeGitHubOptions {
  /** The App's id (default: a generated number). JWTs may carry it, or the client id, as `iss`. */
  appId?: number;
  /** Default `Hookyard Test App`; the slug is derived from it unless `slug` is given. */
  name?: string;
  slug?: string;
  clientId?: string;
  clientSecret?: string;
  /** The App's private key (PEM). Omitted: an RSA 2048 key pair is generated; read it from `fake.privateKey`. */
  privateKey?: string;
  /** Where webhooks go (can be set later with `fake.setWebhookUrl`). Omitted: deliveries are logged as failed. */
  webhookUrl?: string;
  /** The webhook secret (default: random, readable as `fake.webhookSecret`). */
  webhookSecret?: string;
  /** The App's permissions, and the default of every installation's. */
  permissions?: Permissions;
  /**
   * The events the App subscribes to (default: check_run, check_suite, issue_comment, issues, label,
   * pull_request, pull_request_review, pull_request_review_comment, push, workflow_job, workflow_run).
   */
  events?: string[];
  /** The clock in ms (default `Date.now`); `fake.clock.advance(ms)` moves the fake on top of it. */
  now?: () => number;
  /** How far the fake's clock (its `Date` header and JWT checks) runs from the caller's: positive = ahead. */
  clockSkewMs?: number;
  /** Installation token lifetime (default 1 hour). */
  tokenTtlMs?: number;
  /** Requests per hour per installation, user or App (default 5000). */
  rateLimit?: number;
  /** Base of `html_url`s (default `https://github.com`). */
  htmlUrl?: string;
  /**
   * Base of `clone_url` / `git_url` (default: the fake's own URL, which serves git's smart HTTP
   * protocol). Set it when the clones should go through a proxy of yours.
   */
  gitUrl?: string;
}

/** One request the fake answered, for asserting what a client did. */
export interface RequestLogEntry {
  /** The `x-github-request-id` the fake answered with. */
  id: string;
  method: string;
  /** The path without the query string, e.g. `/repos/acme/widgets/issues`. */
  path: string;
  /** Path and query string. */
  url: string;
  status: number;
  /** The kind of credential presented (valid or not). */
  auth: "app" | "installation" | "user" | "none" | "unknown";
  /** Whether the credential was accepted. */
  authenticated: boolean;
  appId: number | undefined;
  installationId: number | undefined;
  /** The request headers as sent (lower-case names), `authorization` redacted. */
  headers: Record<string, string>;
  /** When, by the fake's clock. */
  at: Date;
  /** The JSON request body, when there was one (fields named like secrets, codes or tokens `[redacted]`). */
  body?: unknown;
}

/** An installation created with `fake.addInstallation`. */
export interface FakeInstallation {
  id: number;
  appId: number;
  account: { login: string; id: number; type: "User" | "Organization" };
  repositorySelection: "all" | "selected";
}

/** A repository created with `fake.addRepo`. */
export interface FakeRepo {
  id: number;
  owner: string;
  name: string;
  /** `owner/name` */
  fullName: string;
  defaultBranch: string;
  /** The commit at the tip of the default branch when the repository was created. */
  headSha: string;
}

/** A GitHub App manifest (the fields the fake reads; others are accepted and ignored). */
export interface AppManifest {
  name?: string;
  url?: string;
  description?: string;
  hook_attributes?: { url: string; active?: boolean };
  redirect_url?: string;
  callback_urls?: string[];
  setup_url?: string;
  public?: boolean;
  default_permissions?: Permissions;
  default_events?: string[];
  [key: string]: unknown;
}

/** Read-back of the fake's data, in GitHub's response shapes, for assertions. `repo` is `owner/name`. */
export interface FakeGitHubState {
  /** Every issue and pull request (as issues), by number. */
  issues(repo: string): Schemas["issue"][];
  issue(repo: string, number: number): Schemas["issue"] | undefined;
  /** Comments of one issue, or of the whole repository. */
  comments(repo: string, issueNumber?: number): Schemas["issue-comment"][];
  /** The repository's labels. */
  labels(repo: string): Schemas["label"][];
  pulls(repo: string): Schemas["pull-request"][];
  checkRuns(repo: string): Schemas["check-run"][];
  /** A file's text at `ref` (default branch when omitted), or undefined. */
  file(repo: string, path: string, ref?: string): string | undefined;
  /** The sha a ref (`heads/main`, `main`, `refs/heads/main`) points at, or undefined. */
  ref(repo: string, ref: string): string | undefined;
  /** The commit a ref or sha names (default branch when omitted), read from the repository's git data. */
  commit(repo: string, ref?: string): FakeCommit | undefined;
  /** A branch: its tip's sha and commit (author, message, files), or undefined. */
  branch(repo: string, name: string): (FakeCommit & { name: string }) | undefined;
  /** The commits reachable from `ref` (default branch when omitted), newest first. */
  log(repo: string, ref?: string): FakeCommit[];
  /** The bare git repository behind `repo` (for `git --git-dir <dir> …` in a test). */
  gitDir(repo: string): string;
  /** Reviews of a pull request (`pull-request-review`), oldest first. */
  reviews(repo: string, pullNumber: number): Schemas["pull-request-review"][];
  /** Review comments of a pull request (`pull-request-review-comment`), oldest first. */
  reviewComments(repo: string, pullNumber: number): Schemas["pull-request-review-comment"][];
  installations(): Schemas["installation"][];
}

/** A running fake GitHub; see {@link createFakeGitHub}. */
export interface FakeGitHub extends FakeGitHubActors, FakeIdentity {
  /** Base URL for Octokit's `baseUrl`, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /**
   * Base of the repositories' clone URLs (`${gitUrl}/acme/widgets.git`); by default the fake's own
   * URL, where `git clone` / `git push` work with an installation token as the password.
   */
  readonly gitUrl: string;
  readonly appId: number;
  readonly slug: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The App's private key, PKCS#1 PEM as GitHub hands it out. */
  readonly privateKey: string;
  /** The secret webhooks of the fake's App are signed with. */
  readonly webhookSecret: string;
  readonly clock: FakeClock;
  /** Every request answered, oldest first; `find(match)`, `findAll(match)` and `expect(match)` assert on them (see {@link RequestMatch}). */
  readonly requests: RequestLog;
  /** `POST /graphql`: `graphql.queries` received, `graphql.answer(matcher, data)` to answer a query. */
  readonly graphql: FakeGraphQL;
  /** Every installation access token issued, oldest first. */
  readonly tokensIssued: readonly IssuedToken[];
  /** Every delivery attempt of every App, oldest first, as `GET /app/hook/deliveries/{id}` shows it. */
  readonly deliveries: readonly Schemas["hook-delivery"][];
  readonly state: FakeGitHubState;

  addInstallation(input: {
    account: string | { login: string; type?: "User" | "Organization" };
    repositories?: string[];
    permissions?: Permissions;
    events?: string[];
    appId?: number;
  }): FakeInstallation;
  addRepo(input: {
    owner: string;
    name: string;
    files?: Record<string, string | Uint8Array>;
    defaultBranch?: string;
    private?: boolean;
    description?: string | null;
  }): FakeRepo;
  /** Commits one file (or deletes it with `null`) on a branch (default: the default branch) as a real git commit; no webhook (open pull requests of that branch follow it). */
  setFile(repo: string, path: string, content: string | Uint8Array | null, options?: { branch?: string; message?: string }): { commitSha: string; sha: string | null };
  /** Creates (or moves) a branch at a commit (default: the default branch's tip); no webhook. */
  addBranch(repo: string, branch: string, fromSha?: string): string;
  /** Seeds an issue without sending webhooks. */
  addIssue(repo: string, input: { title: string; body?: string; labels?: string[]; user?: string; state?: "open" | "closed"; number?: number }): Schemas["issue"];
  /**
   * Seeds an open pull request without sending webhooks: `head` (default `fake-pr-<n>`) is created
   * from the base branch with one empty commit when it does not exist; `number` (when free) fixes its number.
   */
  addPullRequest(repo: string, input: { title: string; body?: string; head?: string; base?: string; user?: string; labels?: string[]; draft?: boolean; number?: number }): Schemas["pull-request"];
  /** Seeds a repository label. */
  addLabel(repo: string, input: { name: string; color?: string; description?: string }): Schemas["label"];
  addUser(input: { login: string; name?: string; email?: string }): { id: number; login: string };

  setWebhookUrl(url: string | undefined, options?: { appId?: number }): void;
  /** `true`: every delivery fails as unreachable; a number: as if the receiver answered it; `false`: send for real. */
  failWebhooks(mode: boolean | number): void;
  /**
   * Sends a webhook like GitHub would (signed, logged). With `installationId`, `payload.installation`
   * is set to it and the installation's App sends it. Resolves once the attempt is logged.
   */
  sendWebhook(event: string, payload: Record<string, unknown>, options?: { installationId?: number; appId?: number }): Promise<Schemas["hook-delivery"]>;
  /** Resolves once no webhook send is in flight. */
  idle(): Promise<void>;

  /** Overrides the primary rate limit of one installation, or (no id) of every caller. `resetAt`: Date or epoch ms. */
  setRateLimit(input: { installationId?: number; remaining?: number; limit?: number; resetAt?: Date | number }): void;
  /** Makes the next `requests` (default 1) authenticated requests hit a secondary rate limit. */
  triggerSecondaryRateLimit(input?: { installationId?: number; status?: 403 | 429; retryAfterSeconds?: number; requests?: number }): void;

  /** A code for `POST /app-manifests/{code}/conversions` (one use, one hour). */
  createManifestCode(manifest: AppManifest, options?: { owner?: string }): string;
  /** A code for `POST /login/oauth/access_token` as GitHub's redirect would carry (one use, ten minutes). */
  createOAuthCode(input: { login: string; codeChallenge?: string; redirectUri?: string; clientId?: string }): string;

  /** Stops the server and aborts webhook sends in flight. */
  close(): Promise<void>;
}
