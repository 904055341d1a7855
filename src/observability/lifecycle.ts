import type { Logger } from "pino";
import type { AcceptStatus, ClaimedTask, ErrorRecord } from "../store/backend.js";

/** The lifecycle events Hookyard emits, by name, with what each carries. */
export interface LifecycleEvents {
  "delivery:accepted": { id: string; event: string; action: string | null; status: AcceptStatus; tasks: number };
  "delivery:rejected": { code: string; status: number; source?: string; delivery?: string };
  "task:start": { task: ClaimedTask };
  "task:complete": { task: ClaimedTask; durationMs: number };
  "task:retry": { task: ClaimedTask; error: ErrorRecord; runAt: number; durationMs?: number };
  "task:failed": { task: ClaimedTask; error: ErrorRecord; durationMs?: number };
  "task:interrupted": { task: ClaimedTask };
  /**
   * A handler was still running a while after its signal was aborted (its timeout, or the task's
   * lease was lost): it keeps its concurrency slot, and the task its lease, until it returns; then
   * the attempt's outcome follows. `elapsedMs` counts from the attempt's start.
   */
  "task:overrun": { task: ClaimedTask; reason: "timeout" | "lost"; elapsedMs: number };
  /** A `DeferError` (GitHub's rate limit spent, a circuit open) deferred the task to `runAt`; the attempt does not count. */
  "task:deferred": { task: ClaimedTask; runAt: number; error: ErrorRecord };
  /** A circuit breaker (`github:<host>`, `agent`) changed state (`closed`, `half-open`, `open`). */
  "circuit:change": { circuit: string; from: "closed" | "half-open" | "open"; to: "closed" | "half-open" | "open" };
  /**
   * A step of the agent workflow (`hookyard/agent`): `triggered`, `workspace`, `agent-started`,
   * `agent-output` (one line), `agent-exited`, `pushed`, `pr`, `commented`, `no-changes`,
   * `refused`, `stopped`, `noted` (a trigger while a run is active), `skipped`, `failed`.
   */
  /** A batch of retention (the background pruner) removed these. */
  "store:pruned": { deliveries: number; tasks: number; bytes: number; tombstones: number };
  "agent:progress": { repo: string; issue: number; mode: string; step: string; detail: Record<string, unknown>; task: string };
}

export type LifecycleName = keyof LifecycleEvents;
export type LifecycleListener<N extends LifecycleName> = (data: LifecycleEvents[N]) => void;

/**
 * A typed emitter whose listeners cannot break the pipeline: a listener that throws (or rejects)
 * is logged and the others still run.
 *
 * @example
 * ```ts
 * app.events.on("task:failed", ({ task, error }) => alert(task.id, error.message));
 * ```
 */
export class Lifecycle {
  private readonly listeners = new Map<LifecycleName, Set<(data: never) => void>>();

  constructor(private readonly log?: Logger) {}

  on<N extends LifecycleName>(name: N, listener: LifecycleListener<N>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as (data: never) => void);
    return () => set.delete(listener as (data: never) => void);
  }

  /** Resolves on the next `name` event for which `predicate` (if any) holds. */
  once<N extends LifecycleName>(name: N, predicate?: (data: LifecycleEvents[N]) => boolean): Promise<LifecycleEvents[N]> {
    return new Promise((resolve) => {
      const off = this.on(name, (data) => {
        if (predicate && !predicate(data)) return;
        off();
        resolve(data);
      });
    });
  }

  emit<N extends LifecycleName>(name: N, data: LifecycleEvents[N]): void {
    const set = this.listeners.get(name);
    if (!set || set.size === 0) return;
    for (const listener of set) {
      try {
        const result = (listener as LifecycleListener<N>)(data) as unknown;
        if (result instanceof Promise) result.catch((err: unknown) => this.log?.warn({ err, event: name }, "lifecycle listener rejected"));
      } catch (err) {
        this.log?.warn({ err, event: name }, "lifecycle listener threw");
      }
    }
  }
}
