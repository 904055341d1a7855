import { z } from "zod";

const numeric = z.string().regex(/^\d+$/, "a decimal id");

/** The claims GitHub sets on every Actions OIDC token; checked after the signature. */
export const actionsClaimsSchema = z.looseObject({
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  sub: z.string(),
  exp: z.number(),
  iat: z.number(),
  nbf: z.number().optional(),
  jti: z.string().optional(),
  repository: z.string().regex(/^[^/]+\/[^/]+$/, "owner/name"),
  repository_id: numeric,
  repository_owner: z.string(),
  repository_owner_id: numeric,
  repository_visibility: z.string().optional(),
  ref: z.string(),
  ref_type: z.string().optional(),
  ref_protected: z.string().optional(),
  sha: z.string(),
  environment: z.string().optional(),
  environment_node_id: z.string().optional(),
  event_name: z.string(),
  head_ref: z.string().optional(),
  base_ref: z.string().optional(),
  workflow: z.string(),
  workflow_ref: z.string().optional(),
  workflow_sha: z.string().optional(),
  job_workflow_ref: z.string().optional(),
  job_workflow_sha: z.string().optional(),
  run_id: numeric,
  run_number: z.string().optional(),
  run_attempt: numeric,
  actor: z.string(),
  actor_id: numeric.optional(),
  runner_environment: z.string().optional(),
  enterprise: z.string().optional(),
  enterprise_id: z.string().optional(),
});

/**
 * The claims of a verified GitHub Actions OIDC token, as GitHub writes them (ids are decimal
 * strings: `repository_id: "74"`). Claims GitHub adds later are kept as they come.
 */
export type ActionsTokenClaims = z.infer<typeof actionsClaimsSchema>;

/** A verified token's claims with helpers. The helpers are not enumerable: `JSON.stringify` shows the claims only. */
export interface ActionsToken extends ActionsTokenClaims {
  /**
   * Whether the job ran for a push to (or on) the branch `branch` (default `main`). The token carries
   * no default-branch claim, so name yours when it is not `main`.
   */
  isDefaultBranch(branch?: string): boolean;
  /** Whether the job ran for a tag (`ref_type: tag`, `ref: refs/tags/…`). */
  isTag(): boolean;
}

/** Adds the helpers to checked claims. */
export function actionsToken(claims: ActionsTokenClaims): ActionsToken {
  const token = { ...claims } as ActionsToken;
  Object.defineProperties(token, {
    isDefaultBranch: { value: (branch = "main") => claims.ref === `refs/heads/${branch}` && (claims.ref_type ?? "branch") === "branch" },
    isTag: { value: () => claims.ref.startsWith("refs/tags/") && (claims.ref_type ?? "tag") === "tag" },
  });
  return token;
}
