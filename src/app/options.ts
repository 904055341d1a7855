import type { Logger } from "pino";
import type { ConfigInput } from "../config/index.js";
import type { GitHubClientsOptions } from "../github/clients.js";
import type { ApplicationFunctionOptions } from "../http/app-function-options.js";
import type { Backend } from "../store/backend.js";
import type { Hookyard } from "./hookyard.js";

/** Options of `new Hookyard()`: every setting of docs/reference/config.md, plus an opened store or a logger. */
export interface HookyardOptions extends Omit<ConfigInput, "store"> {
  /** A `HOOKYARD_STORE` URL, or a backend you opened yourself. */
  store?: string | Backend;
  /** A pino logger to use instead of one built from LOG_LEVEL / LOG_FORMAT. */
  logger?: Logger;
  /** Environment to read settings from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** GitHub client tuning: `throttle: false` stops pacing writes (tests); `now` replaces the clock. */
  github?: Omit<GitHubClientsOptions, "log" | "circuits">;
  /** False: without a started server, nothing of this app keeps the process alive (as Probot's `load` + `receive`). Default true. */
  keepAlive?: boolean;
  /** The clock retries are scheduled by (default `Date.now`); `createTestApp()` passes its fake GitHub's, with a store on the same clock. */
  now?: () => number;
}

/** An app module: Probot's shape, `export default (app) => { app.on(…) }` (second argument: Probot 14's `{ cwd, addHandler }`, plus `getRouter` for Probot ≤ 13 apps). */
export type AppFunction = (app: Hookyard, options: ApplicationFunctionOptions) => unknown;
