import { agentWorkflow } from "../../agent/index.js";
import { Hookyard, type HookyardOptions } from "../../app/index.js";
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
