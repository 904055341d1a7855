import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";

/** Why a ref could not be moved: another writer moved it, holds its lock, or the name clashes with a directory. */
export class RefUpdateError extends Error {
  constructor(readonly ref: string, readonly reason: "stale" | "locked" | "invalid") {
    super(`fake GitHub: cannot update ${ref} (${reason})`);
    this.name = "RefUpdateError";
  }
}

export const ZERO_SHA = "0".repeat(40);

/** Whether `name` is a ref name the fake reads or writes (below `refs/`, no `..`, no lock files). */
function validName(name: string): boolean {
  return /^refs\/[^\0\s\\:~^?*[]+$/.test(name) && name.split("/").every((p) => p !== "" && !p.startsWith(".") && !p.endsWith(".lock"));
}

/**
 * The refs of a bare repository, read from and written to its files (loose refs, `packed-refs`
 * read too), with git's own `.lock` protocol so a concurrent `git receive-pack` and the fake never
 * overwrite each other.
 */
export class RefStore {
  constructor(private readonly gitDir: string) {}

  /** The sha `name` (`refs/heads/main`, `HEAD`) points at, following symbolic refs. */
  get(name: string): string | undefined {
    for (let hop = 0, n = name; hop < 5; hop++) {
      if (n !== "HEAD" && !validName(n)) return undefined;
      const text = this.readLoose(n);
      if (text === undefined) return this.packed().get(n);
      if (!text.startsWith("ref: ")) return /^[0-9a-f]{40}$/.test(text) ? text : undefined;
      n = text.slice(5);
    }
    return undefined;
  }

  /** Every ref below `refs/` → sha. */
  all(): Map<string, string> {
    const out = new Map(this.packed());
    const walk = (rel: string) => {
      const abs = join(this.gitDir, rel);
      for (const entry of readdirSync(abs, { withFileTypes: true })) {
        const child = `${rel}/${entry.name}`;
        if (entry.isDirectory()) walk(child);
        else if (!entry.name.endsWith(".lock")) {
          const sha = this.get(child);
          if (sha !== undefined) out.set(child, sha);
        }
      }
    };
    walk("refs");
    return out;
  }

  /**
   * Points `name` at `sha` if it is still at `expected` (`undefined`: whatever it is; `null`: it
   * must not exist). Throws {@link RefUpdateError}.
   */
  update(name: string, sha: string, expected?: string | null): void {
    if (!validName(name)) throw new RefUpdateError(name, "invalid");
    const path = join(this.gitDir, name);
    const lock = `${path}.lock`;
    let fd: number;
    try {
      mkdirSync(dirname(path), { recursive: true });
      fd = openSync(lock, "wx");
    } catch (err) {
      throw new RefUpdateError(name, (err as NodeJS.ErrnoException).code === "EEXIST" ? "locked" : "invalid");
    }
    try {
      const current = this.get(name);
      if (expected !== undefined && current !== (expected ?? undefined)) throw new RefUpdateError(name, "stale");
      if (existsSync(path) && statSync(path).isDirectory()) throw new RefUpdateError(name, "invalid");
      writeSync(fd, `${sha}\n`);
      closeSync(fd);
      renameSync(lock, path);
    } catch (err) {
      try {
        closeSync(fd);
      } catch {
        /* already closed */
      }
      if (existsSync(lock)) unlinkSync(lock);
      throw err instanceof RefUpdateError ? err : new RefUpdateError(name, "invalid");
    }
  }

  private readLoose(name: string): string | undefined {
    try {
      return readFileSync(join(this.gitDir, name), "utf8").trim();
    } catch {
      return undefined; // absent, or a directory
    }
  }

  private packed(): Map<string, string> {
    const out = new Map<string, string>();
    let text: string;
    try {
      text = readFileSync(join(this.gitDir, "packed-refs"), "utf8");
    } catch {
      return out;
    }
    for (const line of text.split("\n")) {
      const m = /^([0-9a-f]{40}) (refs\/\S+)$/.exec(line);
      if (m?.[1] && m[2]) out.set(m[2], m[1]);
    }
    return out;
  }
}
