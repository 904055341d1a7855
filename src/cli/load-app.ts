import { existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { AppFunction } from "../app.js";
import { HookyardError } from "../errors.js";

/**
 * Imports an app module and returns its app function. Accepted, as Probot accepts them: ESM
 * `export default (app) => …`, CommonJS `module.exports = (app) => …` (a `.cjs` file, or `.js`
 * outside a `"type": "module"` package), CommonJS compiled from ESM (`exports.default = …`), a
 * directory (its package's `main`, or `index.js`), and a package name resolved from `cwd`
 * (`hookyard serve probot-app-name`).
 *
 * @example
 * ```ts
 * const fn = await loadAppModule("./app.js"); await app.load(fn);
 * ```
 */
export async function loadAppModule(path: string, cwd: string = process.cwd()): Promise<AppFunction> {
  const file = locate(path, cwd);
  let mod: unknown;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    throw new HookyardError("HOOKYARD_ERR_APP_MODULE", `cannot load ${file}: ${(err as Error).message}`, { cause: err });
  }
  const fn = appFunctionOf(mod);
  if (typeof fn !== "function") throw new HookyardError("HOOKYARD_ERR_APP_MODULE", `${file} must export a function (app) => { … } as default or module.exports`);
  return fn as AppFunction;
}

/** The file of a path (relative to `cwd`), of a directory's package entry point, or of an installed package's. */
function locate(path: string, cwd: string): string {
  const file = isAbsolute(path) ? path : resolve(cwd, path);
  const resolveFrom = (specifier: string) => createRequire(join(cwd, "package.json")).resolve(specifier);
  if (existsSync(file)) {
    if (!statSync(file).isDirectory()) return file;
    try {
      return resolveFrom(file); // its package.json "main", or index.js
    } catch {
      throw new HookyardError("HOOKYARD_ERR_APP_MODULE", `${file} is a directory without a package.json "main" or an index.js`);
    }
  }
  const bare = !path.startsWith(".") && !isAbsolute(path);
  if (bare) {
    try {
      return resolveFrom(path);
    } catch {
      // neither a file nor a package: say so below
    }
  }
  throw new HookyardError("HOOKYARD_ERR_APP_MODULE", `app module not found: ${file}${bare ? ` (nor a package "${path}" installed under ${cwd})` : ""}`);
}

/** `default`, unwrapping CommonJS compiled from ESM (`module.exports = { default: fn, __esModule: true }`). */
function appFunctionOf(mod: unknown): unknown {
  let fn = (mod as { default?: unknown } | null)?.default;
  if (fn && typeof fn === "object" && typeof (fn as { default?: unknown }).default === "function") fn = (fn as { default: unknown }).default;
  return fn;
}
