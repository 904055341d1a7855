import type { Logger } from "pino";
import { SmeeClient } from "smee-client";

/** A running forwarder from a proxy channel to the local webhook path. */
export interface WebhookProxy {
  /** The channel, e.g. `https://smee.io/abc123`. */
  readonly source: string;
  /** Where deliveries are posted, e.g. `http://127.0.0.1:3000/api/github/webhooks`. */
  readonly target: string;
  stop(): Promise<void>;
}

/**
 * Probot's `WEBHOOK_PROXY_URL` for development: connects to a smee.io-style channel (server-sent
 * events) with `smee-client` and posts each delivery to the local webhook path, headers included,
 * so the signature is checked as for any delivery. Resolves once connected.
 *
 * @example
 * ```ts
 * const proxy = await startWebhookProxy({ url: process.env.WEBHOOK_PROXY_URL!, target: `${app.url}/api/github/webhooks`, log: app.log });
 * ```
 */
export async function startWebhookProxy(o: { url: string; target: string; log: Logger }): Promise<WebhookProxy> {
  const log = o.log.child({ component: "webhook-proxy" });
  const logger = {
    info: (...args: unknown[]) => log.debug(args.map(String).join(" ")),
    error: (...args: unknown[]) => log.warn(args.map(String).join(" ")),
  };
  const client = new SmeeClient({ source: o.url, target: o.target, logger: logger as never, maxConnectionTimeout: 10_000 });
  await client.start();
  log.info({ source: new URL(o.url).origin, target: o.target }, "forwarding deliveries from WEBHOOK_PROXY_URL");
  return { source: o.url, target: o.target, stop: async () => void (await client.stop()) };
}
