import type { IncomingHttpHeaders } from "node:http";

/** Headers whose values are never stored (replaced by "[redacted]"). */
const REDACTED = new Set(["x-hub-signature", "x-hub-signature-256", "authorization", "cookie", "proxy-authorization"]);

/**
 * What a delivery id may be: 1 to 64 letters, digits and hyphens. GitHub's `X-GitHub-Delivery` is
 * a GUID (`72d3162e-cc78-11e3-81ab-4c9367dc0958`); the limit keeps every stored id usable as one
 * URL path segment (`/api/v1/deliveries/:id`) without escaping.
 */
export const DELIVERY_ID = /^[A-Za-z0-9-]{1,64}$/;

/** Headers GitHub sends once, whose repetition would be joined (or dropped) by Node. */
const SINGLE = ["x-github-event", "x-github-delivery", "x-hub-signature-256", "content-type"];

/**
 * The first of the single-valued delivery headers that appears more than once in `rawHeaders`
 * (Node's `[name, value, name, value, …]`), as the client spelled it; undefined when none does.
 *
 * @example
 * ```ts
 * repeatedHeader(req.raw.rawHeaders); // "X-GitHub-Delivery"
 * ```
 */
export function repeatedHeader(rawHeaders: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const lower = name.toLowerCase();
    if (!SINGLE.includes(lower)) continue;
    if (seen.has(lower)) return name;
    seen.add(lower);
  }
  return undefined;
}

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
