import { readdirSync, readFileSync } from "node:fs";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";

/** Where `npm run build` puts the console: `dist/console/` of the package (from src/ or dist/ alike). */
export const CONSOLE_DIR = fileURLToPath(new URL("../../../dist/console/", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".map": "application/json; charset=utf-8",
};

/** One built file, kept in memory. */
export interface Asset {
  body: Buffer;
  type: string;
}

/**
 * The console's built files by name (`index.html`, `app.js`, …), read once; empty when the
 * console was not built.
 *
 * @example
 * ```ts
 * const assets = loadAssets(); assets.get("index.html");
 * ```
 */
export function loadAssets(dir: string = CONSOLE_DIR): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return assets;
  }
  for (const name of names) {
    const type = TYPES[extname(name)];
    if (type) assets.set(name, { body: readFileSync(`${dir}${name}`), type });
  }
  return assets;
}
