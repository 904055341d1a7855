import type { CachedToken, TokenStore } from "./token-store.js";

/** What a token is asked for with: narrower permissions or repositories make another token. */
export interface TokenRequest {
  installationId: number;
  permissions?: Record<string, string>;
  repositoryIds?: number[];
}

export interface InstallationTokensOptions {
  /** Identifies the App and host in cache keys, e.g. `12345@api.github.com`. */
  scope: string;
  store: TokenStore;
  /** Asks GitHub for a new token (POST /app/installations/{id}/access_tokens). */
  fetch: (req: TokenRequest) => Promise<CachedToken>;
  /** A token is replaced this long before its `expires_at` (default 5 minutes). */
  refreshBeforeMs?: number;
  now?: () => number;
  /** How long a fleet member waits for another member's fetch before fetching itself (default 10 s). */
  lockMs?: number;
  /** Waits between looks at the store while another member fetches (default 50 ms). */
  pause?: (ms: number) => Promise<void>;
}

/**
 * Installation tokens, cached per App + host + installation + permissions and replaced ahead of
 * their `expires_at` (not their age). One fetch per key is in flight at a time in this process,
 * and — with a shared store — across the fleet.
 *
 * @example
 * ```ts
 * const { token } = await tokens.get({ installationId: 42 });
 * ```
 */
export class InstallationTokens {
  private readonly inFlight = new Map<string, Promise<CachedToken>>();
  private readonly now: () => number;
  private readonly refreshBeforeMs: number;

  constructor(private readonly o: InstallationTokensOptions) {
    this.now = o.now ?? Date.now;
    this.refreshBeforeMs = o.refreshBeforeMs ?? 5 * 60_000;
  }

  /** A token valid for at least the refresh margin. */
  get(req: TokenRequest): Promise<CachedToken> {
    const key = this.keyOf(req);
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.resolve(key, req).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /** Forgets a token GitHub refused (revoked, or the installation's permissions changed). */
  async invalidate(req: TokenRequest): Promise<void> {
    await this.o.store.delete(this.keyOf(req));
  }

  private fresh(t: CachedToken | undefined): t is CachedToken {
    return t !== undefined && t.expiresAt - this.now() > this.refreshBeforeMs;
  }

  private async resolve(key: string, req: TokenRequest): Promise<CachedToken> {
    const cached = await this.o.store.get(key);
    if (this.fresh(cached)) return cached;
    const lockMs = this.o.lockMs ?? 10_000;
    const pause = this.o.pause ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const giveUpAt = this.now() + lockMs;
    // another member of the fleet may be fetching this very token: wait for its result
    while (!(await this.o.store.lock(key, lockMs))) {
      if (this.now() >= giveUpAt) break;
      await pause(50);
      const theirs = await this.o.store.get(key);
      if (this.fresh(theirs)) return theirs;
    }
    try {
      const again = await this.o.store.get(key);
      if (this.fresh(again)) return again;
      const token = await this.o.fetch(req);
      await this.o.store.set(key, token);
      return token;
    } finally {
      await this.o.store.unlock(key);
    }
  }

  private keyOf(req: TokenRequest): string {
    const perms = req.permissions ? Object.entries(req.permissions).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(",") : "*";
    const repos = req.repositoryIds ? [...req.repositoryIds].sort((a, b) => a - b).join(",") : "*";
    return `${this.o.scope}:${req.installationId}:${perms}:${repos}`;
  }
}
