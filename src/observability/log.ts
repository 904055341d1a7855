import { pino, type DestinationStream, type Logger } from "pino";
import type { HookyardConfig } from "../config/index.js";

/** Header and field names whose values never reach a log line. */
export const REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-hub-signature"]',
  'req.headers["x-hub-signature-256"]',
  'res.headers["set-cookie"]',
  "headers.authorization",
  "headers.cookie",
  'headers["set-cookie"]',
  'headers["x-hub-signature"]',
  'headers["x-hub-signature-256"]',
  "err.request.headers.authorization",
  "error.request.headers.authorization",
  "webhookSecret",
  "apiToken",
  "token",
  "req.headers.cookie",
  "headers.cookie",
  'headers["set-cookie"]',
  "clientSecret",
  "sessionSecret",
  "privateKey",
  "secret",
  "password",
  "cookie",
  "*.webhookSecret",
  "*.apiToken",
  "*.token",
  "*.privateKey",
  "*.clientSecret",
  "*.sessionSecret",
  "*.secret",
  "*.password",
  "*.authorization",
  "*.cookie",
];

/**
 * The process logger: JSON lines by default, human-readable with LOG_FORMAT=pretty.
 *
 * @example
 * ```ts
 * const log = createLogger({ logLevel: "info", logFormat: "json" });
 * log.info({ delivery: id }, "accepted");
 * const captured = createLogger({ logLevel: "trace", logFormat: "json" }, stream); // same redaction, own destination
 * ```
 */
export function createLogger(config: Pick<HookyardConfig, "logLevel" | "logFormat"> & Partial<Pick<HookyardConfig, "logMessageKey" | "logLevelInString">>, destination?: DestinationStream): Logger {
  const options = {
    name: "hookyard", level: config.logLevel, redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    // Probot's LOG_MESSAGE_KEY and LOG_LEVEL_IN_STRING
    ...(config.logMessageKey && config.logMessageKey !== "msg" ? { messageKey: config.logMessageKey } : {}),
    ...(config.logLevelInString ? { formatters: { level: (label: string) => ({ level: label }) } } : {}),
  };
  if (destination) return pino(options, destination);
  if (config.logFormat === "pretty") {
    return pino({ ...options, transport: { target: "pino-pretty", options: { colorize: process.stdout.isTTY } } });
  }
  return pino(options);
}

export type { Logger };
