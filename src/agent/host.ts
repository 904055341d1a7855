import type { Logger } from "pino";
import type { HookyardConfig } from "../config/index.js";
import type { Handler, HandlerOptions } from "../events/registry.js";
import type { EventName } from "../events/types.js";
import type { GitHubClients } from "../github/clients.js";
import type { Lifecycle } from "../observability/lifecycle.js";
import type { Circuits } from "../steering/circuits.js";
import type { Backend } from "../store/backend.js";

/**
 * What {@link agentWorkflow} uses of a Hookyard app. A `Hookyard` is one; written out here so that
 * agent/ does not import the app module, which wires http/, which serves the agent's runs.
 *
 * @example
 * ```ts
 * const host: AgentHost = new Hookyard({ store: "memory:" });
 * ```
 */
export interface AgentHost {
  readonly config: HookyardConfig;
  readonly log: Logger;
  readonly events: Lifecycle;
  readonly circuits: Circuits;
  readonly github: GitHubClients;
  readonly store: Backend;
  on<E extends EventName>(event: E | readonly E[], handler: Handler<E>, options?: HandlerOptions): unknown;
}
