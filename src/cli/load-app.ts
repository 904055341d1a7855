import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { AppFunction } from "../app.js";
import { HookyardError } from "../errors.js";

/**
 * Imports an app module (ESM `export default`, or CommonJS `module.exports`) and returns its
 * app function.
 *
 * @example
 * ```ts
 * const fn = await loadAppModule("./app.js"); await app.load(fn);
 * ```
 */
export async function loadAppModule(path: string): Promise<AppFunction> {
  const file = resolve(path);
  if (!existsSync(file)) throw new HookyardError("HOOKYARD_ERR_APP_MODULE", `app module not found: ${file}`);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (err) {
    throw new HookyardError("HOOKYARD_ERR_APP_MODULE", `cannot load ${file}: ${(err as Error).message}`, { cause: err });
  }
  let fn = mod.default;
  // CommonJS compiled from ESM: module.exports = { default: fn }
  if (fn && typeof fn === "object" && typeof (fn as { default?: unknown }).default === "function") fn = (fn as { default: unknown }).default;
  if (typeof fn !== "function") throw new HookyardError("HOOKYARD_ERR_APP_MODULE", `${file} must export a function (app) => { … } as default or module.exports`);
  return fn as AppFunction;
}
