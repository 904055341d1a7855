import type { KeyObject } from "node:crypto";
import type { FakeClock } from "./clock.js";
import type { BlobRecord, CommitRecord, GitRepo } from "./git/repo.js";
import { IdSource } from "./ids.js";
import type { AccountRecord, AccountType } from "./account.js";
import type { CheckRunRecord, CheckSuiteRecord, JobRecord, RepoPermission, ReviewCommentRecord, ReviewRecord, WorkflowRunRecord } from "./records.js";

/** Permission levels as GitHub grants them to an App installation or token. */
export type PermissionLevel = "read" | "write" | "admin";
/** `{ issues: "write", contents: "read", … }` */
export type Permissions = Record<string, PermissionLevel>;


export interface AppRecord {
  id: number;
  slug: string;
  name: string;
  description: string | null;
  clientId: string;
  clientSecret: string;
  owner: AccountRecord;
  /** `<slug>[bot]`: the author of what the App does with an installation token. */
  bot: AccountRecord;
  publicKey: KeyObject;
  privateKey: string;
  webhookUrl: string | undefined;
  webhookSecret: string | undefined;
  hookId: number;
  permissions: Permissions;
  events: string[];
  externalUrl: string;
  callbackUrls: string[];
  createdAt: number;
}

export interface InstallationRecord {
  id: number;
  appId: number;
  account: AccountRecord;
  selection: "all" | "selected";
  /** With selection `selected`: the repositories the installation may see. */
  repoIds: Set<number>;
  permissions: Permissions;
  events: string[];
  createdAt: number;
}

export type { BlobRecord, CommitRecord };
export type * from "./records.js";
export type { AccountRecord, AccountType } from "./account.js";

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

export interface CommentRecord {
  id: number;
  issueNumber: number;
  body: string;
  user: AccountRecord;
  appId: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface PullRecord {
  id: number;
  headRef: string;
  headSha: string;
  baseRef: string;
  baseSha: string;
  draft: boolean;
  /** Set once merged: when, the commit the base branch moved to, and who merged. */
  merged?: { at: number; sha: string; by: AccountRecord } | undefined;
}

export interface IssueRecord {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  stateReason: "completed" | "reopened" | "not_planned" | null;
  user: AccountRecord;
  appId: number | null;
  labels: LabelRecord[];
  comments: number;
  locked: boolean;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  closedBy: AccountRecord | null;
  /** Set when this number is a pull request (issues and pulls share numbers, as on GitHub). */
  pull: PullRecord | undefined;
}

export interface RepoRecord {
  id: number;
  owner: AccountRecord;
  name: string;
  private: boolean;
  description: string | null;
  defaultBranch: string;
  createdAt: number;
  updatedAt: number;
  pushedAt: number;
  /** The bare repository holding the commits and refs (the one truth for git data). */
  git: GitRepo;
  /** Lower-cased name → label. */
  labels: Map<string, LabelRecord>;
  issues: Map<number, IssueRecord>;
  comments: CommentRecord[];
  checkRuns: Map<number, CheckRunRecord>;
  checkSuites: Map<number, CheckSuiteRecord>;
  workflowRuns: Map<number, WorkflowRunRecord>;
  /** Actions jobs by id (a job's id is its check run's id, as on GitHub). */
  jobs: Map<number, JobRecord>;
  reviews: ReviewRecord[];
  reviewComments: ReviewCommentRecord[];
  /** Lower-cased login → permission set with `fake.setPermission` (the owner is always `admin`). */
  permissions: Map<string, RepoPermission>;
  nextNumber: number;
}

/** The fake's in-memory world. Routes and seeding helpers read and change it; nothing else does. */
export class FakeState {
  readonly ids = new IdSource();
  readonly accounts = new Map<string, AccountRecord>();
  readonly apps = new Map<number, AppRecord>();
  readonly installations = new Map<number, InstallationRecord>();
  readonly repos = new Map<string, RepoRecord>();

  /** @param gitRoot the directory the bare repositories live in (removed by `fake.close()`). */
  constructor(readonly clock: FakeClock, readonly gitRoot: string) {}

  /** The account with `login`, created (as `type`) when it does not exist yet. */
  account(login: string, type: AccountType = "User"): AccountRecord {
    const key = login.toLowerCase();
    let acc = this.accounts.get(key);
    if (!acc) {
      acc = { id: this.ids.id(), login, type, name: null, email: null, createdAt: this.clock.now() };
      this.accounts.set(key, acc);
    }
    return acc;
  }

  findAccount(login: string): AccountRecord | undefined {
    return this.accounts.get(login.toLowerCase());
  }

  /** The account a commit email belongs to: its no-reply address (`123+login@users.noreply.github.com`) or its own email. */
  accountByEmail(email: string): AccountRecord | undefined {
    const noreply = /^\d+\+(.+)@users\.noreply\.github\.com$/i.exec(email);
    if (noreply?.[1]) return this.findAccount(noreply[1]);
    for (const a of this.accounts.values()) if (a.email !== null && a.email.toLowerCase() === email.toLowerCase()) return a;
    return undefined;
  }

  app(id: number): AppRecord | undefined {
    return this.apps.get(id);
  }

  appByClientId(clientId: string): AppRecord | undefined {
    for (const app of this.apps.values()) if (app.clientId === clientId) return app;
    return undefined;
  }

  repo(owner: string, name: string): RepoRecord | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  /** Finds a repository by `owner/name`, or throws (for the seeding helpers). */
  requireRepo(fullName: string): RepoRecord {
    const [owner, name] = fullName.split("/", 2);
    const repo = owner && name ? this.repo(owner, name) : undefined;
    if (!repo) throw new Error(`fake GitHub: no repository "${fullName}" (add it with fake.addRepo first)`);
    return repo;
  }

  repoById(id: number): RepoRecord | undefined {
    for (const repo of this.repos.values()) if (repo.id === id) return repo;
    return undefined;
  }

  /** Whether `installation` may see `repo`. */
  installationCovers(installation: InstallationRecord, repo: RepoRecord): boolean {
    if (installation.selection === "all") return repo.owner.id === installation.account.id;
    return installation.repoIds.has(repo.id);
  }

  /** The repositories an installation may see, oldest first. */
  installationRepos(installation: InstallationRecord): RepoRecord[] {
    return [...this.repos.values()].filter((r) => this.installationCovers(installation, r)).sort((a, b) => a.id - b.id);
  }

  /** Every installation (of any App) that can see `repo`. */
  installationsForRepo(repo: RepoRecord): InstallationRecord[] {
    return [...this.installations.values()].filter((i) => this.installationCovers(i, repo));
  }

  installationsOfApp(appId: number): InstallationRecord[] {
    return [...this.installations.values()].filter((i) => i.appId === appId).sort((a, b) => a.id - b.id);
  }
}
