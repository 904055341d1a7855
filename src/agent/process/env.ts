import { HookyardError } from "../../errors.js";

/** Variables every agent gets from the server's environment, when set. */
const BASE = ["PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TERM"];

/** Server secrets that never reach an agent, even when named in `passEnv`. */
const NEVER = new Set([
  "WEBHOOK_SECRET", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "HOOKYARD_API_TOKEN", "HOOKYARD_STORE", "REDIS_URL", "DATABASE_URL",
  "GITHUB_CLIENT_SECRET", "GITHUB_CLIENT_ID", "HOOKYARD_SESSION_SECRET", "GH_TOKEN", "GITHUB_TOKEN", "APP_ID",
  // the webhook proxy channel reads every delivery; the Sentry DSN lets its holder post events
  "WEBHOOK_PROXY_URL", "SENTRY_DSN",
]);

/**
 * Refuses a `passEnv` that names one of the server's own secrets.
 *
 * @example
 * ```ts
 * assertPassable(["ANTHROPIC_API_KEY"]); // ok
 * ```
 */
export function assertPassable(names: readonly string[]): void {
  for (const name of names) {
    if (NEVER.has(name) || name.startsWith("HOOKYARD_") || name.startsWith("GIT_")) {
      throw new HookyardError("HOOKYARD_ERR_CONFIG_INVALID", `HOOKYARD_AGENT_PASS_ENV may not pass ${name} to the agent: it is the server's own setting`);
    }
  }
}

/**
 * The agent's environment, built from an allow-list: PATH, HOME, locale (`LC_*` too), the
 * variables `passEnv` names, and the workflow's own `extra` (task and result files). Nothing
 * else of the server's environment is passed.
 *
 * @example
 * ```ts
 * const env = agentEnv(process.env, ["ANTHROPIC_API_KEY"], { HOOKYARD_TASK_FILE: file });
 * ```
 */
export function agentEnv(from: NodeJS.ProcessEnv, passEnv: readonly string[], extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(from)) {
    if (value === undefined) continue;
    if (BASE.includes(name) || name.startsWith("LC_") || (passEnv.includes(name) && !NEVER.has(name))) env[name] = value;
  }
  return { ...env, ...extra };
}
