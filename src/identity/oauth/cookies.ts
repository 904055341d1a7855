/** Reading the `Cookie` header and writing `Set-Cookie`, for the few cookies login needs. */

/** Options of one `Set-Cookie`. */
export interface CookieOptions {
  path: string;
  /** Seconds; 0 deletes the cookie. Omitted: a browser-session cookie. */
  maxAge?: number;
  secure: boolean;
  /** Default true. */
  httpOnly?: boolean;
  /** Default `Lax`. */
  sameSite?: "Lax" | "Strict";
}

const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VALUE = /^[!#-+\--:<-[\]-~]*$/; // RFC 6265 cookie-octets: no space, quote, comma, semicolon or backslash

/**
 * The cookies of a `Cookie` header, first value winning for a repeated name.
 *
 * @example
 * ```ts
 * parseCookies("a=1; b=2"); // { a: "1", b: "2" }
 * ```
 */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (name && !(name in out)) out[name] = value;
  }
  return out;
}

/**
 * A `Set-Cookie` value. Names and values are restricted to RFC 6265 characters (sealed values are
 * base64url, so they always fit).
 *
 * @example
 * ```ts
 * serializeCookie("sid", "abc", { path: "/", maxAge: 3600, secure: true }); // "sid=abc; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax"
 * ```
 */
export function serializeCookie(name: string, value: string, o: CookieOptions): string {
  if (!NAME.test(name) || !VALUE.test(value)) throw new TypeError("cookie name or value has characters a cookie cannot carry");
  const parts = [`${name}=${value}`, `Path=${o.path}`];
  if (o.maxAge !== undefined) {
    const seconds = Math.max(0, Math.floor(o.maxAge));
    parts.push(`Max-Age=${seconds}`);
    if (seconds === 0) parts.push("Expires=Thu, 01 Jan 1970 00:00:00 GMT");
  }
  if (o.httpOnly ?? true) parts.push("HttpOnly");
  if (o.secure) parts.push("Secure");
  parts.push(`SameSite=${o.sameSite ?? "Lax"}`);
  return parts.join("; ");
}
