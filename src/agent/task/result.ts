import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { z } from "zod";

/** What an agent may write to `HOOKYARD_RESULT_FILE`. */
export interface AgentResult {
  /** Commit subject and pull request title. */
  title?: string;
  /** A paragraph for the issue comment and the pull request. */
  summary?: string;
  /** The pull request body (Markdown). */
  body?: string;
  /** What the run cost, in US dollars, counted in the run record. */
  cost?: number;
}

const schema = z.object({
  title: z.string().max(256).optional(),
  summary: z.string().max(4_000).optional(),
  body: z.string().max(60_000).optional(),
  cost: z.number().nonnegative().finite().optional(),
});

const MAX_BYTES = 256 * 1024;

/** The result, or why it was ignored; a missing file is no result and no problem. */
export type ReadResult = { result: AgentResult; problem: null } | { result: AgentResult; problem: string };

/**
 * Reads the agent's result file without following a symlink (an agent cannot make Hookyard read
 * another file by replacing it with a link) and only if it is a regular file of at most 256 KB.
 * A file that is not valid is ignored with a reason (the run goes on with defaults).
 *
 * @example
 * ```ts
 * const { result, problem } = await readResult(join(ws.io, "result.json"));
 * ```
 */
export async function readResult(path: string): Promise<ReadResult> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { result: {}, problem: null };
    return { result: {}, problem: code === "ELOOP" ? "the result file is a symbolic link" : `the result file cannot be read (${code})` };
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return { result: {}, problem: "the result file is not a regular file" };
    if (st.size > MAX_BYTES) return { result: {}, problem: `the result file is larger than ${MAX_BYTES} bytes` };
    const text = (await handle.readFile()).subarray(0, MAX_BYTES).toString("utf8");
    if (text.trim() === "") return { result: {}, problem: null };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { result: {}, problem: "the result file is not JSON" };
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) return { result: {}, problem: `the result file does not match {title, summary, body, cost}: ${parsed.error.issues[0]?.message ?? "invalid"}` };
    const r = parsed.data;
    return { result: { ...(r.title !== undefined ? { title: r.title } : {}), ...(r.summary !== undefined ? { summary: r.summary } : {}), ...(r.body !== undefined ? { body: r.body } : {}), ...(r.cost !== undefined ? { cost: r.cost } : {}) }, problem: null };
  } finally {
    await handle.close();
  }
}
