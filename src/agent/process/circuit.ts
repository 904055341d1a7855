import type { HookyardConfig } from "../../config/index.js";
import type { Circuit } from "../../steering/circuit.js";
import type { Circuits } from "../../steering/circuits.js";
import type { AgentExit } from "./agent.js";

/**
 * Whether an agent run counts against the agent circuit: it timed out, or exited non-zero or by a
 * signal without being stopped by its task (a shutdown or cancellation is not the agent's fault).
 *
 * @example
 * ```ts
 * agentCrashed({ code: 1, signal: null, timedOut: false, aborted: false, tail: [], durationMs: 10 }); // true
 * ```
 */
export function agentCrashed(exit: AgentExit): boolean {
  return exit.timedOut || (!exit.aborted && exit.code !== 0);
}

/**
 * The `agent` circuit (HOOKYARD_AGENT_CIRCUIT_THRESHOLD and _COOLDOWN): opened by consecutive
 * crashes, time-outs or failures to start; while open, agent stages are deferred.
 *
 * @example
 * ```ts
 * const circuit = agentCircuit(app.circuits, app.config);
 * const exit = await circuit.run(() => runAgent(spawn));
 * ```
 */
export function agentCircuit(circuits: Circuits, config: Pick<HookyardConfig, "agentCircuitThreshold" | "agentCircuitCooldown">): Circuit {
  return circuits.get("agent", {
    threshold: config.agentCircuitThreshold, cooldownMs: config.agentCircuitCooldown,
    isFailure: () => true, isFailedResult: (exit) => agentCrashed(exit as AgentExit),
  });
}
