/** What one GitHub API request ended with, as the Octokit hook reports it. */
export interface GitHubResponseInfo {
  /** HTTP status, or 0 when no answer came (network error, timeout). */
  status: number;
  /** The installation whose token made the request, when it is one. */
  installationId?: number;
  /** `x-ratelimit-remaining` of the answer, when GitHub sent it. */
  rateLimitRemaining?: number;
}

const listeners = new Set<(info: GitHubResponseInfo) => void>();

/**
 * Listens to every GitHub API response of this process's Octokits (metrics). Returns the unsubscriber.
 *
 * @example
 * ```ts
 * const off = onGitHubResponse(({ status }) => counter.inc({ status: String(status) }));
 * ```
 */
export function onGitHubResponse(listener: (info: GitHubResponseInfo) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Called by the Octokit hook; a listener that throws never breaks the request. */
export function reportGitHubResponse(info: GitHubResponseInfo): void {
  for (const listener of listeners) {
    try {
      listener(info);
    } catch {
      // metrics must not break a GitHub call
    }
  }
}

/** The `x-ratelimit-remaining` header as a number, if present. */
export function remainingOf(headers: Record<string, unknown> | undefined): number | undefined {
  const raw = headers?.["x-ratelimit-remaining"];
  const n = typeof raw === "string" || typeof raw === "number" ? Number(raw) : NaN;
  return Number.isFinite(n) ? n : undefined;
}
