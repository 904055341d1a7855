import { Octokit as Core } from "@octokit/core";
import type { Constructor } from "@octokit/core/types";
import { paginateRest, type PaginateInterface } from "@octokit/plugin-paginate-rest";
import { legacyRestEndpointMethods, type Api } from "@octokit/plugin-rest-endpoint-methods";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import type { Logger } from "pino";
import { githubRequestHook } from "../observability/github-request-log.js";
import { remainingOf, reportGitHubResponse } from "../observability/github-requests.js";
import type { Circuit } from "../steering/circuit.js";
import { guardRequests } from "./circuit.js";
import { GitHubRequestRejected, isClientError } from "./client-error.js";
import { RateLimitedError, rateLimitedUntil } from "./rate-limit.js";
import type { SharedThrottle } from "./shared-throttle.js";

/**
 * The Octokit handlers get: REST methods both as `octokit.rest.issues.…` (Probot 14) and
 * `octokit.issues.…` (Probot 12–13 and the extensions written for them), pagination, retries of
 * transient failures, and throttling of writes per installation.
 */
export const HookyardOctokit: typeof Core & Constructor<Api["rest"] & Api & { paginate: PaginateInterface }> = Core.plugin(
  legacyRestEndpointMethods, paginateRest, retry, throttling,
);
export type HookyardOctokit = InstanceType<typeof HookyardOctokit>;

export interface OctokitFactoryOptions {
  baseUrl: string;
  log: Logger;
  /** Sent as `x-hookyard-delivery` on every request, so GitHub-side traces can be joined to ours. */
  deliveryId?: string;
  /** Throttle group: requests of one installation share write pacing (default: none). */
  throttleId?: string;
  /** The installation whose token this Octokit uses (metrics: rate limit remaining per installation). */
  installationId?: number;
  /** Pace writes as GitHub recommends (default true; tests of many writes turn it off). */
  throttle?: boolean;
  /** Pace in Redis with every process of the fleet (`REDIS_URL`) instead of in this process. */
  sharedThrottle?: SharedThrottle;
  /** Authentication: an auth strategy and its options, or none. */
  authStrategy?: unknown;
  auth?: unknown;
  /** The host's circuit breaker: requests are not made while it is open (the task is deferred). */
  circuit?: Circuit;
  now?: () => number;
  /**
   * Let a task retry after GitHub refused a request with a 4xx that is not a rate limit (default
   * false: such an answer fails the task for good, as a {@link GitHubRequestRejected}).
   */
  retryClientErrors?: boolean;
  /**
   * The Octokit class to build (Probot's `Octokit` option), e.g. `ProbotOctokit.defaults({ retry: { enabled: false },
   * throttle: { enabled: false } })`: its own `retry` and `throttle` defaults are kept. Default {@link HookyardOctokit}.
   */
  Octokit?: typeof HookyardOctokit;
}

/** Builds `Octokit` with `base`; a class other than ours keeps its own retry/throttle defaults, and gets ours only where it has none. */
function construct(Octokit: typeof HookyardOctokit, base: Record<string, unknown>, ours: Record<string, unknown>): HookyardOctokit {
  if (Octokit === HookyardOctokit) return new Octokit({ ...base, ...ours });
  try {
    return new Octokit(base);
  } catch (err) {
    // the throttling plugin needs handlers when the class's defaults do not turn it off
    if (!/onRateLimit/.test((err as Error).message)) throw err;
    return new Octokit({ ...base, throttle: ours.throttle as never });
  }
}

/**
 * Builds a {@link HookyardOctokit}. A spent rate limit is never waited out in memory: the request
 * fails with a {@link RateLimitedError} carrying the reset time, and the task runner reschedules.
 * Any other 4xx answer fails with a {@link GitHubRequestRejected}, which fails the task without
 * retries (unless `retryClientErrors`); 5xx answers and network errors are retried (by
 * `@octokit/plugin-retry`, then by the task's backoff).
 *
 * @example
 * ```ts
 * const octokit = createOctokit({ baseUrl: "https://api.github.com", log });
 * ```
 */
export function createOctokit(o: OctokitFactoryOptions): HookyardOctokit {
  const now = o.now ?? Date.now;
  const base = {
    baseUrl: o.baseUrl,
    userAgent: "hookyard",
    ...(o.authStrategy ? { authStrategy: o.authStrategy as never, auth: o.auth } : {}),
    log: {
      debug: (msg: string) => o.log.debug(msg),
      info: (msg: string) => o.log.info(msg),
      warn: (msg: string) => o.log.warn(msg),
      error: (msg: string) => o.log.error(msg),
    },
  };
  const octokit = construct(o.Octokit ?? HookyardOctokit, base, {
    throttle: o.throttle === false
      ? { enabled: false }
      : {
          id: o.throttleId ?? "hookyard",
          ...(o.sharedThrottle ? { ...o.sharedThrottle.groups, clustering: true } : {}),
          // never hold a task in memory for a limit: fail now, the runner queues it for the reset
          onRateLimit: () => false,
          onSecondaryRateLimit: () => false,
        },
    retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
  });
  // one log line (and, with tracing on, one span) per request; retries and throttling happen inside it
  octokit.hook.wrap("request", githubRequestHook(o.log) as never);
  const deliveryId = o.deliveryId;
  if (deliveryId) {
    octokit.hook.before("request", (options) => {
      options.headers["x-hookyard-delivery"] = deliveryId;
    });
  }
  // every answer (and every request that got none) is reported: metrics count them by status
  const seen = (status: number, headers?: Record<string, unknown>) => {
    const rateLimitRemaining = remainingOf(headers);
    reportGitHubResponse({ status, ...(o.installationId !== undefined ? { installationId: o.installationId } : {}), ...(rateLimitRemaining !== undefined ? { rateLimitRemaining } : {}) });
  };
  octokit.hook.after("request", (response) => seen(response.status, response.headers as Record<string, unknown>));
  octokit.hook.error("request", (error) => {
    const failed = error as { status?: unknown; response?: { headers?: Record<string, unknown> } };
    seen(typeof failed.status === "number" ? failed.status : 0, failed.response?.headers);
    const until = rateLimitedUntil(error, now());
    if (until !== undefined) throw new RateLimitedError(until, (error as Error).message, { cause: error });
    if (o.retryClientErrors !== true && isClientError(error)) throw new GitHubRequestRejected(error);
    throw error;
  });
  // outside the hooks above: a request the open circuit stops is neither made nor counted
  if (o.circuit) guardRequests(octokit, o.circuit);
  return octokit;
}
