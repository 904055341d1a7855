import { ExpressRouters } from "./express-routers.js";
import type { NodeHandler, NodeHandlers } from "./node-handlers.js";

/**
 * The second argument of an app function, as Probot's server passes it: Probot 14's
 * `{ cwd, addHandler }`, plus Probot ≤ 13's `getRouter` for apps written for it.
 */
export interface ApplicationFunctionOptions {
  /** The working directory the app was started from. */
  cwd: string;
  /** Probot 14: serve a Node `(req, res) => boolean` handler on Hookyard's server (true: answered). */
  addHandler: (handler: NodeHandler) => void;
  /** Probot ≤ 13: an Express router mounted at `path` (needs `express` installed); passed only to apps written for Probot ≤ 13. */
  getRouter?: (path?: string) => unknown;
  [key: string]: unknown;
}

/** Which second argument to build: `getRouter` only for apps written for Probot ≤ 13. */
export interface AppFunctionOptionsInput {
  cwd?: string;
  getRouter?: boolean;
  /** Where `getRouter` resolves `express` from: the app module's directory (default `cwd`). */
  resolveFrom?: string;
}

/**
 * Builds the second argument of an app function over the app's Node handlers.
 *
 * @example
 * ```ts
 * await appFn(app, applicationFunctionOptions(handlers, { cwd: process.cwd() }));
 * ```
 */
export function applicationFunctionOptions(handlers: NodeHandlers, o: AppFunctionOptionsInput = {}): ApplicationFunctionOptions {
  const cwd = o.cwd ?? process.cwd();
  const addHandler = (handler: NodeHandler) => handlers.add(handler);
  if (!o.getRouter) return { cwd, addHandler };
  const routers = new ExpressRouters(o.resolveFrom ?? cwd, addHandler);
  return { cwd, addHandler, getRouter: (path?: string) => routers.getRouter(path) };
}
