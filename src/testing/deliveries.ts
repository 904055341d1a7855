import { randomUUID } from "node:crypto";
import { sign } from "../ingress/verify.js";

/** A delivery as GitHub would POST it: headers and the exact body bytes. */
export interface SignedDelivery {
  id: string;
  headers: Record<string, string>;
  body: string;
}

export interface SignOptions {
  /** Secret to sign with; omitted: no signature header. */
  secret?: string;
  id?: string;
  /** Send as `application/x-www-form-urlencoded` with the JSON in field `payload`. */
  form?: boolean;
}

/**
 * Builds a signed delivery of `event` with `payload`, byte for byte what GitHub sends.
 *
 * @example
 * ```ts
 * const d = signedDelivery("issues", payload, { secret: "s3cret" });
 * await fetch(url, { method: "POST", headers: d.headers, body: d.body });
 * ```
 */
export function signedDelivery(event: string, payload: unknown, options: SignOptions = {}): SignedDelivery {
  const id = options.id ?? randomUUID();
  const json = JSON.stringify(payload);
  const body = options.form ? new URLSearchParams({ payload: json }).toString() : json;
  const headers: Record<string, string> = {
    "content-type": options.form ? "application/x-www-form-urlencoded" : "application/json",
    "user-agent": "GitHub-Hookshot/hookyard",
    "x-github-event": event,
    "x-github-delivery": id,
  };
  if (options.secret !== undefined) headers["x-hub-signature-256"] = sign(options.secret, body);
  return { id, headers, body };
}

/**
 * POSTs a signed delivery and returns the status and parsed JSON answer.
 *
 * @example
 * ```ts
 * const { status, body } = await postDelivery(`${app.url}/api/github/webhooks`, d);
 * ```
 */
export async function postDelivery(url: string, delivery: SignedDelivery): Promise<{ status: number; body: unknown }> {
  return readAnswer(await fetch(url, { method: "POST", headers: delivery.headers, body: delivery.body }));
}

/**
 * A response's status and body: parsed JSON, or the text when it is not JSON.
 *
 * @example
 * ```ts
 * const { status, body } = await readAnswer(await fetch(`${base}/api/v1/tasks`));
 * ```
 */
export async function readAnswer(res: Response): Promise<{ status: number; body: unknown }> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body };
}
