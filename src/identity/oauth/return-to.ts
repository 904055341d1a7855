import { HookyardError } from "../../errors.js";

const BASE = "http://return-to.invalid";

/**
 * Checks a `return_to` value: only a path on this site (`/dashboard?tab=1`). Refuses (with
 * `HOOKYARD_ERR_OAUTH_RETURN_TO_INVALID`) absolute URLs, scheme-relative `//evil.com`, backslash
 * tricks such as `/\evil.com` (browsers read `\` as `/`), and control characters. Undefined or
 * empty gives `/`.
 *
 * @example
 * ```ts
 * safeReturnTo("/deploy/42"); // "/deploy/42"
 * safeReturnTo("//evil.com"); // throws
 * ```
 */
export function safeReturnTo(raw: unknown): string {
  if (raw === undefined || raw === "") return "/";
  const refuse = () => new HookyardError("HOOKYARD_ERR_OAUTH_RETURN_TO_INVALID", "return_to must be a path on this site, such as /dashboard");
  if (typeof raw !== "string" || raw.length > 2048) throw refuse();
  // eslint-disable-next-line no-control-regex
  if (!raw.startsWith("/") || raw.startsWith("//") || raw.includes("\\") || /[\u0000-\u001f\u007f]/.test(raw)) throw refuse();
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    throw refuse();
  }
  if (url.origin !== BASE) throw refuse();
  return `${url.pathname}${url.search}${url.hash}`;
}
