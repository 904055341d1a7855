import type { Hookyard } from "../app/index.js";
import type { LifecycleName } from "../observability/lifecycle.js";
import type { SettledTask } from "../tasks/settled.js";
import type { TaskSummary } from "../store/backend.js";

const WAKERS: LifecycleName[] = ["delivery:accepted", "task:start", "task:complete", "task:retry", "task:failed", "task:deferred", "task:interrupted"];
/** How many times one `settle()` may move the clock before it gives up (a task deferred for ever). */
const MAX_JUMPS = 1000;

/** How `settle()` treats tasks waiting for a time (a retry's backoff, a rate-limit reset). */
export interface SettleClock {
  /** Moves the clock to `at` (when it is later) and tells the workers to look for due tasks; absent: waiting tasks count as settled. */
  jumpTo?: ((at: number) => void) | undefined;
  /** Run retries too (by moving the clock to them), not only rate-limit deferrals; false: a retrying task counts as settled. */
  retries: boolean;
}

type Seen = { kind: "done"; task: SettledTask } | { kind: "waiting"; task: SettledTask; runAt: number } | { kind: "busy" };

/**
 * Tracks every accepted delivery of an app and waits, without sleeping, until each of their tasks
 * has ended its latest attempt: a task deferred to a rate-limit reset (and, when asked, one waiting
 * for its retry) is run by moving the clock to its time — the fake GitHub's, which the store and
 * the runner share — until it completes, fails or is cancelled.
 */
export class TaskSettler {
  readonly tracked: string[] = [];
  private readonly errors = new Map<string, { attempt: number; error: Error }>();
  private readonly waiters = new Set<() => void>();

  constructor(private readonly app: Hookyard) {
    // registered before the app's function is loaded: the first onError hook sees each handler's own Error
    app.onError((error, { task }) => {
      this.errors.set(task.id, { attempt: task.attempt, error });
      this.wake();
    });
    for (const name of WAKERS) app.events.on(name, () => this.wake());
    app.events.on("delivery:accepted", ({ id, status }) => {
      if (status === "accepted") this.tracked.push(id);
    });
  }

  /** Resolves with every tracked task once none is running, queued or (with `clock.jumpTo`) waiting. */
  async settle(clock: SettleClock): Promise<SettledTask[]> {
    for (let jumps = 0; ; ) {
      const woken = new Promise<void>((resolve) => this.waiters.add(resolve));
      const ids = [...this.tracked];
      const rows = (await Promise.all(ids.map((id) => this.app.store.listTasks({ deliveryId: id, limit: 500 })))).flatMap((p) => p.items);
      const seen = rows.map((t) => this.classify(t, clock.retries));
      if (ids.length !== this.tracked.length || seen.some((s) => s.kind === "busy")) {
        await woken;
        continue;
      }
      const waiting = seen.flatMap((s) => (s.kind === "waiting" ? [s.runAt] : []));
      if (waiting.length === 0 || !clock.jumpTo) return seen.map((s) => (s.kind === "busy" ? unreachable() : s.task));
      if (++jumps > MAX_JUMPS) throw new Error(`settled(): tasks still waiting after the clock moved ${MAX_JUMPS} times (a handler deferred for ever?)`);
      clock.jumpTo(Math.min(...waiting));
      await woken;
    }
  }

  /** Settled, waiting for `runAt`, or busy (queued, running, or its outcome's onError call on its way). */
  private classify(t: TaskSummary, retries: boolean): Seen {
    const task: SettledTask = { id: t.id, name: t.name, deliveryId: t.deliveryId, event: t.event, action: t.action, state: t.state, attempts: t.attempts };
    const own = this.errors.get(t.id);
    const error = own && own.attempt === t.attempts ? own.error : undefined;
    switch (t.state) {
      case "completed":
      case "cancelled":
        return { kind: "done", task };
      case "failed":
        if (error) return { kind: "done", task: { ...task, error } };
        return t.lastError?.code === "HOOKYARD_ERR_TASK_LEASE_EXPIRED" ? { kind: "done", task: { ...task, error: recorded(t) } } : { kind: "busy" };
      case "retrying":
        if (!error) return { kind: "busy" };
        return retries ? { kind: "waiting", task: { ...task, error }, runAt: t.runAt } : { kind: "done", task: { ...task, error } };
      case "queued":
        // deferred to a rate-limit reset (an error recorded): waiting, not failed
        return t.lastError ? { kind: "waiting", task: { ...task, error: recorded(t) }, runAt: t.runAt } : { kind: "busy" };
      default:
        return { kind: "busy" };
    }
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }
}

function recorded(t: TaskSummary): Error {
  return Object.assign(new Error(t.lastError?.message ?? "unknown error"), t.lastError?.code ? { code: t.lastError.code } : {});
}

function unreachable(): never {
  throw new Error("unreachable: busy tasks were waited for");
}
