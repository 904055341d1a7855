import { randomBytes } from "node:crypto";
import { Hookyard } from "../../app/index.js";
import { RetryLaterError } from "../../steering/steer.js";
import { postDelivery, signedDelivery } from "../../testing/deliveries.js";
import { findExample } from "../../testing/examples.js";

/** The demo's example app: what a small GitHub App looks like on Hookyard. */
export function demoApp(app: Hookyard): void {
  app.on("ping", async (ctx) => ctx.log.info({ zen: ctx.payload.zen }, "ping"), { inline: true });
  app.on("issues.labeled", async function triage(ctx) {
    ctx.log.info({ issue: ctx.issue(), label: ctx.payload.label?.name }, "would comment on the issue");
  });
  app.on(["pull_request.opened", "pull_request.synchronize"], async function review(ctx) {
    // the first attempt fails as if GitHub were briefly unavailable: the task retries by itself
    if (ctx.attempt === 1) throw new RetryLaterError(200, "GitHub answered 502; trying again shortly");
    ctx.log.info({ pr: ctx.pullRequest() }, "would review the pull request");
  });
}

export interface DemoLine {
  what: string;
  http: number;
  answer: string;
  tasks: string;
}

/**
 * Starts Hookyard on the embedded store with {@link demoApp}, sends it real signed deliveries from
 * `@octokit/webhooks-examples` (and a forged and a repeated one), waits for every task to settle,
 * and returns what happened to each.
 *
 * @example
 * ```ts
 * for (const line of await runDemo()) console.log(line);
 * ```
 */
export async function runDemo(options: { store?: string; logLevel?: "error" | "warn" | "info" } = {}): Promise<{ store: string; url: string; lines: DemoLine[] }> {
  const secret = randomBytes(16).toString("hex");
  const app = new Hookyard({ webhookSecret: secret, port: 0, host: "127.0.0.1", logLevel: options.logLevel ?? "error", store: options.store, apiToken: undefined });
  await app.load(demoApp);
  await app.start();
  const url = `${app.url}${app.config.webhookPath}`;
  const lines: DemoLine[] = [];
  try {
    const send = async (what: string, event: string, payload: unknown, opts: { secret?: string; id?: string } = {}) => {
      const d = signedDelivery(event, payload, { secret: opts.secret ?? secret, id: opts.id });
      const res = await postDelivery(url, d);
      return { d, res, what };
    };
    const sent = [];
    for (const name of ["ping", "issues.labeled", "pull_request.opened", "push"]) {
      const ex = findExample(name);
      sent.push(await send(`${name} (real example)`, ex.event, ex.payload));
    }
    const first = sent[1]!;
    sent.push(await send("issues.labeled again, same delivery id (GitHub redelivery)", "issues", JSON.parse(first.d.body), { id: first.d.id }));
    sent.push(await send("issues.labeled signed with a wrong secret", "issues", JSON.parse(first.d.body), { secret: "not-the-secret" }));
    await settle(app);
    for (const { d, res, what } of sent) {
      const answer = JSON.stringify(res.body);
      const detail = res.status < 300 ? await app.store.getDelivery(d.id) : null;
      const tasks = detail?.tasks.map((t) => `${t.name} → ${t.state} after ${t.attempts} attempt${t.attempts === 1 ? "" : "s"}`).join("; ");
      lines.push({ what, http: res.status, answer, tasks: res.status === 200 ? "nothing runs again" : tasks || (res.status < 300 ? "no handler: stored as ignored" : "rejected, nothing stored") });
    }
  } finally {
    await app.stop();
  }
  return { store: app.store.description, url, lines };
}

/** Resolves once no task is queued, retrying or running. */
async function settle(app: Hookyard): Promise<void> {
  for (;;) {
    const offs: (() => void)[] = [];
    const next = new Promise<void>((resolve) => {
      for (const name of ["task:complete", "task:failed", "task:retry"] as const) offs.push(app.events.on(name, () => resolve()));
    });
    const counts = await app.store.countTasks();
    if (counts.queued + counts.retrying + counts.running === 0) {
      offs.forEach((off) => off());
      return;
    }
    await next;
    offs.forEach((off) => off());
  }
}
