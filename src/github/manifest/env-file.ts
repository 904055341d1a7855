import { randomBytes } from "node:crypto";
import { chmod, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/;

/**
 * A value as one `.env` line holds it (dotenv's rules): bare when it is plain, else double-quoted
 * with newlines written as `\n` (a PEM key fits on one line).
 *
 * @example
 * ```ts
 * envValue("-----BEGIN RSA PRIVATE KEY-----\nMIIE…"); // "\"-----BEGIN RSA PRIVATE KEY-----\\nMIIE…\""
 * ```
 */
export function envValue(value: string): string {
  if (/^[A-Za-z0-9_./:@+,-]*$/.test(value)) return value;
  if (value.includes('"') && !/[\r\n]/.test(value) && !value.includes("'")) return `'${value}'`;
  if (value.includes('"')) throw new TypeError("a .env value cannot hold both a double quote and a newline or a single quote");
  return `"${value.replace(/\r?\n/g, "\\n")}"`;
}

/** True when a value that starts on this line goes on past it (an open quote; dotenv allows multi-line quoted values). */
function opensMultiline(rest: string): string | undefined {
  const q = rest[0];
  if (q !== '"' && q !== "'" && q !== "`") return undefined;
  return rest.indexOf(q, 1) === -1 ? q : undefined;
}

/**
 * `.env` text with `values` set: a key's existing line (or multi-line quoted value) is replaced in
 * place, later duplicates dropped, new keys appended; every other line is kept as it was.
 *
 * @example
 * ```ts
 * mergeEnvText("PORT=3000\nAPP_ID=1\n", { APP_ID: "2" }); // "PORT=3000\nAPP_ID=2\n"
 * ```
 */
export function mergeEnvText(existing: string, values: Record<string, string>): string {
  const lines = existing === "" ? [] : existing.replace(/\r?\n$/, "").split(/\r?\n/);
  const out: string[] = [];
  const done = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const m = ASSIGNMENT.exec(line);
    const key = m?.[1];
    if (key === undefined || !(key in values)) {
      out.push(line);
      continue;
    }
    const quote = opensMultiline(m?.[2] ?? "");
    if (quote) while (i + 1 < lines.length && !(lines[++i] as string).includes(quote));
    if (done.has(key)) continue;
    done.add(key);
    out.push(`${key}=${envValue(values[key] as string)}`);
  }
  for (const [key, value] of Object.entries(values)) if (!done.has(key)) out.push(`${key}=${envValue(value)}`);
  return `${out.join("\n")}\n`;
}

/**
 * Sets `values` in the `.env` file at `path` (see {@link mergeEnvText}), creating it if needed.
 * The file is replaced atomically (a temporary file, then rename) and left readable by its owner
 * only (mode 0600).
 *
 * @example
 * ```ts
 * await writeEnvFile(".env", { APP_ID: "123", WEBHOOK_SECRET: secret });
 * ```
 */
export async function writeEnvFile(path: string, values: Record<string, string>): Promise<void> {
  let existing = "";
  try {
    existing = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const tmp = join(dirname(path), `.env.hookyard-${randomBytes(4).toString("hex")}.tmp`);
  try {
    await writeFile(tmp, mergeEnvText(existing, values), { mode: 0o600, flag: "wx" });
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
