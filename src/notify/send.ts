import { createHmac } from "node:crypto";
import { RetryLaterError, UnrecoverableError } from "../steering/steer.js";
import { isSlackWebhook, slackMessage, type Notification } from "./message.js";

/** The header a notification's signature travels in. */
export const NOTIFY_SIGNATURE_HEADER = "x-hookyard-signature-256";

/**
 * `sha256=<hex HMAC-SHA256 of body>`, as GitHub signs webhooks (`X-Hub-Signature-256`).
 *
 * @example
 * ```ts
 * signNotification("s3cret", body); // "sha256=6f1c…"
 * ```
 */
export function signNotification(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/**
 * POSTs a notification (Slack's shape for a Slack incoming webhook), signed when `secret` is set.
 * A 2xx answer is done; 429 and 5xx answers and network failures throw an error the task retries
 * (after `Retry-After` when given); any other answer throws an `UnrecoverableError`. Messages name
 * the receiver's host only: a webhook URL's path can be its credential.
 *
 * @example
 * ```ts
 * await sendNotification({ url, secret, notification, signal: ctx.signal });
 * ```
 */
export async function sendNotification(o: { url: string; secret: string | undefined; notification: Notification; signal: AbortSignal }): Promise<number> {
  const host = new URL(o.url).host;
  const body = JSON.stringify(isSlackWebhook(o.url) ? slackMessage(o.notification) : o.notification);
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "hookyard-notify" };
  if (o.secret) headers[NOTIFY_SIGNATURE_HEADER] = signNotification(o.secret, body);
  let res: Response;
  try {
    res = await fetch(o.url, { method: "POST", headers, body, signal: o.signal, redirect: "manual" });
  } catch (err) {
    throw new Error(`the notification receiver ${host} could not be reached: ${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name}`);
  }
  await res.body?.cancel().catch(() => undefined);
  if (res.ok) return res.status;
  const problem = `the notification receiver ${host} answered ${res.status}`;
  if (res.status === 429 || res.status >= 500) {
    const after = Number(res.headers.get("retry-after"));
    if (Number.isFinite(after) && after > 0) throw new RetryLaterError(after * 1000, problem);
    throw new Error(problem);
  }
  throw new UnrecoverableError(`${problem}; not retried`);
}
