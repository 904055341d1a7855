import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Backend, TaskCounts } from "../store/backend.js";

/** Seconds buckets from 1 ms to 10 s (ingress answers). */
const INGRESS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];
/** Seconds buckets from 10 ms to 10 min (handler attempts). */
const TASK_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/** A circuit breaker's name and state, as the `hookyard_circuit_state` gauge reads them. */
export interface CircuitReading {
  name: string;
  state: "closed" | "half-open" | "open";
}

const CIRCUIT_VALUES = { closed: 0, "half-open": 1, open: 2 } as const;

/** How long a scrape reuses the store's task counts (a task or delivery event of this process ends it early). */
const QUEUE_CACHE_MS = 1_000;

/**
 * Hookyard's Prometheus metrics, in a registry of their own (names and labels: docs/reference/metrics.md).
 * Label values are bounded: event names from Octokit's list, codes from the error registry,
 * handler names, task states, HTTP statuses, installation ids.
 *
 * @example
 * ```ts
 * const metrics = new HookyardMetrics({ store: () => app.store });
 * reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
 * ```
 */
export class HookyardMetrics {
  readonly registry = new Registry();
  readonly deliveries: Counter<"event" | "action" | "outcome">;
  readonly ingressDuration: Histogram<"status">;
  readonly tasksFinished: Counter<"name" | "state">;
  readonly taskDuration: Histogram<"name" | "outcome">;
  readonly taskAttempts: Histogram<"name" | "state">;
  readonly retries: Counter<"name">;
  readonly deferred: Counter<"name">;
  readonly githubRequests: Counter<"status">;
  readonly rateLimitRemaining: Gauge<"installation">;
  readonly agentRuns: Counter<"outcome">;
  readonly rejectionLogsSuppressed: Counter;
  readonly circuitTransitions: Counter<"circuit" | "to">;
  readonly pruned: Counter<"kind">;
  private counts: { at: number; value: Promise<TaskCounts | undefined> } | undefined;

  constructor(o: { store: () => Backend | undefined; circuits?: () => readonly CircuitReading[]; defaultMetrics?: boolean; now?: () => number }) {
    const registers = [this.registry];
    const now = o.now ?? Date.now;
    this.deliveries = new Counter({ name: "hookyard_deliveries_total", help: "Webhook deliveries by event, action and outcome (accepted, ignored, duplicate, or the rejection's error code).", labelNames: ["event", "action", "outcome"], registers });
    this.ingressDuration = new Histogram({ name: "hookyard_ingress_duration_seconds", help: "Time from a webhook request's arrival to its answer, by HTTP status.", labelNames: ["status"], buckets: INGRESS_BUCKETS, registers });
    this.tasksFinished = new Counter({ name: "hookyard_tasks_finished_total", help: "Tasks that reached a final state (completed or failed), by handler name.", labelNames: ["name", "state"], registers });
    this.taskDuration = new Histogram({ name: "hookyard_task_duration_seconds", help: "Duration of task attempts, by handler name and outcome (completed, retrying, failed).", labelNames: ["name", "outcome"], buckets: TASK_BUCKETS, registers });
    this.taskAttempts = new Histogram({ name: "hookyard_task_attempts", help: "Attempts a task took to reach its final state, by handler name and state.", labelNames: ["name", "state"], buckets: [1, 2, 3, 4, 5, 7, 10, 15, 25], registers });
    this.retries = new Counter({ name: "hookyard_task_retries_total", help: "Failed attempts that will be retried, by handler name.", labelNames: ["name"], registers });
    this.deferred = new Counter({ name: "hookyard_task_deferrals_total", help: "Attempts deferred (GitHub's rate limit spent, or a circuit open) and queued again without counting an attempt, by handler name.", labelNames: ["name"], registers });
    this.githubRequests = new Counter({ name: "hookyard_github_requests_total", help: "GitHub API requests by HTTP status (0: no answer).", labelNames: ["status"], registers });
    this.rateLimitRemaining = new Gauge({ name: "hookyard_github_rate_limit_remaining", help: "GitHub's x-ratelimit-remaining of the last answer, per installation (app: App-authenticated requests).", labelNames: ["installation"], registers });
    this.agentRuns = new Counter({ name: "hookyard_agent_runs_total", help: "Agent workflow runs by outcome (pr, no-changes, refused, stopped, failed).", labelNames: ["outcome"], registers });
    this.pruned = new Counter({ name: "hookyard_pruned_total", help: "What retention removed, by kind: deliveries, tasks, bytes (stored bodies and headers), tombstones (dedup ids dropped).", labelNames: ["kind"], registers });
    this.rejectionLogsSuppressed = new Counter({ name: "hookyard_rejection_logs_suppressed_total", help: "Rejected-delivery warnings not logged because of the log rate limit.", registers });
    this.circuitTransitions = new Counter({ name: "hookyard_circuit_transitions_total", help: "Circuit breaker state changes, by circuit and the state entered (closed, half-open, open).", labelNames: ["circuit", "to"], registers });
    new Gauge({
      name: "hookyard_circuit_state", help: "Circuit breaker state by circuit (github:<host>, agent): 0 closed, 1 half-open, 2 open.", labelNames: ["circuit"], registers,
      collect() {
        for (const c of o.circuits?.() ?? []) this.set({ circuit: c.name }, CIRCUIT_VALUES[c.state]);
      },
    });
    const metrics = this;
    new Gauge({
      name: "hookyard_queue_tasks", help: "Tasks in the store by state, read at scrape time (cached up to 1 s).", labelNames: ["state"], registers,
      async collect() {
        const counts = await metrics.taskCounts(o.store, now());
        if (!counts) return;
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      },
    });
    if (o.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: "hookyard_" });
  }

  /** Marks the cached task counts stale: this process changed tasks (they are read again at the next scrape). */
  tasksChanged(): void {
    this.counts = undefined;
  }

  /** The store's task counts, read at most once per second unless tasks changed; undefined when the store cannot answer. */
  private taskCounts(store: () => Backend | undefined, at: number): Promise<TaskCounts | undefined> {
    if (!this.counts || at - this.counts.at >= QUEUE_CACHE_MS) {
      const backend = store();
      this.counts = { at, value: backend ? backend.countTasks().catch(() => undefined) : Promise.resolve(undefined) };
    }
    return this.counts.value;
  }
}
