import { HookyardError } from "../errors.js";
import { CONFIG_FIELDS, CONFIG_SCHEMA, type ConfigInput, type ConfigKey, type HookyardConfig } from "./schema.js";

const KEYS = Object.keys(CONFIG_FIELDS) as ConfigKey[];

/**
 * Resolves the configuration: explicit options win over environment variables, which win over
 * defaults. Every value is validated; the first problem raises `HOOKYARD_ERR_CONFIG_INVALID`
 * naming the setting (never its value, which may be a secret).
 *
 * @example
 * ```ts
 * const config = loadConfig({ port: 0 }, process.env);
 * ```
 */
export function loadConfig(options: ConfigInput = {}, env: NodeJS.ProcessEnv = process.env): HookyardConfig {
  const raw: Record<string, unknown> = {};
  for (const key of KEYS) {
    const fromEnv = env[CONFIG_FIELDS[key].env];
    raw[key] = options[key] ?? (fromEnv === "" ? undefined : fromEnv) ?? CONFIG_FIELDS[key].default;
  }
  const parsed = CONFIG_SCHEMA.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = KEYS.find((k) => k === issue?.path[0]);
    throw new HookyardError("HOOKYARD_ERR_CONFIG_INVALID", `invalid ${key === undefined ? "configuration" : sourceOf(key, options, env)}: ${issue?.message ?? "invalid value"}`);
  }
  const config: HookyardConfig = parsed.data;
  if (config.requestTimeout > 0 && config.headersTimeout > config.requestTimeout) {
    throw new HookyardError("HOOKYARD_ERR_CONFIG_INVALID", "invalid HOOKYARD_HEADERS_TIMEOUT: it must not be longer than HOOKYARD_REQUEST_TIMEOUT (the headers are part of the request)");
  }
  if (config.role === "ingress") config.workers = false; // an ingress process only stores and enqueues
  // REDIS_URL keeps Probot's meaning (shared token cache and throttling); only HOOKYARD_STORE chooses the store
  return config;
}

/** Where a setting's value came from, for an error message (never the value: it may be a secret). */
function sourceOf(key: ConfigKey, options: ConfigInput, env: NodeJS.ProcessEnv): string {
  if (options[key] !== undefined) return `option ${key}`;
  return env[CONFIG_FIELDS[key].env] !== undefined ? `environment variable ${CONFIG_FIELDS[key].env}` : `default of ${key}`;
}

/**
 * One setting as the environment spells it, else its default — unvalidated. For CLI commands that
 * need one setting (the port to call, the store to migrate) without loading the whole configuration.
 *
 * @example
 * ```ts
 * const url = `http://127.0.0.1:${rawSetting("port")}`; // PORT, else 3000
 * ```
 */
export function rawSetting<K extends ConfigKey>(key: K, env: NodeJS.ProcessEnv = process.env): string | (typeof CONFIG_FIELDS)[K]["default"] {
  return env[CONFIG_FIELDS[key].env] ?? CONFIG_FIELDS[key].default;
}

/** Throws `HOOKYARD_ERR_CONFIG_NO_SECRET` unless a secret is set or insecure mode was asked for. */
export function assertWebhookSecret(config: HookyardConfig): void {
  if (config.webhookSecret.length === 0 && !config.insecureNoSecret) {
    throw new HookyardError(
      "HOOKYARD_ERR_CONFIG_NO_SECRET",
      "no webhook secret configured: set WEBHOOK_SECRET (the secret of your GitHub App's webhook), or HOOKYARD_INSECURE_NO_SECRET=1 for local experiments",
    );
  }
}
