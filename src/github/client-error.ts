import { UnrecoverableError } from "../steering/steer.js";

interface RequestErrorLike {
  status?: unknown;
  message?: string;
  request?: unknown;
  response?: unknown;
}

/**
 * GitHub refused a request with a 4xx answer that is not a rate limit (`404`, `422`, `403` without
 * rate-limit headers, …). Thrown out of `ctx.octokit` in place of Octokit's `RequestError`, it
 * fails the task for good: sending the same request again would be refused again, and a retried
 * handler may repeat what it already did (a second comment). It keeps the `RequestError`'s
 * `status`, `request` and `response` (and the original as `cause`), so `if (err.status === 404)`
 * in a handler works as before; `instanceof RequestError` does not.
 *
 * @example
 * ```ts
 * try { await ctx.octokit.rest.repos.getContent(ctx.repo({ path: "x" })); }
 * catch (err) { if ((err as GitHubRequestRejected).status !== 404) throw err; }
 * ```
 */
export class GitHubRequestRejected extends UnrecoverableError {
  readonly code = "HOOKYARD_ERR_GITHUB_REQUEST_REJECTED";
  readonly status: number;
  readonly request: unknown;
  readonly response: unknown;

  constructor(error: RequestErrorLike & { status: number }) {
    super(error.message ?? `GitHub answered ${error.status}`, { cause: error });
    this.name = "GitHubRequestRejected";
    this.status = error.status;
    this.request = error.request;
    this.response = error.response;
  }
}

/** Whether a failed request is a 4xx answer (rate limits are handled before this is asked). */
export function isClientError(error: unknown): error is RequestErrorLike & { status: number } {
  const status = (error as RequestErrorLike | null)?.status;
  return typeof status === "number" && status >= 400 && status < 500;
}
