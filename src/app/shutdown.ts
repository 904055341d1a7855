import type { Logger } from "pino";
import { settlesBy } from "../observability/deadline.js";

/** What a shutdown stops, in order. Each part may be missing (e.g. `open()` without a server). */
export interface ShutdownParts {
  log: Logger;
  /** HOOKYARD_SHUTDOWN_TIMEOUT: how long running tasks and open requests may finish (ms). */
  drainMs: number;
  /** HOOKYARD_ACCEPT_TIMEOUT: the bound of the store work that follows the drain (ms). */
  storeMs: number;
  redelivery?: { stop(): Promise<void> };
  /** The background retention pruner: stopped between two batches. */
  pruner?: { stop(): Promise<void> };
  pool?: { stop(timeoutMs: number, graceMs: number): Promise<void> };
  server?: { close(deadline: number): Promise<void> };
  closeStore?: () => Promise<void>;
  closeGithub: () => Promise<void>;
}

/**
 * The drain of `Hookyard.stop()`, bounded whatever clients, handlers and the store do: running
 * tasks and open HTTP requests get `drainMs`; then tasks still running are aborted and queued
 * again, requests still open are answered 503, idle and half-sent connections are closed; the
 * store work after the drain (recording the aborted attempts, closing) gets at most `storeMs` more.
 * So it ends within `drainMs + storeMs` plus the 2 s a closed connection may linger.
 *
 * @example
 * ```ts
 * await shutDown({ log, drainMs: 30_000, storeMs: 5_000, pool, server, closeStore: () => store.close(), closeGithub });
 * ```
 */
export async function shutDown(p: ShutdownParts): Promise<void> {
  const deadline = Date.now() + p.drainMs;
  const last = deadline + p.storeMs;
  // the pruner stops between two batches, beside the drain: waiting for its batch first would let
  // held tasks start after the stop was asked for
  const pruning = settlesBy(p.pruner?.stop(), deadline);
  if (!(await settlesBy(p.redelivery?.stop(), deadline))) p.log.warn("the missed-delivery recovery did not stop in time; left running");
  await p.pool?.stop(Math.max(0, deadline - Date.now()), Math.max(0, last - Date.now()));
  if (!(await pruning)) p.log.warn("the retention pruner did not stop in time; left running");
  await p.server?.close(deadline);
  if (p.closeStore && !(await settlesBy(p.closeStore(), Math.max(last, Date.now() + 1_000)))) p.log.warn("the store did not close in time; left to the exit");
  await settlesBy(p.closeGithub(), Math.max(last, Date.now() + 1_000));
}
