import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteBackend } from "../../src/store/backends/sqlite/index.js";
import { openStore } from "../../src/store/open.js";
import { expectCode, newDelivery, newTask, removeTempDirs, tempDir } from "../support/store.js";
import { describeBackend } from "./conformance.js";
import { describePrune } from "./conformance-prune.js";

describeBackend("sqlite", () => SqliteBackend.open(join(tempDir(), "conformance.db")), {
  holds: true,
  reopen: async (store) => {
    await store.close();
    return SqliteBackend.open(store.description.slice("sqlite:".length));
  },
});

describe("SqliteBackend specifics", () => {
  const open: SqliteBackend[] = [];
  const readers: Database.Database[] = [];
  const track = (s: SqliteBackend) => (open.push(s), s);

  afterEach(async () => {
    for (const r of readers.splice(0)) r.close();
    for (const s of open.splice(0)) await s.close();
    removeTempDirs();
  });

  it("keeps deliveries, tasks and attempts across close and reopen of the same file", async () => {
    const file = join(tempDir(), "nested", "dir", "h.db");
    const first = track(await SqliteBackend.open(file));
    const body = Uint8Array.from([1, 2, 3, 0, 255]);
    const d = newDelivery({ body });
    const [done, retrying, queued] = [newTask(), newTask(), newTask()];
    await first.accept(d, [done!]);
    await first.claim("a", 1, 60_000);
    await first.finish("a", done!.id, { outcome: "completed" });
    await first.addTasks(d.id, [retrying!]);
    await first.claim("a", 1, 60_000);
    const runAt = Date.now() + 3_600_000;
    await first.finish("a", retrying!.id, { outcome: "retrying", runAt, error: { message: "later", code: "E" } });
    await first.addTasks(d.id, [queued!]);
    const before = { delivery: await first.getDelivery(d.id), tasks: await first.listTasks({}), detail: await first.getTask(retrying!.id) };
    await first.close();

    const second = track(await SqliteBackend.open(file));
    expect(await second.getDelivery(d.id)).toEqual(before.delivery);
    expect([...(await second.getBody(d.id))!.body]).toEqual([...body]);
    expect(await second.listTasks({})).toEqual(before.tasks);
    expect(await second.getTask(retrying!.id)).toEqual(before.detail);
    expect(before.detail).toMatchObject({ state: "retrying", runAt, attemptLog: [{ outcome: "retrying", error: { message: "later", code: "E" } }] });
    expect(await second.countTasks()).toMatchObject({ completed: 1, retrying: 1, queued: 1 });
    expect((await second.claim("b", 10, 60_000)).map((c) => c.id)).toEqual([queued!.id]);
  });

  it("a reopened store gives back the tasks the previous process held, at once; its running tasks keep their lease", async () => {
    const file = join(tempDir(), "h.db");
    const first = track(await SqliteBackend.open(file));
    const [held, running] = [newTask(), newTask()];
    await first.accept(newDelivery(), [held, running], { owner: "gone", leaseMs: 3_600_000, hold: [held.id, running.id] });
    expect(await first.start("gone", [running.id], 3_600_000)).toEqual([]);
    await first.close(); // as a crash would: the holds are not given back

    const second = track(await SqliteBackend.open(file));
    expect(await second.claim("b", 10, 60_000)).toMatchObject([{ id: held.id, attempt: 1 }]);
    expect((await second.getTask(running.id))?.state).toBe("running");
  });

  it("records: a read-only open reads them and refuses puts; on a file from before records it reads none, and a normal open migrates it", async () => {
    const file = join(tempDir(), "h.db");
    const first = await SqliteBackend.open(file);
    const d = newDelivery();
    await first.accept(d, [newTask()]);
    const record = await first.putRecord("agent-run", "octo/one#1", { stage: "pushed" }, 0);
    await first.close();
    const reader = track(await SqliteBackend.open(file, { readOnly: true }));
    expect(await reader.getRecord("agent-run", "octo/one#1")).toEqual(record);
    expect((await reader.listRecords("agent-run")).items).toEqual([record]);
    await expect(reader.putRecord("agent-run", "octo/one#1", {}, 1)).rejects.toMatchObject({ code: "HOOKYARD_ERR_STORE_UNAVAILABLE", message: expect.stringContaining("read-only") });
    await reader.close();

    // the file as the previous release left it: schema version 1, no records table
    const db = new Database(file);
    db.exec("DROP TABLE records; PRAGMA user_version = 1;");
    db.close();
    const old = track(await SqliteBackend.open(file, { readOnly: true }));
    expect(await old.getRecord("agent-run", "octo/one#1")).toBeNull();
    expect(await old.listRecords("agent-run")).toEqual({ items: [], nextCursor: null });
    expect((await old.getDelivery(d.id))?.id).toBe(d.id);
    await old.close();
    const migrated = track(await SqliteBackend.open(file));
    expect((await migrated.getDelivery(d.id))?.id).toBe(d.id);
    expect(await migrated.putRecord("agent-run", "octo/one#1", { stage: "again" }, 0)).toMatchObject({ version: 1 });
    const check = new Database(file, { readonly: true });
    readers.push(check);
    expect(check.pragma("user_version", { simple: true })).toBe(3);
  });

  it("commits 500 concurrent accepts (group commit) and every one is readable", async () => {
    const file = join(tempDir(), "h.db");
    const store = track(await SqliteBackend.open(file));
    const deliveries = Array.from({ length: 500 }, (_, i) => newDelivery({ action: i % 2 ? "opened" : "closed" }));
    const statuses = await Promise.all(deliveries.map((d) => store.accept(d, [newTask()])));
    expect(statuses.every((s) => s === "accepted")).toBe(true);
    expect((await store.countTasks()).queued).toBe(500);
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await store.listDeliveries({ limit: 500, cursor });
      for (const item of page.items) seen.add(item.id);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(new Set(deliveries.map((d) => d.id)));
    for (const d of [deliveries[0]!, deliveries[250]!, deliveries[499]!]) {
      expect([...(await store.getDelivery(d.id))!.body]).toEqual([...d.body]);
    }
    // an independent connection sees them too: they are committed to the file, not only visible to this backend
    const reader = new Database(file, { readonly: true });
    readers.push(reader);
    expect(reader.prepare("SELECT count(*) AS n FROM deliveries").get()).toEqual({ n: 500 });
  });

  it("answers every call of a burst larger than one batch, in order, while claims and outcomes interleave with accepts", async () => {
    // 2,600 accepts make several batches (500 requests each, two with the writer at once); claims
    // and finishes made meanwhile share those batches, and every call gets its own answer
    const store = track(await SqliteBackend.open(join(tempDir(), "h.db")));
    const order: number[] = [];
    const accepts = Array.from({ length: 2600 }, (_, i) => store.accept(newDelivery(), [newTask()]).then((s) => (order.push(i), s)));
    const runs: Promise<number>[] = [];
    for (let round = 0; round < 20; round++) {
      runs.push(store.claim("w", 50, 60_000).then(async (tasks) => {
        await Promise.all(tasks.map((t) => store.finish("w", t.id, { outcome: "completed" })));
        return tasks.length;
      }));
    }
    expect((await Promise.all(accepts)).every((s) => s === "accepted")).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    const finished = (await Promise.all(runs)).reduce((a, b) => a + b, 0);
    expect(await store.countTasks()).toMatchObject({ completed: finished, queued: 2600 - finished, running: 0 });
  });

  it("a failing request does not undo the others committed in the same batch", async () => {
    const store = track(await SqliteBackend.open(join(tempDir(), "h.db")));
    const d = newDelivery();
    const [accepted, missing, again] = await Promise.allSettled([
      store.accept(d, [newTask()]), store.retryTask("no-such-task"), store.accept(newDelivery(), [newTask()]),
    ]);
    expect(accepted).toEqual({ status: "fulfilled", value: "accepted" });
    expect(missing).toMatchObject({ status: "rejected", reason: { code: "HOOKYARD_ERR_STORE_NOT_FOUND" } });
    expect(again).toEqual({ status: "fulfilled", value: "accepted" });
    expect((await store.countTasks()).queued).toBe(2);
    expect(await store.getDelivery(d.id)).not.toBeNull();
  });

  it("the database file is in WAL mode", async () => {
    const file = join(tempDir(), "h.db");
    const store = track(await SqliteBackend.open(file));
    await store.accept(newDelivery(), [newTask()]);
    const reader = new Database(file, { readonly: true });
    readers.push(reader);
    expect(reader.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(existsSync(`${file}-wal`)).toBe(true);
  });

  it("openStore parses sqlite: URLs and refuses unknown schemes", async () => {
    const file = join(tempDir(), "via-url.db");
    const store = await openStore(`sqlite:${file}`);
    expect(store.description).toBe(`sqlite:${file}`);
    open.push(store as SqliteBackend);
    await store.ping();
    expect(existsSync(file)).toBe(true);
    await expectCode(openStore("sqlite:"), "HOOKYARD_ERR_STORE_INVALID_URL");
    await expectCode(openStore("mysql://localhost"), "HOOKYARD_ERR_STORE_INVALID_URL");
  });

  it("a file that is not a database fails to open with the reason in words", async () => {
    const file = join(tempDir(), "garbage.db");
    writeFileSync(file, "this is not a SQLite database, just text long enough to have a header......");
    const err = await SqliteBackend.open(file).then(() => undefined, (e: unknown) => e as Error & { code: string });
    expect(err?.code).toBe("HOOKYARD_ERR_STORE_UNAVAILABLE");
    expect(err?.message).toContain("file is not a database");
  });
});
describePrune("sqlite", () => SqliteBackend.open(join(tempDir(), "prune.db")));
