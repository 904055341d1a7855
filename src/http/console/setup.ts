import type { HookyardConfig } from "../../config/index.js";
import { githubWebUrl, type OAuthService } from "../../identity/oauth/index.js";
import type { ApiOptions } from "../api/options.js";
import { allowsAnyone, consoleSessionAccess } from "./access.js";
import type { ConsoleOptions } from "./index.js";

/**
 * What the console adds to the server: the management API's second way in (GitHub login of an
 * allowed user, when login and an allow-list are configured) and the console routes' options.
 *
 * @example
 * ```ts
 * const { api, routes } = consoleSetup(config, oauth);
 * ```
 */
export function consoleSetup(config: HookyardConfig, oauth: OAuthService | undefined): { api: Pick<ApiOptions, "admit" | "webUrl">; routes: ConsoleOptions } {
  const allow = { users: config.consoleUsers, teams: config.consoleTeams };
  const admit = oauth && allowsAnyone(allow) ? consoleSessionAccess(oauth, allow) : undefined;
  return {
    api: { webUrl: githubWebUrl(config), ...(admit ? { admit } : {}) },
    routes: { githubLogin: admit !== undefined, tokenConfigured: config.apiToken !== undefined },
  };
}
