import type { ClaimedTask, ErrorRecord } from "../store/backend.js";

/** What a notification says: a task failed for good, or completed. The JSON body of the POST. */
export interface Notification {
  event: "task.failed" | "task.completed";
  task: { id: string; name: string; delivery: string; event: string; action: string | null; attempt: number; maxAttempts: number };
  /** The last attempt's error (failed tasks): stable code and message, never a stack. */
  error?: { code: string | null; message: string };
  /** When it happened (ISO 8601). */
  at: string;
}

/**
 * The notification about `task`'s ending.
 *
 * @example
 * ```ts
 * const n = notificationOf("task.failed", task, error, Date.now());
 * ```
 */
export function notificationOf(event: Notification["event"], task: ClaimedTask, error: ErrorRecord | undefined, at: number): Notification {
  return {
    event,
    task: { id: task.id, name: task.name, delivery: task.deliveryId, event: task.event, action: task.action, attempt: task.attempt, maxAttempts: task.maxAttempts },
    ...(error ? { error: { code: error.code ?? null, message: error.message } } : {}),
    at: new Date(at).toISOString(),
  };
}

/**
 * Whether `url` is a Slack incoming webhook (`https://hooks.slack.com/…`), which takes Slack's own
 * message shape.
 *
 * @example
 * ```ts
 * isSlackWebhook("https://hooks.slack.com/services/T0/B0/x"); // true
 * ```
 */
export function isSlackWebhook(url: string): boolean {
  return new URL(url).hostname === "hooks.slack.com";
}

/**
 * A Slack incoming-webhook message for a notification: `text` (the fallback) and one `section`
 * block in mrkdwn.
 *
 * @example
 * ```ts
 * const { text } = slackMessage(n); // "Hookyard: task issues.opened:triage failed for good after 4 attempts …"
 * ```
 */
export function slackMessage(n: Notification): { text: string; blocks: unknown[] } {
  const t = n.task;
  const what = `${t.event}${t.action ? `.${t.action}` : ""}`;
  const ending = n.event === "task.failed" ? `failed for good after ${t.attempt} attempt${t.attempt === 1 ? "" : "s"}` : "completed";
  const error = n.error ? `: ${n.error.code ? `${n.error.code} ` : ""}${n.error.message}` : "";
  const text = `Hookyard: task ${t.name} (${what}, delivery ${t.delivery}) ${ending}${error}`;
  const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return { text, blocks: [{ type: "section", text: { type: "mrkdwn", text: escaped } }] };
}
