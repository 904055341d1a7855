import type { Logger } from "pino";

/**
 * Environment names Probot (or its older versions) reads that Hookyard does not honour, and what to
 * do instead. Each set one is warned about at start-up, so nothing is ignored without a word.
 */
export const UNHONOURED_PROBOT_ENV: Record<string, string> = {
  GITHUB_TOKEN: "token authentication is not supported: configure a GitHub App (APP_ID + PRIVATE_KEY)",
  IGNORED_ACCOUNTS: "Probot ≤ 9's account filter is not supported: check context.payload in the handler",
  DISABLE_STATS: "Probot ≤ 9's /probot/stats is not served",
  DISABLE_WEBHOOK_EVENT_CHECK: "the event check only warns at load; there is nothing to disable",
  INSTALLATION_TOKEN_TTL: "installation tokens are refreshed by their expires_at",
  WEBHOOK_PROXY_SECRET: "not a Probot setting: WEBHOOK_SECRET checks proxied deliveries",
};

/**
 * Logs one warning per Probot environment name that is set but not honoured by Hookyard.
 *
 * @example
 * ```ts
 * warnUnhonouredProbotEnv(process.env, app.log);
 * ```
 */
export function warnUnhonouredProbotEnv(env: NodeJS.ProcessEnv, log: Pick<Logger, "warn">): string[] {
  const set = Object.keys(UNHONOURED_PROBOT_ENV).filter((name) => (env[name] ?? "") !== "");
  for (const name of set) log.warn({ env: name }, `${name} is set but Hookyard does not honour it: ${UNHONOURED_PROBOT_ENV[name]}`);
  return set;
}
