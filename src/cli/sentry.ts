import { createRequire } from "node:module";
import { join } from "node:path";
import type { Hookyard } from "../app/index.js";

interface SentryEvent {
  request?: unknown;
}

interface SentryModule {
  init(options: { dsn: string; beforeSend?: (event: SentryEvent) => SentryEvent }): void;
  captureException(error: unknown, hint?: { extra?: Record<string, unknown> }): void;
}

/**
 * Probot's `SENTRY_DSN`: with `@sentry/node` installed (resolved from `cwd`), every failed task
 * attempt is reported to Sentry with its task and delivery; without it, a warning says so.
 * Returns whether Sentry is on.
 *
 * @example
 * ```ts
 * await reportToSentry(app);
 * ```
 */
export async function reportToSentry(app: Hookyard, cwd: string = process.cwd()): Promise<boolean> {
  const dsn = app.config.sentryDsn;
  if (!dsn) return false;
  let sentry: SentryModule;
  try {
    const path = createRequire(join(cwd, "package.json")).resolve("@sentry/node");
    sentry = (await import(path)) as SentryModule;
  } catch {
    app.log.warn("SENTRY_DSN is set but @sentry/node is not installed: `npm install @sentry/node` to report errors to Sentry");
    return false;
  }
  sentry.init({
    dsn,
    // a task runs in the async context of the webhook request that queued it, so Sentry would attach
    // that request (its payload and signature headers) to a task's error: it is not the task's, and
    // the payload may hold private repository content. The task and delivery ids are in `extra`.
    beforeSend: (event) => ({ ...event, request: undefined }),
  });
  app.onError((error, { task }) => sentry.captureException(error, { extra: { task: task.id, delivery: task.deliveryId, handler: task.name } }));
  app.log.info("errors are reported to Sentry");
  return true;
}
