import { config as loadDotenv } from "dotenv";
import { stopOnSignals } from "../stop-on-signals.js";
import { loadConfig } from "../config/index.js";
import { HookyardError } from "../errors.js";
import { PROBOT_ENV, type ProbotOptions } from "./options.js";
import { NodeHandlers } from "../http/node-handlers.js";
import { webhookMiddleware, type MiddlewareOptions, type NodeMiddleware } from "./middleware.js";
import { Probot, type ApplicationFunction } from "./probot.js";

export interface CreateProbotOptions {
  /** Environment to read (default `process.env`): `APP_ID`, `PRIVATE_KEY`/`PRIVATE_KEY_PATH`, `WEBHOOK_SECRET`, `GHE_HOST`, `LOG_LEVEL`, `HOOKYARD_*`, … */
  env?: NodeJS.ProcessEnv;
  /** Used where the environment sets nothing. */
  defaults?: ProbotOptions;
  /** Win over the environment. */
  overrides?: ProbotOptions;
}

/**
 * Probot's `createProbot()`: a {@link Probot} configured from the environment, `defaults` below it
 * and `overrides` above it. The store is `HOOKYARD_STORE`, else memory (as `new Probot()`).
 *
 * @example
 * ```ts
 * const probot = createProbot({ overrides: { logLevel: "warn" } });
 * ```
 */
export function createProbot(options: CreateProbotOptions = {}): Probot {
  const env = options.env ?? process.env;
  const set = (names: string[]) => names.some((n) => env[n] !== undefined && env[n] !== "");
  const defaults = Object.fromEntries(
    Object.entries(options.defaults ?? {}).filter(([key]) => !set(PROBOT_ENV[key as keyof ProbotOptions] ?? [])),
  ) as ProbotOptions;
  return new Probot({ ...defaults, ...options.overrides, env });
}

/**
 * Probot's `run(appFn)`: loads `.env`, starts a server with the app on the configured store
 * (`HOOKYARD_STORE`, default the embedded SQLite file: durable, as `hookyard serve`), and drains on
 * SIGTERM/SIGINT. Resolves with the started {@link Probot} (Probot resolves with its `Server`).
 * `run(process.argv)` is not supported: use `hookyard serve ./app.js`.
 *
 * @example
 * ```ts
 * import { run } from "hookyard/probot";
 * import app from "./app.js";
 * await run(app);
 * ```
 */
export async function run(appFn: ApplicationFunction | readonly ApplicationFunction[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<Probot> {
  if (typeof appFn !== "function" && !(Array.isArray(appFn) && appFn.every((f) => typeof f === "function"))) {
    throw new HookyardError("HOOKYARD_ERR_PROBOT_UNSUPPORTED", "run() takes app functions; to run app modules from the command line use `hookyard serve ./app.js`");
  }
  if (options.env === undefined) loadDotenv({ quiet: true });
  const env = options.env ?? process.env;
  const probot = new Probot({ env, store: loadConfig({}, env).store });
  // as Probot's server: `{ cwd, addHandler }`, the handlers served next to the webhook path
  await probot.load(appFn, { cwd: process.cwd(), addHandler: (h) => probot.hookyard.httpHandlers.add(h) });
  await probot.hookyard.start();
  stopOnSignals(probot.hookyard);
  return probot;
}

/**
 * Probot 14's `createNodeMiddleware(appFn, { probot, webhooksPath })`: loads the app with
 * `{ cwd, addHandler }` and returns a Node/Express middleware serving its handlers and the webhook
 * path. Deliveries are stored durably (the Probot's store: `HOOKYARD_STORE` for `createProbot()`).
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { createNodeMiddleware, createProbot } from "hookyard/probot";
 * createServer(await createNodeMiddleware(app, { probot: createProbot() })).listen(3000);
 * ```
 */
export async function createNodeMiddleware(appFn: ApplicationFunction, options: MiddlewareOptions = {}): Promise<NodeMiddleware> {
  const probot = options.probot ?? createProbot();
  const handlers = new NodeHandlers();
  await probot.load(appFn, { cwd: process.cwd(), addHandler: (h) => handlers.add(h) });
  return webhookMiddleware(probot, handlers, options.webhooksPath);
}
