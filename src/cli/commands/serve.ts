import { agentWorkflow } from "../../agent/index.js";
import { Hookyard, type HookyardOptions } from "../../app.js";
import { appModuleFailed, loadAppModule } from "../load-app.js";

export interface ServeOptions extends HookyardOptions {
  /** Path of an app module; omitted: a server with no handlers (deliveries are stored as ignored). */
  appModule?: string;
}

/**
 * Starts Hookyard with an app module and returns it; the caller decides when to stop.
 *
 * @example
 * ```ts
 * const app = await serve({ appModule: "./app.js", port: 3000 });
 * ```
 */
export async function serve(options: ServeOptions): Promise<Hookyard> {
  const { appModule, ...rest } = options;
  const app = new Hookyard(rest);
  if (appModule) {
    const fn = await loadAppModule(appModule);
    await app.load(fn).catch((err: unknown) => {
      throw appModuleFailed(appModule, err);
    });
  }
  // HOOKYARD_AGENT_COMMAND turns the agent workflow on without code
  if (app.config.agentCommand !== undefined && !app.hasHandler("agent:issue")) agentWorkflow(app);
  await app.start();
  return app;
}

/** How long past its own bound (HOOKYARD_SHUTDOWN_TIMEOUT + HOOKYARD_ACCEPT_TIMEOUT) a drain may run before the process exits anyway. */
const BACKSTOP_MS = 5_000;

/**
 * Stops `app` on the first SIGTERM/SIGINT (drain, exit 0); a second signal exits at once with 1.
 * A drain that has not ended BACKSTOP_MS after its bound (it never should) exits with 1 and a line
 * saying so, so that a shutdown never waits for the orchestrator's SIGKILL.
 */
export function stopOnSignals(app: Hookyard, exit: (code: number) => void = process.exit): void {
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
