import { pino, type Logger } from "pino";
import type { HookyardConfig } from "../config/index.js";

/** Header and field names whose values never reach a log line. */
export const REDACT_PATHS = [
  "req.headers.authorization",
  'req.headers["x-hub-signature"]',
  'req.headers["x-hub-signature-256"]',
  "headers.authorization",
  'headers["x-hub-signature"]',
  'headers["x-hub-signature-256"]',
  "webhookSecret",
  "apiToken",
  "token",
  "req.headers.cookie",
  "headers.cookie",
  'headers["set-cookie"]',
  "clientSecret",
  "sessionSecret",
];

/**
 * The process logger: JSON lines by default, human-readable with LOG_FORMAT=pretty.
 *
 * @example
 * ```ts
 * const log = createLogger({ logLevel: "info", logFormat: "json" });
 * log.info({ delivery: id }, "accepted");
 * ```
 */
export function createLogger(config: Pick<HookyardConfig, "logLevel" | "logFormat">): Logger {
  const options = { name: "hookyard", level: config.logLevel, redact: { paths: REDACT_PATHS, censor: "[redacted]" } };
  if (config.logFormat === "pretty") {
    return pino({ ...options, transport: { target: "pino-pretty", options: { colorize: process.stdout.isTTY } } });
  }
  return pino(options);
}

export type { Logger };
