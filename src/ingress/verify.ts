import { createHmac, timingSafeEqual } from "node:crypto";

export type SignatureCheck = "ok" | "missing" | "invalid";

const PREFIX = "sha256=";

/**
 * Checks `X-Hub-Signature-256` against HMAC-SHA256 of the raw body, for each configured secret
 * (rotation), in constant time per comparison.
 *
 * @example
 * ```ts
 * verifySignature(["s3cret"], body, req.headers["x-hub-signature-256"]); // "ok" | "missing" | "invalid"
 * ```
 */
export function verifySignature(secrets: readonly string[], body: Uint8Array, header: string | undefined): SignatureCheck {
  if (header === undefined || header === "") return "missing";
  if (!header.startsWith(PREFIX) || header.length !== PREFIX.length + 64) return "invalid";
  const given = Buffer.from(header.slice(PREFIX.length), "hex");
  if (given.length !== 32) return "invalid";
  let ok = false;
  for (const secret of secrets) {
    const expected = createHmac("sha256", secret).update(body).digest();
    // no early exit: every secret is checked so timing does not reveal which one matched
    if (timingSafeEqual(expected, given)) ok = true;
  }
  return ok ? "ok" : "invalid";
}

/**
 * The `X-Hub-Signature-256` value GitHub would send for `body` signed with `secret`.
 *
 * @example
 * ```ts
 * const header = sign("s3cret", JSON.stringify(payload));
 * ```
 */
export function sign(secret: string, body: string | Uint8Array): string {
  return PREFIX + createHmac("sha256", secret).update(body).digest("hex");
}
