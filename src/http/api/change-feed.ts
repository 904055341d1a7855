import type { Lifecycle } from "../../observability/lifecycle.js";
import type { Backend, TaskCounts, TaskState } from "../../store/backend.js";

/** One change the console hears about. */
export type Change =
  | { type: "task"; id: string; name: string; deliveryId: string; state: TaskState; attempt: number; error?: string }
  | { type: "delivery"; id: string; event: string; action: string | null; status: string; tasks: number }
  | { type: "agent"; repo: string; issue: number; step: string }
  | { type: "counts"; counts: TaskCounts };

/** How often the store's task counts are compared while someone listens. */
export const COUNTS_POLL_MS = 2_000;

/**
 * Task and delivery changes for `GET /stream`: this process's lifecycle events as they happen,
 * plus a poll of the store's task counts (every {@link COUNTS_POLL_MS} while anyone listens), which
 * also catches what other processes sharing the store did (the first poll after a start reports
 * the counts as they are). One feed serves every listener.
 *
 * @example
 * ```ts
 * const feed = new ChangeFeed(app.store, app.events);
 * const off = feed.subscribe((change) => console.log(change.type));
 * ```
 */
export class ChangeFeed {
  private readonly listeners = new Set<(change: Change) => void>();
  private offs: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last = "";
  /** Bumped by every start and stop, so that a stopped poll loop does not go on. */
  private generation = 0;

  constructor(private readonly store: Backend, private readonly lifecycle: Lifecycle | undefined, private readonly pollMs = COUNTS_POLL_MS) {}

  /** Calls `listener` with every change until the returned function is called. */
  subscribe(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.begin();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.end();
    };
  }

  private publish(change: Change): void {
    for (const listener of this.listeners) listener(change);
  }

  private begin(): void {
    const l = this.lifecycle;
    if (l) {
      const task = (state: TaskState) => ({ task, error }: { task: { id: string; name: string; deliveryId: string; attempt: number }; error?: { message: string } }) =>
        this.publish({ type: "task", id: task.id, name: task.name, deliveryId: task.deliveryId, state, attempt: task.attempt, ...(error ? { error: error.message } : {}) });
      this.offs = [
        l.on("task:start", task("running")),
        l.on("task:complete", task("completed")),
        l.on("task:retry", task("retrying")),
        l.on("task:failed", task("failed")),
        l.on("task:interrupted", task("queued")),
        l.on("task:deferred", task("retrying")),
        l.on("delivery:accepted", (d) => this.publish({ type: "delivery", id: d.id, event: d.event, action: d.action, status: d.status, tasks: d.tasks })),
        l.on("agent:progress", (a) => this.publish({ type: "agent", repo: a.repo, issue: a.issue, step: a.step })),
      ];
    }
    this.last = "";
    void this.poll(++this.generation);
  }

  private end(): void {
    for (const off of this.offs.splice(0)) off();
    this.generation++;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async poll(generation: number): Promise<void> {
    try {
      const counts = await this.store.countTasks();
      const key = JSON.stringify(counts);
      if (generation !== this.generation) return;
      if (key !== this.last) {
        this.last = key;
        this.publish({ type: "counts", counts });
      }
    } catch {
      // the store is down for a moment: the next poll tries again, /ready says why
    }
    if (generation === this.generation) {
      this.timer = setTimeout(() => void this.poll(generation), this.pollMs);
      this.timer.unref();
    }
  }
}
