import type { Logger } from "pino";
import type { Lifecycle } from "../observability/lifecycle.js";
import { Circuit, type CircuitOptions, type CircuitStateName } from "./circuit.js";

/** A circuit's name and state, for `/ready` and the `hookyard_circuit_state` gauge. */
export interface CircuitSnapshot {
  name: string;
  state: CircuitStateName;
}

/**
 * The circuit breakers of one app, by name (`github:api.github.com`, `agent`). Every state change
 * is logged (warn when a circuit opens, info otherwise) and emitted as `circuit:change`.
 *
 * @example
 * ```ts
 * const circuits = new Circuits({ log, lifecycle: app.events });
 * const github = circuits.get("github:api.github.com", { threshold: 5, cooldownMs: 30_000, isFailure });
 * ```
 */
export class Circuits {
  private readonly byName = new Map<string, Circuit>();

  constructor(private readonly o: { log: Logger; lifecycle?: Lifecycle }) {}

  /** The circuit of this name, made with `options` on first use (later calls get the same one). */
  get(name: string, options: CircuitOptions): Circuit {
    let circuit = this.byName.get(name);
    if (!circuit) {
      circuit = new Circuit(name, options, (from, to) => this.changed(name, from, to));
      this.byName.set(name, circuit);
    }
    return circuit;
  }

  list(): CircuitSnapshot[] {
    return [...this.byName.values()].map((c) => ({ name: c.name, state: c.state }));
  }

  private changed(circuit: string, from: CircuitStateName, to: CircuitStateName): void {
    if (to === "open") this.o.log.warn({ circuit, from, to }, `circuit ${circuit} opened: calls are deferred until a probe succeeds`);
    else this.o.log.info({ circuit, from, to }, `circuit ${circuit} ${to === "closed" ? "closed: calls pass again" : "half-open: one probe call runs"}`);
    this.o.lifecycle?.emit("circuit:change", { circuit, from, to });
  }
}
