import type { components } from "@octokit/openapi-types";
import type { RepoRecord } from "../state.js";

/** GitHub's REST response schemas, as `@octokit/openapi-types` names them. */
export type Schemas = components["schemas"];

/** Where the fake's objects live: `api` is the fake's own URL, `html` the web side, `git` the base of clone URLs. */
export interface Urls {
  api: string;
  html: string;
  git: string;
}

/** `<api>/repos/<owner>/<name>`. */
export function repoApi(u: Urls, r: RepoRecord): string {
  return `${u.api}/repos/${r.owner.login}/${r.name}`;
}

/** `<html>/<owner>/<name>`. */
export function repoHtml(u: Urls, r: RepoRecord): string {
  return `${u.html}/${r.owner.login}/${r.name}`;
}
