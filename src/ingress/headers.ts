import type { IncomingHttpHeaders } from "node:http";

/** Headers whose values are never stored (replaced by "[redacted]"). */
const REDACTED = new Set(["x-hub-signature", "x-hub-signature-256", "authorization", "cookie", "proxy-authorization"]);

/** The first value of a header, or undefined when absent or empty. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined || first.trim() === "" ? undefined : first.trim();
}

/**
 * The headers to store with a delivery: lower-cased, multi-valued joined, signatures redacted.
 *
 * @example
 * ```ts
 * storedHeaders(req.headers)["x-hub-signature-256"]; // "[redacted]"
 * ```
 */
export function storedHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = REDACTED.has(name) ? "[redacted]" : Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}
