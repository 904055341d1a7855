import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals small JSON values into cookie-safe strings: AES-256-GCM (encrypted, and authenticated by
 * its tag, so any change is detected) under a key derived with HKDF-SHA256 from each secret.
 * The purpose (e.g. the cookie's name) is bound in as associated data, so a value sealed for one
 * cookie does not open as another. The first secret seals; every secret opens (rotation).
 *
 * @example
 * ```ts
 * const sealer = new Sealer([process.env.HOOKYARD_SESSION_SECRET!]);
 * const sealed = sealer.seal("session", { uid: 1 });
 * sealer.open("session", sealed); // { uid: 1 }
 * ```
 */
export class Sealer {
  private readonly keys: Buffer[];

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new TypeError("a Sealer needs at least one secret");
    this.keys = secrets.map((s) => Buffer.from(hkdfSync("sha256", Buffer.from(s, "utf8"), Buffer.from("hookyard-session"), Buffer.from("cookie seal v1"), 32)));
  }

  seal(purpose: string, value: unknown): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.keys[0] as Buffer, iv);
    cipher.setAAD(Buffer.from(`${VERSION}:${purpose}`));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url")}`;
  }

  /** The value, or undefined when the string was not sealed by one of our keys for `purpose` (or was changed). */
  open(purpose: string, sealed: string): unknown {
    if (!sealed.startsWith(`${VERSION}.`)) return undefined;
    const raw = Buffer.from(sealed.slice(VERSION.length + 1), "base64url");
    if (raw.length < IV_BYTES + TAG_BYTES + 1) return undefined;
    const iv = raw.subarray(0, IV_BYTES);
    const tag = raw.subarray(raw.length - TAG_BYTES);
    const body = raw.subarray(IV_BYTES, raw.length - TAG_BYTES);
    for (const key of this.keys) {
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, iv);
        decipher.setAAD(Buffer.from(`${VERSION}:${purpose}`));
        decipher.setAuthTag(tag);
        const text = Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
        return JSON.parse(text) as unknown;
      } catch {
        // wrong key or altered: try the next key
      }
    }
    return undefined;
  }
}
