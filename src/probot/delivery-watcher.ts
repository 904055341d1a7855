import type { Hookyard } from "../app/index.js";
import type { LifecycleName } from "../observability/lifecycle.js";
import type { TaskSummary } from "../store/backend.js";
import type { SettledTask } from "../tasks/settled.js";

const WAKERS: LifecycleName[] = ["delivery:accepted", "task:complete", "task:retry", "task:failed", "task:deferred", "task:interrupted"];
// a failed attempt the runner did not see (a crashed process's lease) calls no onError handler
const NO_HANDLER_ERROR = new Set(["HOOKYARD_ERR_TASK_LEASE_EXPIRED"]);

/**
 * Waits for deliveries' tasks to end their latest attempt, without sleeping: it re-checks the store
 * after each lifecycle event and `onError` call. Probot's `receive()` (which resolves once the
 * handlers ran) and `createTestApp().settled()` are built on it. Create it before loading the app,
 * so its `onError` hook runs first and sees each handler's own Error.
 *
 * @example
 * ```ts
 * const watcher = new DeliveryWatcher(app);
 * await app.receive({ id, name: "issues", payload });
 * const [task] = await watcher.settle([id]); // task.state === "completed"
 * ```
 */
export class DeliveryWatcher {
  /** Ids of accepted deliveries, oldest first (when created with `trackAll`). */
  readonly tracked: string[] = [];
  private readonly errors = new Map<string, { attempt: number; error: Error }>();
  private readonly waiters = new Set<() => void>();

  constructor(private readonly app: Hookyard, options: { trackAll?: boolean } = {}) {
    app.onError((error, { task }) => {
      this.errors.set(task.id, { attempt: task.attempt, error });
      this.wake();
    });
    for (const name of WAKERS) app.events.on(name, () => this.wake());
    if (options.trackAll) {
      app.events.on("delivery:accepted", ({ id, status }) => {
        if (status === "accepted") this.tracked.push(id);
      });
    }
  }

  /** Resolves once every task of `deliveryIds` (default: every tracked delivery) has ended its latest attempt. */
  async settle(deliveryIds: readonly string[] = this.tracked): Promise<SettledTask[]> {
    for (;;) {
      const woken = new Promise<void>((resolve) => this.waiters.add(resolve));
      const ids = [...deliveryIds];
      const tasks = (await Promise.all(ids.map((id) => this.app.store.listTasks({ deliveryId: id, limit: 500 })))).flatMap((p) => p.items);
      const settled = tasks.map((t) => this.settled(t));
      if (settled.every((t) => t !== undefined) && ids.length === deliveryIds.length) return settled as SettledTask[];
      await woken;
    }
  }

  private settled(t: TaskSummary): SettledTask | undefined {
    const base = { id: t.id, name: t.name, deliveryId: t.deliveryId, event: t.event, action: t.action, state: t.state, attempts: t.attempts };
    const recorded = () => (t.lastError ? Object.assign(new Error(t.lastError.message), t.lastError.code ? { code: t.lastError.code } : {}) : undefined);
    switch (t.state) {
      case "completed":
      case "cancelled":
        return base;
      case "failed":
      case "retrying": {
        const seen = this.errors.get(t.id);
        if (seen && seen.attempt === t.attempts) return { ...base, error: seen.error };
        if (t.lastError?.code !== undefined && NO_HANDLER_ERROR.has(t.lastError.code)) return { ...base, error: recorded() as Error };
        return undefined; // the outcome is stored; its onError call is on its way
      }
      case "queued":
        // deferred to a rate-limit reset: nothing runs before then
        return t.lastError && t.runAt > Date.now() ? { ...base, error: recorded() as Error } : undefined;
      default:
        return undefined;
    }
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }
}
