/** A scenario both shared stores (BullMQ on Redis and on Postgres) must pass. */
import { Hookyard } from "../../src/app/index.js";
import type { Backend } from "../../src/store/backend.js";
import { RetryLaterError } from "../../src/steering/steer.js";

/**
 * Two Hookyard apps, each with its own handle on one store: an ingress-only app accepts a
 * delivery, and the worker app, woken only by the store (its poll interval is a minute), runs the
 * handler, whose first attempt asks to be retried. Resolves with the attempts the handler saw
 * (expected: [1, 2]); `track` gets each app's stop for the test's clean-up.
 */
export async function ingressThenWorker(ingressStore: Backend, workerStore: Backend, track: (stop: () => Promise<void>) => void): Promise<number[]> {
  const settings = { logLevel: "silent" as const, env: {}, webhookSecret: "s", pollInterval: 60_000 };
  const ingress = new Hookyard({ ...settings, store: ingressStore, workers: false });
  const worker = new Hookyard({ ...settings, store: workerStore });
  track(() => ingress.stop());
  track(() => worker.stop());
  const seen: number[] = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  for (const app of [ingress, worker]) {
    app.on("issues.opened", async function triage(ctx) {
      seen.push(ctx.attempt);
      if (ctx.attempt === 1) throw new RetryLaterError(5);
      done();
    }, { retries: 2 });
  }
  await worker.open();
  const status = await ingress.receive({ id: "delivery-1", name: "issues", payload: { action: "opened", repository: { full_name: "octo/r" } } });
  if (status !== "accepted") throw new Error(`the ingress app answered ${status}`);
  await finished;
  return seen;
}
