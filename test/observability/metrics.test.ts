import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { RetryLaterError, UnrecoverableError } from "../../src/steering/steer.js";
import type { Hookyard } from "../../src/app/index.js";
import { example, nextOutcome, post, startApp, stopApps } from "../support/app.js";
import { dropRedisKeys, REDIS_URL } from "../support/redis.js";
import { scrape, valueOf, type Sample } from "./support.js";

afterEach(stopApps);

/** Handlers of the scripted run: one completes, one fails once then completes, one fails for good. */
function handlers(app: Hookyard): void {
  app.on("issues.labeled", async () => undefined, { name: "ok" });
  app.on("issues.labeled", async (ctx) => {
    if (ctx.attempt === 1) throw new RetryLaterError(1, "not yet");
  }, { name: "flaky", retries: 3 });
  app.on("issues.labeled", async () => {
    throw new UnrecoverableError("never");
  }, { name: "doomed" });
}

/** The change of each series between two scrapes. */
const delta = (before: Sample[], after: Sample[]) => (name: string, labels: Record<string, string> = {}) => valueOf(after, name, labels) - valueOf(before, name, labels);

const stores: [string, () => Promise<{ store?: string; cleanup: () => Promise<void> }>][] = [
  ["sqlite", async () => ({ cleanup: async () => undefined })],
  ["bullmq-redis", async () => {
    const prefix = `hyobs-${randomUUID()}`;
    return { store: `${REDIS_URL}?prefix=${prefix}`, cleanup: () => dropRedisKeys(`${prefix}:*`) };
  }],
];

describe.each(stores)("metrics on %s", (_name, open) => {
  it("change by exactly the scripted run's counts", async () => {
    const { store, cleanup } = await open();
    try {
      const { app, url, base, secret } = await startApp(handlers, store ? { store } : {});
      const before = await scrape(base);

      const labeled = example("issues.labeled", { secret });
      const finals = ["ok", "flaky", "doomed"].map((name) => nextOutcome(app, (t) => t.name === name && (name !== "flaky" || t.attempt === 2)));
      const retried = nextOutcome(app, (t) => t.name === "flaky" && t.attempt === 1);
      expect((await post(url, labeled)).status).toBe(202);
      expect((await retried).kind).toBe("retry");
      const outcomes = await Promise.all(finals);
      expect(outcomes.map((o) => o.kind)).toEqual(["complete", "complete", "failed"]);
      expect((await post(url, labeled)).status).toBe(200); // duplicate
      expect((await post(url, example("ping", { secret }))).status).toBe(202); // no handler: ignored
      expect((await post(url, example("issues.labeled", { secret: "wrong" }))).status).toBe(401);

      const d = delta(before, await scrape(base));
      expect(d("hookyard_deliveries_total", { event: "issues", action: "labeled", outcome: "accepted" })).toBe(1);
      expect(d("hookyard_deliveries_total", { event: "issues", action: "labeled", outcome: "duplicate" })).toBe(1);
      expect(d("hookyard_deliveries_total", { event: "ping", action: "", outcome: "ignored" })).toBe(1);
      expect(d("hookyard_deliveries_total", { event: "", action: "", outcome: "HOOKYARD_ERR_INGRESS_SIGNATURE_INVALID" })).toBe(1);
      expect(d("hookyard_ingress_duration_seconds_count", { status: "202" })).toBe(2);
      expect(d("hookyard_ingress_duration_seconds_count", { status: "200" })).toBe(1);
      expect(d("hookyard_ingress_duration_seconds_count", { status: "401" })).toBe(1);
      expect(d("hookyard_tasks_finished_total", { name: "ok", state: "completed" })).toBe(1);
      expect(d("hookyard_tasks_finished_total", { name: "flaky", state: "completed" })).toBe(1);
      expect(d("hookyard_tasks_finished_total", { name: "doomed", state: "failed" })).toBe(1);
      expect(d("hookyard_task_retries_total", { name: "flaky" })).toBe(1);
      expect(d("hookyard_task_attempts_sum", { name: "flaky", state: "completed" })).toBe(2);
      expect(d("hookyard_task_attempts_count", { name: "doomed", state: "failed" })).toBe(1);
      expect(d("hookyard_task_duration_seconds_count", { name: "flaky", outcome: "retrying" })).toBe(1);
      expect(d("hookyard_task_duration_seconds_count", { name: "flaky", outcome: "completed" })).toBe(1);
      expect(d("hookyard_task_duration_seconds_count", { name: "doomed", outcome: "failed" })).toBe(1);
      expect(d("hookyard_queue_tasks", { state: "completed" })).toBe(2);
      expect(d("hookyard_queue_tasks", { state: "failed" })).toBe(1);
      expect(d("hookyard_queue_tasks", { state: "queued" })).toBe(0);
    } finally {
      await stopApps();
      await cleanup();
    }
  });
});

describe("/metrics access", () => {
  it("needs the API token when one is set; default process metrics are there", async () => {
    const token = randomUUID();
    const { base } = await startApp(undefined, { apiToken: token });
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const samples = await scrape(base, { authorization: `Bearer ${token}` });
    expect(samples.some((s) => s.name === "hookyard_process_cpu_user_seconds_total")).toBe(true);
  });
});
