import { circuitBreaker, CircuitState, ConsecutiveBreaker, handleAll, BrokenCircuitError, type CircuitBreakerPolicy } from "cockatiel";
import { DeferError } from "./defer.js";

/** A circuit's state: `closed` (calls pass), `open` (calls deferred), `half-open` (one probe call runs). */
export type CircuitStateName = "closed" | "half-open" | "open";

export interface CircuitOptions {
  /** Consecutive failures that open the circuit; 0 turns the breaker off (every call passes). */
  threshold: number;
  /** How long it stays open before one probe call may run (ms). */
  cooldownMs: number;
  /** Whether a thrown error counts as a failure; any other outcome (a value, another error) is a success. */
  isFailure: (error: unknown) => boolean;
  /** Whether a returned value counts as a failure (it is still returned), e.g. an agent's crash exit. */
  isFailedResult?: (value: unknown) => boolean;
}

/** Carries a returned value that counts as a failure through the breaker. */
class FailedResult {
  constructor(readonly value: unknown) {}
}

/**
 * A call was not made because its circuit is open (or a probe is running): the task is queued for
 * `retryAt`, when the next probe may run, and the attempt does not count.
 *
 * @example
 * ```ts
 * if (err instanceof CircuitOpenError) console.log(err.circuit, new Date(err.retryAt));
 * ```
 */
export class CircuitOpenError extends DeferError {
  constructor(readonly circuit: string, retryAt: number) {
    super("HOOKYARD_ERR_TASK_CIRCUIT_OPEN", retryAt, `the ${circuit} circuit is open after consecutive failures; the task runs again at ${new Date(retryAt).toISOString()}`);
    this.name = "CircuitOpenError";
  }
}

const NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: "closed", [CircuitState.HalfOpen]: "half-open", [CircuitState.Open]: "open", [CircuitState.Isolated]: "open",
};

type Outcome<T> = { value: T } | { error: unknown };

/**
 * A circuit breaker (cockatiel's) around one dependency: after `threshold` consecutive failures it
 * opens, and calls throw {@link CircuitOpenError} without being made; after `cooldownMs` the next
 * call is a probe (half-open) while other calls are deferred again; the probe's success closes it,
 * its failure opens it for another cool-down. Errors that are not failures (a 404) count as answers.
 *
 * @example
 * ```ts
 * const circuit = new Circuit("agent", { threshold: 3, cooldownMs: 60_000, isFailure: () => true }, log);
 * const out = await circuit.run(() => call());
 * ```
 */
export class Circuit {
  private readonly policy: CircuitBreakerPolicy;
  private current: CircuitStateName = "closed";
  private openedAt = 0;

  constructor(readonly name: string, private readonly o: CircuitOptions, onChange: (from: CircuitStateName, to: CircuitStateName) => void, private readonly random = Math.random) {
    this.policy = circuitBreaker(handleAll, { halfOpenAfter: Math.max(1, o.cooldownMs), breaker: new ConsecutiveBreaker(Math.max(1, o.threshold)) });
    this.policy.onStateChange((state) => {
      const from = this.current;
      this.current = NAMES[state];
      if (this.current === "open") this.openedAt = Date.now();
      if (from !== this.current) onChange(from, this.current);
    });
  }

  get state(): CircuitStateName {
    return this.current;
  }

  /** Runs `call` through the breaker; throws {@link CircuitOpenError} instead of calling while open. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.o.threshold <= 0) return call();
    this.refuseWhileOpen();
    let outcome: Outcome<T>;
    try {
      outcome = await this.policy.execute(async (): Promise<Outcome<T>> => {
        let value: T;
        try {
          value = await call();
        } catch (error) {
          if (this.o.isFailure(error)) throw error;
          return { error };
        }
        if (this.o.isFailedResult?.(value)) throw new FailedResult(value);
        return { value };
      });
    } catch (err) {
      if (err instanceof FailedResult) return err.value as T;
      if (err instanceof BrokenCircuitError) throw new CircuitOpenError(this.name, this.retryAt());
      throw err;
    }
    if ("error" in outcome) throw outcome.error;
    return outcome.value;
  }

  /** When a deferred call should come back: the end of the cool-down (a probe is due), spread by up to 10 %. */
  retryAt(now = Date.now()): number {
    const spread = Math.floor(this.random() * this.o.cooldownMs * 0.1);
    const due = this.current === "open" ? this.openedAt + this.o.cooldownMs : now + this.o.cooldownMs;
    return Math.max(now, due) + spread;
  }

  /** Throws {@link CircuitOpenError} while the circuit is open or a probe runs (before costly work that leads to a call). */
  check(): void {
    if (this.o.threshold > 0) this.refuseWhileOpen();
  }

  private refuseWhileOpen(): void {
    const now = Date.now();
    // a probe is running: the others wait a cool-down instead of piling on
    if (this.current === "half-open") throw new CircuitOpenError(this.name, this.retryAt(now));
    if (this.current === "open" && now < this.openedAt + this.o.cooldownMs) throw new CircuitOpenError(this.name, this.retryAt(now));
  }
}
