// What the bare and durable-minimum bench servers share: the HMAC check and the JSON answer.
import { createHmac, timingSafeEqual } from "node:crypto";
import { SECRET } from "./payload.mjs";

export function answer(res, status, obj) {
  const text = JSON.stringify(obj);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** X-Hub-Signature-256 against HMAC-SHA256 of the raw body, in constant time. */
export function verify(body, header) {
  if (typeof header !== "string" || !header.startsWith("sha256=") || header.length !== 71) return false;
  const given = Buffer.from(header.slice(7), "hex");
  if (given.length !== 32) return false;
  return timingSafeEqual(createHmac("sha256", SECRET).update(body).digest(), given);
}
