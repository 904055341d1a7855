import { isIP } from "node:net";
import { parseDuration } from "./units.js";

/** A token bucket's size and refill: `tokens` requests per `perMs`. */
export interface RateSetting {
  tokens: number;
  perMs: number;
}

/**
 * A rate like `100/1s`, `600/1m` or `5/500ms`: a whole number of requests per duration.
 *
 * @example
 * ```ts
 * parseRate("100/1s"); // { tokens: 100, perMs: 1000 }
 * ```
 */
export function parseRate(input: string): RateSetting | undefined {
  const m = /^\s*(\d+)\s*\/\s*(\S+)\s*$/.exec(input);
  if (!m) return undefined;
  const tokens = Number(m[1]);
  const perMs = parseDuration(/^\d/.test(m[2] ?? "") ? (m[2] ?? "") : `1${m[2]}`);
  if (!Number.isSafeInteger(tokens) || tokens < 1 || perMs === undefined || perMs < 1) return undefined;
  return { tokens, perMs };
}

/**
 * Whether `cidr` is an IPv4 or IPv6 network in CIDR form (`192.30.252.0/22`, `2a0a:a440::/29`);
 * a bare address counts as its own /32 or /128.
 *
 * @example
 * ```ts
 * isCidr("140.82.112.0/20"); // true
 * ```
 */
export function isCidr(cidr: string): boolean {
  const [address = "", prefix, extra] = cidr.split("/");
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}
