import { afterEach, describe, expect, it } from "vitest";
import { MemoryBackend } from "../../src/store/backends/memory/index.js";
import { example, post, startApp, stopApps } from "../support/app.js";

afterEach(stopApps);

describe("HOOKYARD_ROLE", () => {
  it("an ingress process stores and enqueues without running tasks; a worker process runs them and takes no deliveries", async () => {
    const store = new MemoryBackend(); // stands in for a shared store (BullMQ) between the two processes
    const ranIn: string[] = [];
    const ingress = await startApp((app) => app.on("issues.opened", async () => void ranIn.push("ingress")), { store, role: "ingress" });
    const worker = await startApp((app) => app.on("issues.opened", async () => void ranIn.push("worker")), { store, role: "worker", webhookSecret: ingress.secret });
    expect(ingress.app.config.workers).toBe(false);

    const done = worker.app.events.once("task:complete");
    const d = example("issues.opened", { secret: ingress.secret });
    expect((await post(ingress.url, d)).status).toBe(202);
    await done;
    expect(ranIn).toEqual(["worker"]);

    const refused = await post(worker.url, example("issues.opened", { secret: ingress.secret }));
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe("HOOKYARD_ERR_API_NOT_FOUND");
    const health = await fetch(`${worker.base}/health`);
    expect(health.status).toBe(200);
  });

  it("a worker starts without a webhook secret; an unknown role is a configuration error", async () => {
    const worker = await startApp(undefined, { role: "worker", webhookSecret: [] });
    expect(worker.app.url).toBeDefined();
    await expect(startApp(undefined, { role: "both" as never })).rejects.toMatchObject({ code: "HOOKYARD_ERR_CONFIG_INVALID" });
  });
});
