import { z } from "zod";
import { HookyardError, type ErrorCode } from "../../errors.js";
import type { ActionsTokenClaims } from "./claims.js";
import { globToRegExp } from "./glob.js";

/**
 * Which Actions tokens are accepted. Every field given must hold (AND); within a field, any listed
 * value does (OR). Bind to numeric ids (`repositoryIds`, `ownerIds`): a deleted repository's or
 * account's name can be registered again by someone else, its id never is.
 */
export interface ActionsPolicy {
  /** `repository_id`s allowed (the recommended binding). */
  repositoryIds?: readonly number[];
  /** `owner/name`s allowed (case-insensitive). Names can be re-registered: prefer `repositoryIds`. */
  repositories?: readonly string[];
  /** `repository_owner_id`s allowed (any repository of these accounts). */
  ownerIds?: readonly number[];
  /** Deployment environments allowed; a job without an environment is refused. */
  environments?: readonly string[];
  /** Globs over `ref`, e.g. `refs/heads/main`, `refs/tags/v*`, `refs/heads/release/**`. */
  refs?: readonly string[];
  /** Globs over `job_workflow_ref` (the workflow file the job runs, reusable ones included), e.g. `acme/deploy/.github/workflows/deploy.yml@refs/heads/main`. */
  workflowRefs?: readonly string[];
  /** `event_name`s allowed, e.g. `push`, `workflow_dispatch`. */
  eventNames?: readonly string[];
  /** `github-hosted` to refuse self-hosted runners (or the reverse). */
  runnerEnvironment?: "github-hosted" | "self-hosted";
}

const list = <T extends z.ZodType>(item: T) => z.array(item).min(1, "must list at least one value (leave the field out instead)").readonly();
const id = z.number().int().positive();

const policySchema = z.strictObject({
  repositoryIds: list(id).optional(),
  repositories: list(z.string().regex(/^[^/\s]+\/[^/\s]+$/, "must be owner/name")).optional(),
  ownerIds: list(id).optional(),
  environments: list(z.string().min(1)).optional(),
  refs: list(z.string().min(1)).optional(),
  workflowRefs: list(z.string().min(1)).optional(),
  eventNames: list(z.string().min(1)).optional(),
  runnerEnvironment: z.enum(["github-hosted", "self-hosted"]).optional(),
});

/** A checked policy, ready to test claims. */
export interface CompiledPolicy {
  readonly policy: ActionsPolicy;
  /** Throws a policy error (e.g. `HOOKYARD_ERR_OIDC_POLICY_REF`) naming the first condition the claims break. */
  check(claims: ActionsTokenClaims): void;
}

type Rule = (c: ActionsTokenClaims) => [ErrorCode, string] | undefined;

function deny(code: ErrorCode, message: string): [ErrorCode, string] {
  return [code, message];
}

/**
 * Validates a policy at setup: unknown fields, empty lists and an empty policy are refused
 * (`HOOKYARD_ERR_OIDC_OPTIONS_INVALID`, `HOOKYARD_ERR_OIDC_POLICY_EMPTY`). A name-only repository
 * binding is accepted with a warning.
 *
 * @example
 * ```ts
 * const policy = compilePolicy({ repositoryIds: [74], refs: ["refs/heads/main"] });
 * policy.check(claims);
 * ```
 */
export function compilePolicy(input: ActionsPolicy, warn: (message: string) => void = defaultWarn): CompiledPolicy {
  if (input === null || typeof input !== "object") throw new HookyardError("HOOKYARD_ERR_OIDC_POLICY_EMPTY", "an Actions token policy is required (e.g. { repositoryIds: [123] })");
  const parsed = policySchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HookyardError("HOOKYARD_ERR_OIDC_OPTIONS_INVALID", `invalid Actions token policy${issue?.path.length ? ` field ${issue.path.join(".")}` : ""}: ${issue?.message ?? "invalid"}`);
  }
  const p = parsed.data;
  if (Object.values(p).every((v) => v === undefined)) {
    throw new HookyardError("HOOKYARD_ERR_OIDC_POLICY_EMPTY", "the Actions token policy names no condition, so it would accept any workflow of any repository: give at least repositoryIds (or ownerIds)");
  }
  if (p.repositories && !p.repositoryIds) {
    warn("Actions token policy binds repositories by name: a deleted or renamed repository's name can be registered again by someone else. Bind to repositoryIds instead.");
  }
  const rules: Rule[] = [];
  if (p.repositoryIds) {
    const ids = new Set(p.repositoryIds.map(String));
    rules.push((c) => (ids.has(c.repository_id) ? undefined : deny("HOOKYARD_ERR_OIDC_POLICY_REPOSITORY_ID", `repository ${c.repository} (id ${c.repository_id}) is not allowed by the policy's repositoryIds`)));
  }
  if (p.repositories) {
    const names = new Set(p.repositories.map((n) => n.toLowerCase()));
    rules.push((c) => (names.has(c.repository.toLowerCase()) ? undefined : deny("HOOKYARD_ERR_OIDC_POLICY_REPOSITORY", `repository ${c.repository} is not allowed by the policy's repositories`)));
  }
  if (p.ownerIds) {
    const ids = new Set(p.ownerIds.map(String));
    rules.push((c) => (ids.has(c.repository_owner_id) ? undefined : deny("HOOKYARD_ERR_OIDC_POLICY_OWNER", `owner ${c.repository_owner} (id ${c.repository_owner_id}) is not allowed by the policy's ownerIds`)));
  }
  if (p.environments) {
    const envs = new Set(p.environments);
    rules.push((c) => (c.environment !== undefined && envs.has(c.environment) ? undefined : deny("HOOKYARD_ERR_OIDC_POLICY_ENVIRONMENT", c.environment === undefined ? "the job has no environment, and the policy requires one" : `environment ${c.environment} is not allowed by the policy`)));
  }
  if (p.refs) {
    const globs = p.refs.map(globToRegExp);
    rules.push((c) => (globs.some((g) => g.test(c.ref)) ? undefined : deny("HOOKYARD_ERR_OIDC_POLICY_REF", `ref ${c.ref} is not allowed by the policy's refs`)));
  }
  if (p.workflowRefs) {
    const globs = p.workflowRefs.map(globToRegExp);
    rules.push((c) => {
      const ref = c.job_workflow_ref;
      return ref !== undefined && globs.some((g) => g.test(ref)) ? undefined : deny("HOOKYARD_ERR_OIDC_POLICY_WORKFLOW", `workflow ${ref ?? "(none)"} is not allowed by the policy's workflowRefs`);
    });
  }
  if (p.eventNames) {
    const events = new Set(p.eventNames);
    rules.push((c) => (events.has(c.event_name) ? undefined : deny("HOOKYARD_ERR_OIDC_POLICY_EVENT", `event ${c.event_name} is not allowed by the policy's eventNames`)));
  }
  if (p.runnerEnvironment) {
    const want = p.runnerEnvironment;
    rules.push((c) => (c.runner_environment === want ? undefined : deny("HOOKYARD_ERR_OIDC_POLICY_RUNNER", `runner ${c.runner_environment ?? "(unknown)"} is not allowed: the policy requires ${want}`)));
  }
  return {
    policy: p,
    check(claims) {
      for (const rule of rules) {
        const broken = rule(claims);
        if (broken) throw new HookyardError(broken[0], broken[1]);
      }
    },
  };
}

const warned = new Set<string>();

function defaultWarn(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  process.emitWarning(message, { code: "HOOKYARD_OIDC_NAME_BINDING" });
}
