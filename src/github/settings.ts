import { createPrivateKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import type { HookyardConfig } from "../config/index.js";
import { HookyardError } from "../errors.js";

/** What talking to GitHub as the App needs. */
export interface GitHubSettings {
  /** The App's id, or its client id (both are valid JWT issuers). */
  appId: string;
  privateKey: KeyObject;
  /** REST API base URL without a trailing slash, e.g. `https://api.github.com`. */
  baseUrl: string;
}

/**
 * GitHub's REST API base URL: `HOOKYARD_GITHUB_API_URL`, else `GHE_PROTOCOL://GHE_HOST/api/v3`,
 * else `https://api.github.com`.
 *
 * @example
 * ```ts
 * apiBaseUrl({ gheHost: "ghe.example.com", gheProtocol: "https" }); // "https://ghe.example.com/api/v3"
 * ```
 */
export function apiBaseUrl(config: Pick<HookyardConfig, "githubApiUrl" | "gheHost" | "gheProtocol">): string {
  if (config.githubApiUrl) return config.githubApiUrl.replace(/\/+$/, "");
  if (config.gheHost) return `${config.gheProtocol}://${config.gheHost.replace(/\/+$/, "")}/api/v3`;
  return "https://api.github.com";
}

/**
 * The App's settings from the configuration, or undefined when no App is configured (neither
 * `APP_ID` nor a key). Half a configuration is an error, raised at start rather than in a handler.
 *
 * @example
 * ```ts
 * const github = githubSettings(loadConfig());
 * ```
 */
export function githubSettings(config: HookyardConfig): GitHubSettings | undefined {
  const hasKey = config.privateKey !== undefined || config.privateKeyPath !== undefined;
  if (config.appId === undefined && !hasKey) return undefined;
  if (config.appId === undefined || !hasKey) {
    throw new HookyardError(
      "HOOKYARD_ERR_GITHUB_NOT_CONFIGURED",
      config.appId === undefined ? "a private key is set but APP_ID is not" : "APP_ID is set but neither PRIVATE_KEY nor PRIVATE_KEY_PATH is",
    );
  }
  return { appId: config.appId, privateKey: loadPrivateKey(config), baseUrl: apiBaseUrl(config) };
}

/**
 * The PEM text of `PRIVATE_KEY` as Probot takes it: PEM, PEM with `\n` escapes (one line of `.env`),
 * or the whole PEM file base64-encoded.
 *
 * @example
 * ```ts
 * pemOf(Buffer.from(pem).toString("base64")) === pem; // true
 * ```
 */
export function pemOf(value: string): string {
  const text = value.trim();
  if (!text.includes("-----BEGIN") && /^[A-Za-z0-9+/=\s]+$/.test(text)) {
    const decoded = Buffer.from(text, "base64").toString("utf8");
    if (decoded.includes("-----BEGIN")) return decoded;
  }
  return text.replace(/\\n/g, "\n");
}

function loadPrivateKey(config: HookyardConfig): KeyObject {
  let pem: string;
  if (config.privateKey !== undefined) {
    pem = pemOf(config.privateKey);
  } else {
    try {
      pem = readFileSync(config.privateKeyPath as string, "utf8");
    } catch (err) {
      throw new HookyardError("HOOKYARD_ERR_GITHUB_PRIVATE_KEY_INVALID", `cannot read PRIVATE_KEY_PATH ${config.privateKeyPath}: ${(err as NodeJS.ErrnoException).code ?? "error"}`);
    }
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    // never echo the value: it is a secret even when malformed
    throw new HookyardError("HOOKYARD_ERR_GITHUB_PRIVATE_KEY_INVALID", "the App's private key is not a PEM private key (download a new one from the App's settings page)");
  }
  if (key.asymmetricKeyType !== "rsa") {
    throw new HookyardError("HOOKYARD_ERR_GITHUB_PRIVATE_KEY_INVALID", `the App's private key must be an RSA key, not ${key.asymmetricKeyType}`);
  }
  return key;
}
