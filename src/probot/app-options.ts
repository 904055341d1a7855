import { HookyardError } from "../errors.js";

/**
 * The second argument of an app function, as Probot passes it: `(app, { getRouter, addHandler, cwd })`.
 * Hookyard serves no Express routes (its own are `app.route()`): `getRouter()` (Probot ≤ 13, Express) and `addHandler()`
 * (Probot 14, Node handlers) throw `HOOKYARD_ERR_PROBOT_UNSUPPORTED` when called.
 */
export interface ApplicationFunctionOptions {
  /** The working directory the app was started from. */
  cwd: string;
  /** Unsupported: throws `HOOKYARD_ERR_PROBOT_UNSUPPORTED`. */
  getRouter: (path?: string) => never;
  /** Unsupported: throws `HOOKYARD_ERR_PROBOT_UNSUPPORTED`. */
  addHandler: (handler: unknown) => never;
}

function unsupported(what: string): never {
  throw new HookyardError(
    "HOOKYARD_ERR_PROBOT_UNSUPPORTED",
    `${what} is not supported by Hookyard: add Fastify routes with app.route((fastify) => …) instead (see docs/guides/probot.md)`,
  );
}

/**
 * The options object handed to every app function's second parameter, so that
 * `export default (app, { getRouter }) => …` loads; calling `getRouter` or `addHandler` throws.
 *
 * @example
 * ```ts
 * await appFn(app, applicationFunctionOptions());
 * ```
 */
export function applicationFunctionOptions(cwd: string = process.cwd()): ApplicationFunctionOptions {
  return {
    cwd,
    getRouter: (path?: string) => unsupported(`getRouter(${path === undefined ? "" : JSON.stringify(path)})`),
    addHandler: () => unsupported("addHandler()"),
  };
}
