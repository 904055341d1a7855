import type { components } from "@octokit/openapi-types";

/** GitHub's REST response schemas, as `@octokit/openapi-types` names them. */
export type Schemas = components["schemas"];

/** Where the fake's objects live: `api` is the fake's own URL, `html` the web side, `git` the base of clone URLs. */
export interface Urls {
  api: string;
  html: string;
  git: string;
}
