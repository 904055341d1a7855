import { readFileSync } from "node:fs";
import { HookyardError } from "../../errors.js";
import { postDelivery, signedDelivery } from "../../testing/deliveries.js";
import { findExample } from "../../testing/examples.js";

export interface SendOptions {
  /** A JSON file holding a payload, or an event name such as `issues.labeled` (an example payload is used). */
  source: string;
  url: string;
  secret?: string;
  /** The event name when `source` is a file (default: its file name up to the first dot). */
  event?: string;
  id?: string;
  form?: boolean;
}

/**
 * Signs a payload (a file or a real example from `@octokit/webhooks-examples`) and POSTs it.
 *
 * @example
 * ```ts
 * await sendDelivery({ source: "issues.labeled", url: "http://127.0.0.1:3000/api/github/webhooks", secret });
 * ```
 */
export async function sendDelivery(o: SendOptions): Promise<{ id: string; event: string; status: number; body: unknown }> {
  let event: string;
  let payload: unknown;
  if (o.source.endsWith(".json")) {
    try {
      payload = JSON.parse(readFileSync(o.source, "utf8"));
    } catch (err) {
      throw new HookyardError("HOOKYARD_ERR_CLI_USAGE", `cannot read a JSON payload from ${o.source}: ${(err as Error).message}`);
    }
    event = o.event ?? (o.source.split("/").pop() as string).split(".")[0] as string;
  } else {
    const example = findExample(o.source);
    event = o.event ?? example.event;
    payload = example.payload;
  }
  const delivery = signedDelivery(event, payload, { secret: o.secret, id: o.id, form: o.form });
  try {
    const res = await postDelivery(o.url, delivery);
    return { id: delivery.id, event, ...res };
  } catch (err) {
    throw new HookyardError("HOOKYARD_ERR_CLI_REQUEST_FAILED", `cannot reach ${o.url}: ${(err as Error).message}`);
  }
}
