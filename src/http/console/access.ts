import type { FastifyReply, FastifyRequest } from "fastify";
import { HookyardError, isHookyardError } from "../../errors.js";
import { userInTeam, type OAuthService } from "../../identity/oauth/index.js";
import { httpStatus } from "../error-status.js";

/** Who may use the console through GitHub login. */
export interface ConsoleAllowList {
  users: readonly string[];
  teams: readonly string[];
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Whether `allow` names anyone: without a list, GitHub login opens nothing. */
export function allowsAnyone(allow: ConsoleAllowList): boolean {
  return allow.users.length > 0 || allow.teams.length > 0;
}

/**
 * The management API's second way in, for the console: a request with a GitHub login session of
 * a user on the allow-list (a login of `users`, or a member of one of `teams`). Resolves false when
 * there is no live session (the API then answers 401); a logged-in user not on the list is
 * `403 HOOKYARD_ERR_CONSOLE_FORBIDDEN`, and a state-changing request from another site's page
 * `403 HOOKYARD_ERR_OAUTH_CROSS_ORIGIN`.
 *
 * @example
 * ```ts
 * const admit = consoleSessionAccess(oauth, { users: ["octocat"], teams: ["acme/ops"] });
 * ```
 */
export function consoleSessionAccess(service: OAuthService, allow: ConsoleAllowList) {
  const users = new Set(allow.users.map((u) => u.toLowerCase()));
  return async function admit(req: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    if (!allowsAnyone(allow) || req.headers.cookie === undefined) return false;
    const user = await service.resolve(req, reply).catch((err: unknown) => {
      if (isHookyardError(err) && httpStatus(err.code) === 401) return null;
      throw err;
    });
    if (user === null) return false;
    if (!SAFE_METHODS.has(req.method)) {
      const origin = req.headers.origin;
      const foreign = origin !== undefined ? origin !== service.siteOf(req).origin : req.headers["sec-fetch-site"] === "cross-site";
      if (foreign) throw new HookyardError("HOOKYARD_ERR_OAUTH_CROSS_ORIGIN", "this request comes from another site's page");
    }
    if (users.has(user.login.toLowerCase())) return true;
    for (const team of allow.teams) if (await userInTeam(user, team)) return true;
    throw new HookyardError("HOOKYARD_ERR_CONSOLE_FORBIDDEN", `${user.login} is not allowed into the console (HOOKYARD_CONSOLE_USERS / HOOKYARD_CONSOLE_TEAMS)`);
  };
}
