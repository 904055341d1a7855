import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { HookyardConfig } from "../config/index.js";
import type { HandlerRegistry } from "../events/registry.js";
import type { Lifecycle } from "../observability/lifecycle.js";
import type { Backend, ClaimedTask, ErrorRecord, NewDelivery } from "../store/backend.js";
import { taskId } from "../tasks/ids.js";
import { notificationOf, type Notification } from "./message.js";
import { sendNotification } from "./send.js";

/** The task that sends notifications; it never notifies about itself. */
export const NOTIFY_TASK = "hookyard:notify";
/** The event name of the stored notification a notify task runs for. */
export const NOTIFY_EVENT = "hookyard_notify";

export interface NotifierOptions {
  config: Pick<HookyardConfig, "notifyUrl" | "notifySecret" | "notifyOn">;
  registry: HandlerRegistry;
  store: () => Backend;
  lifecycle: Lifecycle;
  log: Logger;
}

/**
 * Failure (and, with HOOKYARD_NOTIFY_ON, completion) notifications to HOOKYARD_NOTIFY_URL. When a
 * task fails for good, the notification is stored as a delivery of its own (event
 * `hookyard_notify`, id `hookyard-notify-<uuid>`) with one `hookyard:notify` task, which POSTs it
 * and is retried with backoff like any task: the task it reports on is never held up, and a
 * receiver that is down gets it later. Does nothing without HOOKYARD_NOTIFY_URL; returns the
 * unsubscriber.
 *
 * @example
 * ```ts
 * installNotifier({ config, registry, store: () => app.store, lifecycle: app.events, log });
 * ```
 */
export function installNotifier(o: NotifierOptions): () => void {
  const url = o.config.notifyUrl;
  if (!url) return () => undefined;
  const secret = o.config.notifySecret;
  const handler = o.registry.addTaskHandler(NOTIFY_TASK, async (ctx) => {
    const status = await sendNotification({ url, secret, notification: ctx.payload as unknown as Notification, signal: ctx.signal });
    ctx.log.info({ status }, "notification sent");
  }, { retries: 10, backoff: { type: "exponential", delay: 5_000, maxDelay: 600_000 }, timeout: "30s" }, NOTIFY_EVENT);

  const enqueue = async (event: Notification["event"], task: ClaimedTask, error?: ErrorRecord) => {
    const now = Date.now();
    const notification = notificationOf(event, task, error, now);
    const id = `hookyard-notify-${randomUUID()}`;
    const delivery: NewDelivery = {
      id, event: NOTIFY_EVENT, action: event === "task.failed" ? "failed" : "completed", repository: null, installationId: null,
      headers: {}, body: Buffer.from(JSON.stringify(notification)), contentType: "application/json", receivedAt: now,
    };
    await o.store().accept(delivery, [{ id: taskId(now), name: NOTIFY_TASK, maxAttempts: handler.maxAttempts, backoff: handler.backoff, timeoutMs: handler.timeoutMs ?? 30_000 }]);
  };
  const notify = (event: Notification["event"], task: ClaimedTask, error?: ErrorRecord) => {
    if (task.name === NOTIFY_TASK) return; // never about itself: no loops
    enqueue(event, task, error).catch((err: unknown) => o.log.warn({ err, task: task.id }, "the notification could not be queued"));
  };
  const offs = [o.lifecycle.on("task:failed", ({ task, error }) => notify("task.failed", task, error))];
  if (o.config.notifyOn.includes("completed")) offs.push(o.lifecycle.on("task:complete", ({ task }) => notify("task.completed", task)));
  return () => {
    for (const off of offs) off();
  };
}
