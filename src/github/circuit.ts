import type { HookyardConfig } from "../config/index.js";
import { HookyardError } from "../errors.js";
import type { Circuit } from "../steering/circuit.js";
import type { Circuits } from "../steering/circuits.js";
import type { Octokit } from "@octokit/core";

/**
 * Whether a failed GitHub request counts against its host's circuit: a 5xx answer, or no answer
 * (Octokit reports a network failure as status 500 without a response). A 4xx is an answer (the
 * host is up), and so is Hookyard's own rate-limit deferral.
 *
 * @example
 * ```ts
 * isGitHubOutage({ status: 502 }); // true
 * isGitHubOutage({ status: 404 }); // false
 * ```
 */
export function isGitHubOutage(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === "number") return status >= 500;
  return !(error instanceof HookyardError);
}

/** The circuit name of a GitHub API base URL: `github:api.github.com`, `github:ghe.example.com`. */
export function githubCircuitName(baseUrl: string): string {
  return `github:${new URL(baseUrl).host}`;
}

/**
 * The circuit of the configured GitHub host (HOOKYARD_GITHUB_CIRCUIT_THRESHOLD and _COOLDOWN).
 *
 * @example
 * ```ts
 * const circuit = githubCircuit(circuits, config, "https://api.github.com");
 * ```
 */
export function githubCircuit(circuits: Circuits, config: HookyardConfig, baseUrl: string): Circuit {
  return circuits.get(githubCircuitName(baseUrl), { threshold: config.githubCircuitThreshold, cooldownMs: config.githubCircuitCooldown, isFailure: isGitHubOutage });
}

/**
 * Sends every request of `octokit` through `circuit`: while it is open a request is not made and
 * throws a `CircuitOpenError` (the runner defers the task). Installed outside Octokit's retries,
 * so one failure is one request that failed after its retries.
 *
 * @example
 * ```ts
 * guardRequests(octokit, circuit);
 * ```
 */
export function guardRequests(octokit: Pick<Octokit, "hook">, circuit: Circuit): void {
  octokit.hook.wrap("request", (request, options) => circuit.run(async () => request(options)));
}
