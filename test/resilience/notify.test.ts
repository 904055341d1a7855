import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Hookyard } from "../../src/app/index.js";
import { isSlackWebhook, notificationOf, slackMessage } from "../../src/notify/message.js";
import { NOTIFY_EVENT, NOTIFY_TASK } from "../../src/notify/notifier.js";
import { UnrecoverableError } from "../../src/steering/steer.js";
import { findExample } from "../../src/testing/index.js";
import { pollUntil } from "../support/store.js";

const SECRET = "notify-secret-for-tests";

interface Received {
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  body: { event: string; task: { id: string; name: string; delivery: string; attempt: number }; error?: { code: string | null; message: string } };
  answered: number;
}

describe("notifications (HOOKYARD_NOTIFY_URL)", () => {
  let receiver: Server;
  const received: Received[] = [];
  /** The receiver's answer to the next request: 503 + Retry-After: 1 once, then 200 (400 for `refused`). */
  let downOnce = true;
  let app: Hookyard;
  let n = 0;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const body = JSON.parse(raw) as Received["body"];
        const answered = downOnce ? 503 : body.task.name === "refused" ? 400 : 200;
        downOnce = false;
        received.push({ headers: req.headers, raw, body, answered });
        res.writeHead(answered, answered === 503 ? { "retry-after": "1" } : {}).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    app = new Hookyard({
      store: "memory:", logLevel: "silent", webhookSecret: "x", env: {}, pollInterval: "100ms",
      notifyUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/hookyard`, notifySecret: SECRET, notifyOn: "failed,completed",
    });
    app.on("issues.opened", async () => {
      throw new UnrecoverableError("the label is gone");
    }, { name: "boom", retries: 0 });
    app.on("issues.labeled", async () => undefined, { name: "fine" });
    app.on("issues.reopened", async () => {
      throw new UnrecoverableError("again");
    }, { name: "refused", retries: 0 });
    await app.open();
  });

  afterAll(async () => {
    await app?.stop();
    await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
  });

  const send = async (action: "opened" | "labeled" | "reopened") => {
    const id = `notify-${++n}`;
    const payload = structuredClone(findExample(`issues.${action}`).payload) as Record<string, unknown>;
    await app.receive({ id, name: "issues", payload });
    return id;
  };

  it("a task that fails for good is notified by a signed POST sent from a retried task of its own", async () => {
    const failed = app.events.once("task:failed", ({ task }) => task.name === "boom");
    const delivery = await send("opened");
    const { task } = await failed;
    // the failed task is recorded at once, whatever the receiver does (it answers 503 first)
    expect((await app.store.getTask(task.id))?.state).toBe("failed");
    await pollUntil("the notification to be accepted", () => received.some((r) => r.answered === 200 && r.body.task.id === task.id), 10_000);
    const mine = received.filter((r) => r.body.task.id === task.id);
    expect(mine.map((r) => r.answered)).toEqual([503, 200]); // retried after Retry-After
    const last = mine[1]!;
    expect(last.body).toMatchObject({ event: "task.failed", task: { id: task.id, name: "boom", delivery, attempt: 1 }, error: { code: null, message: "the label is gone" } });
    // the signature is HMAC-SHA256 of the exact body, as GitHub signs webhooks
    const expected = `sha256=${createHmac("sha256", SECRET).update(last.raw).digest("hex")}`;
    const header = String(last.headers["x-hookyard-signature-256"]);
    expect(timingSafeEqual(Buffer.from(header), Buffer.from(expected))).toBe(true);
    expect(last.raw).not.toContain(SECRET);
    // the notify task is durable: a stored delivery with one task, completed after two attempts
    const stored = (await app.store.listDeliveries({ event: NOTIFY_EVENT })).items;
    expect(stored).toHaveLength(1);
    const [notifyTask] = (await app.store.listTasks({ deliveryId: stored[0]!.id })).items;
    await pollUntil("the notify task to complete", async () => (await app.store.getTask(notifyTask!.id))?.state === "completed");
    expect(await app.store.getTask(notifyTask!.id)).toMatchObject({ name: NOTIFY_TASK, attempts: 2 });
  });

  it("with HOOKYARD_NOTIFY_ON=failed,completed a completed task is notified; the notify task never notifies about itself", async () => {
    const done = app.events.once("task:complete", ({ task }) => task.name === "fine");
    await send("labeled");
    const { task } = await done;
    await pollUntil("the completion notification", () => received.some((r) => r.body.task.id === task.id && r.answered === 200));
    expect(received.find((r) => r.body.task.id === task.id)?.body).toMatchObject({ event: "task.completed", task: { name: "fine" } });
    expect(received.find((r) => r.body.error !== undefined && r.body.event === "task.completed")).toBeUndefined();

    // a receiver that refuses (400) fails the notify task for good, without a notification about that
    const notifyFailed = app.events.once("task:failed", ({ task: t }) => t.name === NOTIFY_TASK);
    await send("reopened");
    await notifyFailed;
    const stored = (await app.store.listDeliveries({ event: NOTIFY_EVENT })).items;
    expect(stored).toHaveLength(3); // boom failed, fine completed, refused failed — and nothing about notify tasks
    expect(received.filter((r) => r.body.task.name === NOTIFY_TASK)).toEqual([]);
    const notifyTasks = await Promise.all(stored.map(async (d) => (await app.store.listTasks({ deliveryId: d.id })).items[0]!));
    expect(notifyTasks.map((t) => t.state).sort()).toEqual(["completed", "completed", "failed"]);
  });

  it("a stored notification is Hookyard's own: onAny never runs for it, and replaying it sends it again", async () => {
    const own = new Hookyard({
      store: "memory:", logLevel: "silent", webhookSecret: "x", env: {}, pollInterval: "100ms",
      notifyUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/hookyard`, notifySecret: SECRET,
    });
    const anySaw: string[] = [];
    own.onAny(async (ctx) => {
      anySaw.push(ctx.name);
      if (ctx.name === "issues") throw new UnrecoverableError("audit refused");
    }, { name: "audit", retries: 0 });
    try {
      await own.open();
      const failed = own.events.once("task:failed", ({ task }) => task.name === "audit");
      await own.receive({ id: "notify-own-1", name: "issues", payload: structuredClone(findExample("issues.opened").payload) as Record<string, unknown> });
      const { task: audit } = await failed;
      await pollUntil("the notification", () => received.some((r) => r.answered === 200 && r.body.task.id === audit.id));
      const [stored] = (await own.store.listDeliveries({ event: NOTIFY_EVENT })).items;
      const [first] = (await own.store.listTasks({ deliveryId: stored!.id })).items;
      await pollUntil("the notify task to complete", async () => (await own.store.getTask(first!.id))?.state === "completed");
      expect(anySaw).toEqual(["issues"]); // never the notification

      const replayed = await own.replay(stored!.id);
      expect(replayed.tasks).toHaveLength(1);
      await pollUntil("the replayed notification to complete", async () => (await own.store.getTask(replayed.tasks[0]!))?.state === "completed");
      expect(await own.store.getTask(replayed.tasks[0]!)).toMatchObject({ name: NOTIFY_TASK });
      expect(received.filter((r) => r.answered === 200 && r.body.task.id === audit.id)).toHaveLength(2);
      expect(anySaw).toEqual(["issues"]);
    } finally {
      await own.stop();
    }
  });

  it("Slack incoming webhooks get { text, blocks }", () => {
    expect(isSlackWebhook("https://hooks.slack.com/services/T000/B000/XXXX")).toBe(true);
    expect(isSlackWebhook("https://example.com/hooks.slack.com")).toBe(false);
    const task = { id: "t1", name: "triage", deliveryId: "d1", event: "issues", action: "opened", attempt: 4, maxAttempts: 4, backoff: { type: "fixed" as const, delay: 0, maxDelay: 0, jitter: "none" as const }, timeoutMs: 1 };
    const message = slackMessage(notificationOf("task.failed", task, { code: "HOOKYARD_ERR_TASK_TIMEOUT", message: "handler timed out <after> 10 ms" }, 0));
    expect(message.text).toBe("Hookyard: task triage (issues.opened, delivery d1) failed for good after 4 attempts: HOOKYARD_ERR_TASK_TIMEOUT handler timed out <after> 10 ms");
    expect(message.blocks).toEqual([{ type: "section", text: { type: "mrkdwn", text: message.text.replace("<after>", "&lt;after&gt;") } }]);
  });
});
