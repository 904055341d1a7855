import { randomBytes, randomUUID } from "node:crypto";

/** Numeric ids, unique across every kind of object in one fake. */
export class IdSource {
  private next: number;

  constructor(start = 1_000_001) {
    this.next = start;
  }

  id(): number {
    return this.next++;
  }
}

/** A legacy global node id as GitHub formats it: base64 of `0<len>:<Type><id>` (e.g. `MDU6SXNzdWUx`). */
export function nodeId(type: string, id: number): string {
  return Buffer.from(`0${type.length}:${type}${id}`).toString("base64");
}

/** GitHub-style secret: a prefix (`ghs_`, `ghu_`, `ghr_`) and 36 random base62-ish characters. */
export function randomToken(prefix: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(36);
  let out = prefix;
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/** Random lowercase hex of `bytes` bytes. */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

/** A delivery guid like `X-GitHub-Delivery` carries. */
export function guid(): string {
  return randomUUID();
}
