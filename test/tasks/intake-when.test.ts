import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Hookyard } from "../../src/app/index.js";
import { MemoryBackend } from "../../src/store/backends/memory/index.js";
import { findExample } from "../../src/testing/examples.js";

const apps: Hookyard[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop();
});

/** An open app on a memory store (no workers: tasks stay queued) with one `issues.opened` handler per `when`. */
async function appWith(whens: Record<string, (payload: unknown) => boolean>): Promise<{ app: Hookyard; store: MemoryBackend }> {
  const store = new MemoryBackend();
  const app = new Hookyard({ store, logLevel: "silent", webhookSecret: "x", env: {}, workers: false });
  apps.push(app);
  for (const [name, when] of Object.entries(whens)) app.on("issues.opened", async () => undefined, { name, when });
  await app.open();
  return { app, store };
}

const opened = (title: string) => {
  const payload = structuredClone(findExample("issues.opened").payload) as { issue: { title: string } };
  payload.issue.title = title;
  return payload as unknown as Record<string, unknown>;
};

const taskNames = async (store: MemoryBackend, deliveryId: string) =>
  (await store.listTasks({ deliveryId })).items.map((t) => t.name).sort();

describe("HandlerOptions.when at accept and replay", () => {
  it("a delivery is stored with tasks only for the handlers whose `when` accepts its payload", async () => {
    const { app, store } = await appWith({ bugs: (p) => (p as { issue: { title: string } }).issue.title.startsWith("Bug"), all: () => true });
    const plain = randomUUID();
    const bug = randomUUID();
    expect(await app.receive({ id: plain, name: "issues", payload: opened("Question") })).toBe("accepted");
    await app.receive({ id: bug, name: "issues", payload: opened("Bug: it breaks") });
    expect(await store.getDelivery(plain)).not.toBeNull();
    expect(await taskNames(store, plain)).toEqual(["all"]);
    expect(await taskNames(store, bug)).toEqual(["all", "bugs"]);
  });

  it("a replay asks `when` about the stored payload", async () => {
    const seen: string[] = [];
    const { app, store } = await appWith({ bugs: (p) => {
      const title = (p as { issue: { title: string } }).issue.title;
      seen.push(title);
      return title.startsWith("Bug");
    } });
    const bug = randomUUID();
    await app.receive({ id: bug, name: "issues", payload: opened("Bug: it breaks") });
    const plain = randomUUID();
    await app.receive({ id: plain, name: "issues", payload: opened("Question") });
    expect((await app.replay(plain)).tasks).toEqual([]);
    expect((await app.replay(bug)).tasks).toHaveLength(1);
    expect(await taskNames(store, bug)).toEqual(["bugs", "bugs"]);
    expect(seen).toEqual(["Bug: it breaks", "Question", "Question", "Bug: it breaks"]);
  });

  it("a `when` that throws gives the handler its task, and is logged at warn once, without the payload", async () => {
    const { app, store } = await appWith({ fragile: (p) => (p as { nope: { x: boolean } }).nope.x });
    const warn = vi.spyOn(app.log, "warn");
    const ids = [randomUUID(), randomUUID()];
    for (const id of ids) await app.receive({ id, name: "issues", payload: opened("Anything") });
    for (const id of ids) expect(await taskNames(store, id)).toEqual(["fragile"]);
    expect(warn).toHaveBeenCalledTimes(1);
    const [fields, message] = warn.mock.calls[0] as unknown as [Record<string, unknown>, string];
    expect(fields).toMatchObject({ handler: "fragile" });
    expect(fields).not.toHaveProperty("payload");
    expect(message).toContain('"fragile"');
  });
});
