import type { TaskState } from "../store/backend.js";

/** A task whose latest attempt has ended, as Probot's `receive()` and `createTestApp().settled()` report it. */
export interface SettledTask {
  id: string;
  /** The handler's task name. */
  name: string;
  deliveryId: string;
  event: string;
  action: string | null;
  /** `completed`, `failed`, `cancelled`, `retrying` (waiting for its backoff) or `queued` (deferred to a rate-limit reset). */
  state: TaskState;
  attempts: number;
  /** What the latest attempt threw (the handler's own Error when this process ran it). */
  error?: Error;
}
