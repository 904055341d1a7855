import { HookyardError } from "../../errors.js";

/** One config file: a path in a repository (read at its default branch). */
export interface ConfigFileRef {
  owner: string;
  repo: string;
  /** Path inside the repository, e.g. `.github/my-app.yml`. */
  path: string;
}

/**
 * `acme/widgets:.github/my-app.yml`, how messages and logs name a file.
 *
 * @example
 * ```ts
 * describeFile({ owner: "acme", repo: "widgets", path: ".github/app.yml" }); // "acme/widgets:.github/app.yml"
 * ```
 */
export function describeFile(ref: ConfigFileRef): string {
  return `${ref.owner}/${ref.repo}:${ref.path}`;
}

/**
 * The cache key of a file: owner and repository case-insensitive (as GitHub treats them), path exact.
 *
 * @example
 * ```ts
 * fileKey({ owner: "Acme", repo: "Widgets", path: ".github/App.yml" }); // "acme/widgets:.github/App.yml"
 * ```
 */
export function fileKey(ref: ConfigFileRef): string {
  return `${ref.owner}/${ref.repo}`.toLowerCase() + `:${ref.path}`;
}

// [owner/]repo[:path.yml] — owner as GitHub allows logins, path only to a YAML file
const EXTENDS = /^(?:([a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38})\/)?([-_.\w]+)(?::([-_./\w]+\.ya?ml))?$/i;

/**
 * The file an `_extends` value names, as Probot resolves it: `other-repo` (same owner, same path),
 * `owner/repo`, or either with `:path.yml`. The owner and path it defaults to are those of the file
 * `ctx.config()` was asked for, also for a file reached through another `_extends`.
 *
 * @example
 * ```ts
 * extendsTarget("shared:.github/base.yml", { owner: "acme", repo: "widgets", path: ".github/app.yml" }, from);
 * // { owner: "acme", repo: "shared", path: ".github/base.yml" }
 * ```
 */
export function extendsTarget(value: unknown, requested: ConfigFileRef, from: ConfigFileRef): ConfigFileRef {
  const m = typeof value === "string" ? EXTENDS.exec(value.trim()) : null;
  if (!m) {
    throw new HookyardError("HOOKYARD_ERR_CONFIG_REPO_INVALID", `${describeFile(from)}: _extends must be "repo", "owner/repo" or "owner/repo:path.yml", not ${JSON.stringify(value)}`);
  }
  return { owner: m[1] ?? requested.owner, repo: m[2] as string, path: m[3] ?? requested.path };
}
