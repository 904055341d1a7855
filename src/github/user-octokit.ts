import type { Logger } from "pino";
import { createOctokit, type HookyardOctokit } from "./octokit.js";

/**
 * An Octokit that acts as a user, with their OAuth token (what `request.user.octokit` is). Writes
 * are paced per user; a spent rate limit fails fast with `HOOKYARD_ERR_GITHUB_RATE_LIMITED`.
 *
 * @example
 * ```ts
 * const octokit = userOctokit({ baseUrl: "https://api.github.com", token, log, userId: 583231 });
 * ```
 */
export function userOctokit(o: { baseUrl: string; token: string; log: Logger; userId?: number; now?: () => number }): HookyardOctokit {
  const octokit = createOctokit({ baseUrl: o.baseUrl, log: o.log, throttleId: `user:${o.userId ?? "?"}`, ...(o.now ? { now: o.now } : {}) });
  const authorization = `token ${o.token}`;
  octokit.hook.before("request", (options) => {
    options.headers.authorization = authorization;
  });
  return octokit;
}
