#!/usr/bin/env node
import { config as loadDotenv } from "dotenv";
import { errorLine, exitCodeOf, isRole, parseCommandLine, usage } from "./args.js";
import { ApiClient } from "./client.js";
import { COMMAND_HELP } from "./help.js";
import { json } from "./output.js";
import { parseDuration, rawSetting } from "../config/index.js";

const USAGE = `usage: hookyard <command> [options]

commands:
  serve [app-module...]     start the server with every module given (loads .env; store from HOOKYARD_STORE)
      --port N --host H --store URL --role all|ingress|worker
  receive -e EVENT -p FILE app-module...
                            run the app modules once on a payload, without a server (Probot's \`probot receive\`)
  send <file.json|event>    sign and POST a payload; an event name (issues.labeled) uses a real example
      --url URL --secret S --event NAME --action A --id ID --form
  deliveries                list deliveries   --event E --action A --repository R --status S --limit N --cursor C
  delivery <delivery-id>    a delivery with its headers and tasks
  tasks                     list tasks   --state S --name N --event E --repository R --delivery ID --limit N --cursor C
  task <task-id>            a task with its attempt log
  retry <task-id>           put a failed or cancelled task back in the queue
      --all-failed [--since 1h] [--name N]   every failed task, with a progress bar
  cancel <task-id>          cancel a queued, retrying or running task
  replay <delivery-id>      run a stored delivery's handlers again
  demo [--keep]             the agent workflow offline: fake GitHub, a labelled issue → a pull request → a failing check → a fix
  demo deliveries           start on the embedded store, send real deliveries, print what happened
  migrate                   create or upgrade the store's schema (Postgres; SQLite) --store URL
  redeliver                 ask GitHub to redeliver deliveries that never arrived (loads .env; APP_ID, PRIVATE_KEY, HOOKYARD_STORE)
      --since DURATION (e.g. 2h; default: since the last run) --dry-run
  prune                     remove old finished deliveries, tasks and bodies now (HOOKYARD_RETENTION; SQLite: server stopped)
      --before DURATION (at least 3d; default HOOKYARD_RETENTION) --dry-run --json --store URL
  setup                     create a GitHub App from a manifest and write its credentials to .env
      --url PUBLIC_URL --org ORG --name NAME --env-file .env --port N --host H

  --url for deliveries/delivery/tasks/task/retry/cancel/replay is the server (default
  http://127.0.0.1:$PORT); the API token is read from HOOKYARD_API_TOKEN. --json prints the API's
  answer as JSON. hookyard <command> --help shows a command's options.`;

function apiFrom(url: string | undefined): ApiClient {
  return new ApiClient(url ?? `http://127.0.0.1:${rawSetting("port")}`, process.env.HOOKYARD_API_TOKEN);
}

/** `--limit` and `--cursor` as the client takes them. */
function limitAndCursor(values: { limit?: string | undefined; cursor?: string | undefined }): { limit?: number; cursor?: string } {
  return { ...(values.limit !== undefined ? { limit: Number(values.limit) } : {}), ...(values.cursor !== undefined ? { cursor: values.cursor } : {}) };
}

