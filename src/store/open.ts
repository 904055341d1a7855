import { HookyardError } from "../errors.js";
import type { Backend } from "./backend.js";
import { MemoryBackend } from "./backends/memory/index.js";
import { SqliteBackend } from "./backends/sqlite/index.js";

/**
 * Opens the store a `HOOKYARD_STORE` value names: `sqlite:<path>` or `memory:`.
 *
 * @example
 * ```ts
 * const store = await openStore("sqlite:.hookyard/hookyard.db");
 * ```
 */
export async function openStore(url: string): Promise<Backend> {
  if (url === "memory:" || url === "memory") return new MemoryBackend();
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (path === "") throw new HookyardError("HOOKYARD_ERR_STORE_INVALID_URL", "HOOKYARD_STORE=sqlite: needs a file path, e.g. sqlite:.hookyard/hookyard.db");
    return SqliteBackend.open(path);
  }
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0] ?? url;
  throw new HookyardError(
    "HOOKYARD_ERR_STORE_INVALID_URL",
    `unsupported HOOKYARD_STORE scheme "${scheme}": use sqlite:<path> or memory:`,
  );
}
