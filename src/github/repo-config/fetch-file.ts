import { parse as parseYaml } from "yaml";
import { HookyardError } from "../../errors.js";
import type { HookyardOctokit } from "../octokit.js";
import { describeFile, type ConfigFileRef } from "./file-ref.js";

/** What reading config files needs of an Octokit: `request`. */
export type ConfigRequester = Pick<HookyardOctokit, "request">;

/** A parsed config file: always a mapping. */
export type ConfigObject = Record<string, unknown>;

/** The answer to one conditional read. */
export type FetchResult =
  | { kind: "found"; etag: string | undefined; config: ConfigObject }
  | { kind: "unchanged" }
  | { kind: "missing" };

const EXTENSIONS = new Set(["yml", "yaml", "json"]);

/**
 * Reads one config file at the default branch through the contents API (raw media type). With
 * `etag`, the request carries `If-None-Match`: GitHub answers `304` (no rate budget spent) when
 * the file is unchanged. A `404` is `missing`; other failures (rate limits, 5xx) are thrown as is.
 *
 * @example
 * ```ts
 * const r = await fetchConfigFile(octokit, { owner: "acme", repo: "widgets", path: ".github/app.yml" }, cached?.etag);
 * ```
 */
export async function fetchConfigFile(octokit: ConfigRequester, ref: ConfigFileRef, etag?: string): Promise<FetchResult> {
  const ext = ref.path.split(".").pop()?.toLowerCase() ?? "";
  if (!EXTENSIONS.has(ext)) {
    throw new HookyardError("HOOKYARD_ERR_CONFIG_REPO_INVALID", `${describeFile(ref)}: config files must end in .yml, .yaml or .json`);
  }
  let res;
  try {
    res = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
      owner: ref.owner, repo: ref.repo, path: ref.path,
      mediaType: { format: "raw" },
      ...(etag !== undefined ? { headers: { "if-none-match": etag } } : {}),
    });
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    if (status === 304 && etag !== undefined) return { kind: "unchanged" };
    if (status === 404) return { kind: "missing" };
    throw err;
  }
  const data: unknown = res.data;
  let text: string;
  if (typeof data === "string") text = data;
  else if (data instanceof ArrayBuffer) text = Buffer.from(data).toString("utf8");
  // the raw media type of a directory or submodule is its JSON listing
  else throw new HookyardError("HOOKYARD_ERR_CONFIG_REPO_INVALID", `${describeFile(ref)} is a directory or a submodule, not a config file`);
  const tag = res.headers.etag;
  return { kind: "found", etag: typeof tag === "string" ? tag : undefined, config: parseConfig(text, ref, ext) };
}

/**
 * Parses a file's text as YAML (or JSON for `.json`): empty is `{}`, anything but a mapping raises
 * `HOOKYARD_ERR_CONFIG_REPO_INVALID` naming the file.
 *
 * @example
 * ```ts
 * parseConfig("labels: [bug]\n", { owner: "acme", repo: "widgets", path: ".github/app.yml" }); // { labels: ["bug"] }
 * ```
 */
export function parseConfig(text: string, ref: ConfigFileRef, ext = "yml"): ConfigObject {
  let value: unknown;
  try {
    value = ext === "json" ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    // first line only: YAML errors go on with an excerpt of the file
    const why = String((err as Error).message).split("\n")[0];
    throw new HookyardError("HOOKYARD_ERR_CONFIG_REPO_INVALID", `${describeFile(ref)} is not valid ${ext === "json" ? "JSON" : "YAML"}: ${why}`, { cause: err });
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new HookyardError("HOOKYARD_ERR_CONFIG_REPO_INVALID", `${describeFile(ref)} must hold a mapping (key: value), not ${Array.isArray(value) ? "a list" : `a ${typeof value}`}`);
  }
  return value as ConfigObject;
}
