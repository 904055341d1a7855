import { agentWorkflow } from "../../agent/index.js";
import { Hookyard, type HookyardOptions } from "../../app.js";
import { appModuleFailed, loadAppModule, probotLoadOptions } from "../load-app.js";
import { warnUnhonouredProbotEnv } from "../probot-env.js";
import { reportToSentry } from "../sentry.js";
import { startWebhookProxy } from "../webhook-proxy.js";

export interface ServeOptions extends HookyardOptions {
  /** Path(s) of app modules, loaded in order into one app; omitted: a server with no handlers (deliveries are stored as ignored). */
  appModule?: string | readonly string[];
}

/**
 * Starts Hookyard with app modules and returns it; the caller decides when to stop. Each module
 * gets Probot's `{ cwd, addHandler }` (and `getRouter` when written for Probot ≤ 13); Probot's
 * `SENTRY_DSN` and `WEBHOOK_PROXY_URL` are honoured, and Probot settings Hookyard does not honour
 * are warned about.
 *
 * @example
 * ```ts
 * const app = await serve({ appModule: ["./app.js", "./other.js"], port: 3000 });
 * ```
 */
export async function serve(options: ServeOptions): Promise<Hookyard> {
  const { appModule, ...rest } = options;
  const app = new Hookyard(rest);
  warnUnhonouredProbotEnv(rest.env ?? process.env, app.log);
  for (const module of typeof appModule === "string" ? [appModule] : (appModule ?? [])) {
    const fn = await loadAppModule(module);
    await app.load(fn, probotLoadOptions(module)).catch((err: unknown) => {
      throw appModuleFailed(module, err);
    });
  }
  // HOOKYARD_AGENT_COMMAND turns the agent workflow on without code
  if (app.config.agentCommand !== undefined && !app.hasHandler("agent:issue")) agentWorkflow(app);
  await reportToSentry(app);
  await app.start();
  if (app.config.webhookProxyUrl && app.url) {
    const proxy = await startWebhookProxy({ url: app.config.webhookProxyUrl, target: `${app.url}${app.config.webhookPath}`, log: app.log });
    // the channel is closed first when the app stops
    const stop = app.stop.bind(app);
    app.stop = async () => {
      await proxy.stop().catch(() => undefined);
      return stop();
    };
  }
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
