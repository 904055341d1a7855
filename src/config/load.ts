import { z } from "zod";
import { HookyardError } from "../errors.js";
import { CONFIG_FIELDS, type ConfigInput, type ConfigKey, type HookyardConfig } from "./schema.js";

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
  const out: Record<string, unknown> = {};
  for (const key of KEYS) {
    const field = CONFIG_FIELDS[key];
    const fromOption = (options as Record<string, unknown>)[key];
    const fromEnv = env[field.env];
    const raw = fromOption ?? (fromEnv === undefined || fromEnv === "" ? undefined : fromEnv) ?? field.default;
    if (raw === undefined) {
      out[key] = key === "webhookSecret" ? [] : undefined;
      continue;
    }
    const parsed = (field.schema as z.ZodType).safeParse(raw);
    if (!parsed.success) {
      const detail = parsed.error.issues[0]?.message ?? "invalid value";
      const source = fromOption !== undefined ? `option ${key}` : fromEnv !== undefined ? `environment variable ${field.env}` : `default of ${key}`;
      throw new HookyardError("HOOKYARD_ERR_CONFIG_INVALID", `invalid ${source}: ${detail}`);
    }
    out[key] = parsed.data ?? (key === "webhookSecret" ? [] : undefined);
  }
  const config = out as unknown as HookyardConfig;
  if (config.requestTimeout > 0 && config.headersTimeout > config.requestTimeout) {
    throw new HookyardError("HOOKYARD_ERR_CONFIG_INVALID", "invalid HOOKYARD_HEADERS_TIMEOUT: it must not be longer than HOOKYARD_REQUEST_TIMEOUT (the headers are part of the request)");
  }
  if (config.role === "ingress") config.workers = false; // an ingress process only stores and enqueues
  // REDIS_URL keeps Probot's meaning (shared token cache and throttling); only HOOKYARD_STORE chooses the store
  return config;
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