/** Runs one CLI invocation; resolves with the exit code (serve resolves only when stopped). */
export async function main(argv: string[]): Promise<number> {
  const { command, values, positionals, help } = parseCommandLine(argv);
  if (help) {
    console.log(COMMAND_HELP[command] ?? USAGE);
    return 0;
  }
  switch (command) {
    case "serve": {
      const { serve } = await import("./commands/serve.js");
      const { stopOnSignals } = await import("../stop-on-signals.js");
      loadDotenv({ quiet: true });
      const app = await serve({
        appModule: positionals,
        ...(values.port !== undefined ? { port: Number(values.port) } : {}),
        ...(values.host !== undefined ? { host: values.host } : {}),
        ...(values.store !== undefined ? { store: values.store } : {}),
        ...(values.role !== undefined && isRole(values.role) ? { role: values.role } : {}),
      });
      console.log(`hookyard listening on ${app.url} — webhooks at ${app.url}${app.config.webhookPath}, store ${app.store.description}`);
      stopOnSignals(app);
      return new Promise<number>(() => undefined);
    }
    case "receive": {
      const { receiveOnce } = await import("./commands/receive.js");
      loadDotenv({ quiet: true });
      if (values.event === undefined || values.payload === undefined) usage("receive needs -e <event> and -p <payload.json>");
      const outcomes = await receiveOnce({ event: values.event, payloadPath: values.payload, appModules: positionals, ...(values.id !== undefined ? { id: values.id } : {}) });
      for (const o of outcomes) console.log(`${o.handler}: ${o.ok ? "ok" : `failed — ${o.error}`}`);
      if (outcomes.length === 0) console.log(`no handler for ${values.event}`);
      return outcomes.every((o) => o.ok) ? 0 : 1;
    }
    case "send": {
      const { sendDelivery } = await import("./commands/send.js");
      loadDotenv({ quiet: true });
      const source = positionals[0] as string;
      const url = values.url ?? `http://127.0.0.1:${rawSetting("port")}${rawSetting("webhookPath")}`;
      const secret = values.secret ?? process.env.WEBHOOK_SECRET?.split(",")[0]?.trim();
      const res = await sendDelivery({ source, url, secret, event: values.event, action: values.action, id: values.id, form: values.form });
      if (res.otherActions && !values.json) console.error(`no action given: sent the first ${res.event} example, action "${res.action}" (others: ${res.otherActions.join(", ")}; pick one with ${res.event}.ACTION or --action)`);
      console.log(values.json ? json(res) : `${res.event}${res.action ? `.${res.action}` : ""} ${res.id} → ${res.status} ${JSON.stringify(res.body)}`);
      return res.status < 300 ? 0 : 1;
    }
    case "deliveries": {
      const { formatDeliveries } = await import("./commands/deliveries.js");
      const page = await apiFrom(values.url).listDeliveries({ event: values.event, action: values.action, repository: values.repository, status: values.status, ...limitAndCursor(values) });
      console.log(values.json ? json(page) : formatDeliveries(page));
      return 0;
    }
    case "delivery": {
      const { formatDelivery } = await import("./commands/deliveries.js");
      const delivery = await apiFrom(values.url).getDelivery(positionals[0] as string);
      console.log(values.json ? json(delivery) : formatDelivery(delivery));
      return 0;
    }
    case "tasks": {
      const { formatTasks } = await import("./commands/tasks.js");
      const page = await apiFrom(values.url).listTasks({ state: values.state, name: values.name, event: values.event, repository: values.repository, delivery: values.delivery, ...limitAndCursor(values) });
      console.log(values.json ? json(page) : formatTasks(page));
      return 0;
    }
    case "task": {
      const { formatTask } = await import("./commands/tasks.js");
      const task = await apiFrom(values.url).getTask(positionals[0] as string);
      console.log(values.json ? json(task) : formatTask(task));
      return 0;
    }
    case "retry": {
      if (values["all-failed"]) {
        const { formatRetryAll, retryAllFailed } = await import("./commands/retry-all.js");
        const { progress } = await import("./commands/progress.js");
        const sinceMs = values.since === undefined ? undefined : parseDuration(values.since);
        const report = await retryAllFailed(apiFrom(values.url), { sinceMs, name: values.name, progress: progress("retrying failed tasks") });
        console.log(values.json ? json(report) : formatRetryAll(report));
        return report.refused.length === 0 ? 0 : 1;
      }
      const task = await apiFrom(values.url).retryTask(positionals[0] as string);
      console.log(values.json ? json(task) : `task ${task.id} is ${task.state}`);
      return 0;
    }
    case "cancel": {
      const task = await apiFrom(values.url).cancelTask(positionals[0] as string);
      console.log(values.json ? json(task) : `task ${task.id} is ${task.state}`);
      return 0;
    }
    case "replay": {
      const res = await apiFrom(values.url).replayDelivery(positionals[0] as string);
      console.log(values.json ? json(res) : `delivery ${res.delivery} replayed: ${res.tasks.length} new task(s) ${res.tasks.join(", ")}`);
      return 0;
    }
    case "migrate": {
      const { migrateStore } = await import("../store/migrate.js");
      loadDotenv({ quiet: true });
      const url = values.store ?? rawSetting("store");
      const { store, detail } = await migrateStore(url);
      console.log(`${store}: ${detail}`);
      return 0;
    }
    case "demo": {
      if (positionals[0] !== "deliveries") {
        if (positionals[0] !== undefined) usage("demo takes no argument, or `deliveries` for the delivery demo");
        const { runAgentDemo } = await import("./commands/demo-agent.js");
        const summary = await runAgentDemo({ keep: values.keep });
        return summary.pulls === 1 && summary.fixSha !== null && summary.leftovers === 0 ? 0 : 1;
      }
      const { runDemo } = await import("./commands/demo.js");
      const { store, url, lines } = await runDemo({ store: values.store });
      console.log(`Hookyard demo — embedded store ${store}, webhooks at ${url}\n`);
      for (const l of lines) console.log(`• ${l.what}\n    HTTP ${l.http} ${l.answer}\n    ${l.tasks}`);
      console.log("\nEvery accepted delivery was on disk before its answer; its tasks ran in the background.");
      return 0;
    }
    case "redeliver": {
      const { formatRecoveryReport, redeliverMissed } = await import("./commands/redeliver.js");
      loadDotenv({ quiet: true });
      const report = await redeliverMissed({ since: values.since, dryRun: values["dry-run"], ...(values.store !== undefined ? { store: values.store } : {}) });
      for (const line of formatRecoveryReport(report)) console.log(line);
      return 0;
    }
    case "prune": {
      const { formatPruneReport, pruneCommand } = await import("./commands/prune.js");
      loadDotenv({ quiet: true });
      const report = await pruneCommand({ before: values.before, dryRun: values["dry-run"], ...(values.store !== undefined ? { store: values.store } : {}) });
      console.log(values.json ? JSON.stringify({ dryRun: values["dry-run"] ?? false, ...report }) : formatPruneReport(report, values["dry-run"]));
      return 0;
    }
    case "setup": {
      const { runSetup } = await import("./commands/setup.js");
      const envFile = values["env-file"] ?? ".env";
      loadDotenv({ quiet: true, path: envFile });
      const port = values.port === undefined ? undefined : Number(values.port);
      const app = await runSetup({
        envFile, publicUrl: values.url, org: values.org, name: values.name, port, host: values.host,
        onListening: (url) => {
          console.log(`open ${url} in a browser to create the GitHub App`);
          const base = values.url ?? process.env.HOOKYARD_PUBLIC_URL;
          if (!base || /^https?:\/\/(localhost|127\.|\[::1\])/.test(base)) console.log("note: GitHub cannot deliver webhooks to this machine's loopback address; pass --url with a public URL (or a tunnel) to receive them");
        },
      });
      console.log(`created GitHub App "${app.name}" (id ${app.appId}); ${app.written.join(", ")} written to ${app.envFile} (mode 0600)`);
      console.log(`install it: ${app.installUrl}`);
      return 0;
    }
    default:
      throw new Error(`unhandled command ${command}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(errorLine(err));
    process.exit(exitCodeOf(err));
  },
);
