import Fastify from "fastify";
import { pino } from "pino";
import { loadConfig } from "../../config/index.js";
import { ManifestSetup, type SetupResult } from "../../github/manifest/index.js";
import { apiBaseUrl } from "../../github/settings.js";
import { listenFailed } from "../../http/listen.js";
import { setupRoutes } from "../../http/setup.js";

export interface SetupCommandOptions {
  /** Where GitHub will reach the server (the webhook URL's base); default HOOKYARD_PUBLIC_URL, else the local URL. */
  publicUrl?: string;
  /** Create the App for this organization. */
  org?: string;
  /** The App's name (GitHub's form lets it be changed). */
  name?: string;
  /** Default `.env`. */
  envFile?: string;
  /** The local setup server's port (default PORT, else 3000) and interface (default 127.0.0.1). */
  port?: number;
  host?: string;
  env?: NodeJS.ProcessEnv;
  /** Told the URL to open once the local server listens. */
  onListening?: (url: string) => void;
}

/**
 * `hookyard setup`: serves `/setup` on a local port until GitHub's redirect completes the App
 * manifest flow, writes the new App's credentials to the `.env` file, stops, and resolves with
 * the App (no secret in it).
 *
 * @example
 * ```ts
 * const app = await runSetup({ publicUrl: "https://hooks.example.com", onListening: (url) => console.log(`open ${url}`) });
 * ```
 */
export async function runSetup(o: SetupCommandOptions = {}): Promise<SetupResult> {
  const env = o.env ?? process.env;
  const config = loadConfig({}, env);
  const publicUrl = o.publicUrl ?? config.publicUrl;
  const setup = new ManifestSetup({
    apiBaseUrl: apiBaseUrl(config), webhookPath: config.webhookPath, envFile: o.envFile ?? ".env",
    ...(publicUrl ? { publicUrl } : {}), ...(o.org ? { org: o.org } : {}), ...(o.name ? { name: o.name } : {}),
  });
  const fastify = Fastify({ forceCloseConnections: "idle" });
  let finish!: (r: SetupResult) => void;
  const done = new Promise<SetupResult>((resolve) => (finish = resolve));
  await fastify.register(setupRoutes, { setup, log: pino({ level: "silent" }), onComplete: (r) => finish(r) });
  const host = o.host ?? "127.0.0.1";
  const wanted = o.port ?? config.port;
  await fastify.listen({ port: wanted, host }).catch((err: unknown) => {
    throw listenFailed(err, host, wanted);
  });
  const { port } = fastify.server.address() as { port: number };
  const shown = ["0.0.0.0", "::"].includes(host) ? "127.0.0.1" : host;
  const loopback = /^(127\.|::1$|localhost$)/.test(shown);
  o.onListening?.(`http://${shown.includes(":") ? `[${shown}]` : shown}:${port}/setup${loopback ? "" : `?token=${setup.token}`}`);
  try {
    return await done;
  } finally {
    await fastify.close();
  }
}
