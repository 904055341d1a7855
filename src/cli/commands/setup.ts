import { existsSync, readFileSync } from "node:fs";
import Fastify from "fastify";
import { parse as parseYaml } from "yaml";
import { HookyardError } from "../../errors.js";
import { pino } from "pino";
import { loadConfig } from "../../config/index.js";
import { ManifestSetup, type ManifestSetupOptions, type SetupResult } from "../../github/manifest/index.js";
import { apiBaseUrl } from "../../github/settings.js";
import { listenFailed } from "../../http/listen.js";
import { setupRoutes } from "../../http/setup.js";

export interface SetupCommandOptions {
  /** Where GitHub will reach the server (the webhook URL's base); default HOOKYARD_PUBLIC_URL, else the local URL. */
  publicUrl?: string;
  /** Create the App for this organization (default `GH_ORG`, as Probot). */
  org?: string;
  /** Probot's `app.yml` (default `./app.yml` when it exists): name, permissions, events, description, url, public. */
  appYml?: string;
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
  const yml = readAppYml(o.appYml ?? "app.yml", o.appYml !== undefined);
  const org = o.org ?? (env.GH_ORG || undefined);
  const name = o.name ?? yml.name;
  const setup = new ManifestSetup({
    apiBaseUrl: apiBaseUrl(config), webhookPath: config.webhookPath, envFile: o.envFile ?? ".env", manifest: yml.manifest,
    ...(publicUrl ? { publicUrl } : {}), ...(org ? { org } : {}), ...(name ? { name } : {}),
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

/**
 * Probot's `app.yml`: the manifest fields it sets (`name`, `default_permissions`, `default_events`,
 * `description`, `url`, `public`). A missing default file is no manifest; a missing named file, or
 * one that is not YAML, is `HOOKYARD_ERR_CLI_USAGE`.
 *
 * @example
 * ```ts
 * readAppYml("app.yml", false); // { name: "my-app", manifest: { default_events: ["issues"] } }
 * ```
 */
export function readAppYml(path: string, required: boolean): { name?: string; manifest: NonNullable<ManifestSetupOptions["manifest"]> } {
  if (!existsSync(path)) {
    if (required) throw new HookyardError("HOOKYARD_ERR_CLI_USAGE", `${path} does not exist`);
    return { manifest: {} };
  }
  let doc: Record<string, unknown>;
  try {
    doc = (parseYaml(readFileSync(path, "utf8")) ?? {}) as Record<string, unknown>;
  } catch (err) {
    throw new HookyardError("HOOKYARD_ERR_CLI_USAGE", `${path} is not valid YAML: ${(err as Error).message}`);
  }
  const manifest: NonNullable<ManifestSetupOptions["manifest"]> = {};
  if (doc.default_permissions && typeof doc.default_permissions === "object") manifest.default_permissions = doc.default_permissions as Record<string, "read" | "write">;
  if (Array.isArray(doc.default_events)) manifest.default_events = doc.default_events.map(String);
  if (typeof doc.description === "string") manifest.description = doc.description;
  if (typeof doc.url === "string") manifest.url = doc.url;
  if (typeof doc.public === "boolean") manifest.public = doc.public;
  return { ...(typeof doc.name === "string" ? { name: doc.name } : {}), manifest };
}
