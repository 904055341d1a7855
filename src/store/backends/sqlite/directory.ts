import { mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Creates `dir` and its missing parents, one `mkdir` each, and throws the first error. Unlike
 * `mkdirSync(dir, { recursive: true })`, whose loop on Node 20 never ends for a path it cannot
 * create under a directory that exists (`/proc/x` answers ENOENT, `/proc` EEXIST, again and again),
 * this takes at most one step per path component.
 *
 * @example
 * ```ts
 * ensureDirectory("/var/lib/hookyard"); // throws ENOENT for "/proc/x" instead of spinning
 * ```
 */
export function ensureDirectory(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      if (statSync(d).isDirectory()) break;
      throw Object.assign(new Error(`ENOTDIR: not a directory, ${d}`), { code: "ENOTDIR", path: d });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
}
