import type { Logger } from "pino";
import type { HookyardConfig } from "./config/index.js";

/** What {@link stopOnSignals} needs of a Hookyard app. */
export interface SignalStoppable {
  log: Logger;
  config: Pick<HookyardConfig, "shutdownTimeout" | "acceptTimeout">;
  stop(): Promise<void>;
}

/** How long past its own bound (HOOKYARD_SHUTDOWN_TIMEOUT + HOOKYARD_ACCEPT_TIMEOUT) a drain may run before the process exits anyway. */
const BACKSTOP_MS = 5_000;

/**
 * Stops `app` on the first SIGTERM/SIGINT (drain, exit 0); a second signal exits at once with 1.
 * A drain that has not ended BACKSTOP_MS after its bound (it never should) exits with 1 and a line
 * saying so, so that a shutdown never waits for the orchestrator's SIGKILL. Used by `hookyard serve`
 * and by the Probot-compatible `run()`.
 *
 * @example
 * ```ts
 * await app.start();
 * stopOnSignals(app);
 * ```
 */
export function stopOnSignals(app: SignalStoppable, exit: (code: number) => void = process.exit): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      app.log.warn({ signal }, "second signal: exiting without waiting for tasks");
      exit(1);
      return;
    }
    stopping = true;
    app.log.info({ signal }, "draining: no new deliveries, waiting for running tasks");
    const bound = app.config.shutdownTimeout + app.config.acceptTimeout + BACKSTOP_MS;
    setTimeout(() => {
      app.log.error({ afterMs: bound }, "the drain did not end in time; exiting");
      exit(1);
    }, bound).unref();
    app.stop().then(() => exit(0), (err: unknown) => {
      app.log.error({ err }, "shutdown failed");
      exit(1);
    });
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
