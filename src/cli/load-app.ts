import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { AppFunction } from "../app/index.js";
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
    const where = err instanceof SyntaxError ? syntaxErrorAt(file) : undefined;
    throw new HookyardError("HOOKYARD_ERR_APP_MODULE", `cannot load ${file}: ${describeThrow(err, where)}`, { cause: err });
  }
  const fn = appFunctionOf(mod);
  if (typeof fn !== "function") throw new HookyardError("HOOKYARD_ERR_APP_MODULE", `${file} must export a function (app) => { … } as default or module.exports`);
  return fn as AppFunction;
}

/**
 * How Probot's server would have loaded the module: `getRouter` for an app written for Probot ≤ 13
 * (its nearest package.json depends on `probot` at a major version below 14), resolved from the
 * module's directory.
 *
 * @example
 * ```ts
 * await app.load(fn, probotLoadOptions("./app.js"));
 * ```
 */
export function probotLoadOptions(path: string, cwd: string = process.cwd()): { getRouter: boolean; resolveFrom: string } {
  const resolveFrom = dirname(locate(path, cwd));
  for (let dir = resolveFrom; ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        const json = JSON.parse(readFileSync(pkg, "utf8")) as Record<string, Record<string, string> | undefined>;
        const range = json.dependencies?.probot ?? json.devDependencies?.probot ?? json.peerDependencies?.probot;
        if (range !== undefined) return { getRouter: Number(/(\d+)/.exec(range)?.[1] ?? "14") < 14, resolveFrom };
      } catch {
        // unreadable: Probot 14's shape
      }
    }
    if (dirname(dir) === dir) return { getRouter: false, resolveFrom };
  }
}

/**
 * Where a syntax error in `file` is, as `node --check` reports it (`file:///srv/app.mjs:3`): an ES
 * module's SyntaxError does not carry its location. Undefined when the check says nothing usable.
 */
function syntaxErrorAt(file: string): string | undefined {
  const check = spawnSync(process.execPath, ["--check", file], { encoding: "utf8", timeout: 10_000 });
  const first = check.stderr?.split("\n")[0]?.trim();
  return first && /:\d+$/.test(first) ? first : undefined;
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

/**
 * What an app module threw, in one line: its message and where (the first stack frame outside
 * Node's own code, or the file and line a syntax error points at).
 *
 * @example
 * ```ts
 * describeThrow(err); // "undefinedThing is not defined (at file:///srv/app.mjs:4:5)"
 * ```
 */
export function describeThrow(err: unknown, at?: string): string {
  const message = (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, " ").trim();
  const stack = err instanceof Error ? (err.stack ?? "").split("\n") : [];
  // a syntax error's stack starts with the place it points at: "file:///srv/app.mjs:3"
  const pointed = stack[0] && /^(file:\/\/|\/|[A-Za-z]:\\).*:\d+$/.test(stack[0].trim()) ? stack[0].trim() : undefined;
  const frame = stack.map((l) => l.trim()).find((l) => l.startsWith("at ") && !/\(node:|^at node:/.test(l));
  const where = at ?? pointed ?? frame?.replace(/^at /, "");
  return where ? `${message} (at ${where})` : message;
}

/**
 * The error an app function that threw while being loaded becomes: `HOOKYARD_ERR_APP_MODULE` with
 * the module, the original message and where it was thrown (a Hookyard error keeps its own code).
 *
 * @example
 * ```ts
 * try { await app.load(fn); } catch (err) { throw appModuleFailed("./app.js", err); }
 * ```
 */
export function appModuleFailed(module: string, err: unknown): HookyardError {
  const code = err instanceof HookyardError ? err.code : "HOOKYARD_ERR_APP_MODULE";
  return new HookyardError(code, `app module ${module} failed while loading: ${describeThrow(err)}`, { cause: err });
}
