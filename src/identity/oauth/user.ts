import type { HookyardOctokit } from "../../github/octokit.js";
import type { Profile } from "./github-oauth.js";

/** The logged-in user a `requireUser()` route gets as `request.user`. */
export interface GitHubUser {
  readonly id: number;
  readonly login: string;
  readonly name: string | null;
  readonly avatarUrl: string;
  /** An Octokit authenticated as this user (their token, refreshed when it expires). Made on first use. */
  readonly octokit: HookyardOctokit;
  /** `{ id, login, name, avatarUrl }`: never the token. */
  toJSON(): { id: number; login: string; name: string | null; avatarUrl: string };
}

/** Answers about users (repository permissions, teams) kept briefly, per user. */
export class AnswerCache {
  private readonly entries = new Map<string, { value: unknown; until: number }>();

  constructor(private readonly ttlMs: number, private readonly now: () => number, private readonly max = 10_000) {}

  get<T>(uid: number, key: string): T | undefined {
    const k = `${uid}:${key}`;
    const e = this.entries.get(k);
    if (!e) return undefined;
    if (e.until <= this.now()) {
      this.entries.delete(k);
      return undefined;
    }
    return e.value as T;
  }

  set(uid: number, key: string, value: unknown): void {
    const k = `${uid}:${key}`;
    this.entries.delete(k);
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(k, { value, until: this.now() + this.ttlMs });
  }

  /** Drops everything known about one user (their authorization was revoked). */
  forget(uid: number): void {
    const prefix = `${uid}:`;
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}

const caches = new WeakMap<GitHubUser, AnswerCache>();

/** The answer cache of a user made by the login service (undefined for other objects). */
export function cacheOf(user: GitHubUser): AnswerCache | undefined {
  return caches.get(user);
}

/** A {@link GitHubUser} for a profile and token; its Octokit is built on first use. */
export function makeUser(profile: Profile, token: string, octokitFor: (token: string, userId: number) => HookyardOctokit, cache: AnswerCache): GitHubUser {
  let octokit: HookyardOctokit | undefined;
  const user: GitHubUser = {
    id: profile.id,
    login: profile.login,
    name: profile.name,
    avatarUrl: profile.avatarUrl,
    get octokit() {
      return (octokit ??= octokitFor(token, profile.id));
    },
    toJSON: () => ({ id: profile.id, login: profile.login, name: profile.name, avatarUrl: profile.avatarUrl }),
  };
  caches.set(user, cache);
  return user;
}
