import { spawn } from "node:child_process";
import { appendFileSync, readdirSync, statSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { BodyLogReader, BodyLogWriter } from "../../src/store/backends/sqlite/body-log.js";
import { SqliteBackend } from "../../src/store/backends/sqlite/index.js";
import { newDelivery, newTask, removeTempDirs, tempDir } from "../support/store.js";

describe("SQLite body log", () => {
  afterEach(() => removeTempDirs());

  it("starts a new segment when the current one would pass its size, and reads back from each", () => {
    const dir = join(tempDir(), "bodies");
    const writer = new BodyLogWriter(dir, 100);
    const chunks = [Buffer.alloc(60, 1), Buffer.alloc(60, 2), Buffer.alloc(30, 3), Buffer.alloc(150, 4)];
    const at = chunks.map((c) => writer.append(c));
    writer.close();
    expect(at.map((a) => a.seg)).toEqual([1, 2, 2, 3]);
    expect(at.map((a) => a.off)).toEqual([0, 0, 60, 0]);
    expect(readdirSync(dir).sort()).toEqual(["000001.log", "000002.log", "000003.log"]); // and no LOCK once closed
    const reader = new BodyLogReader(dir);
    chunks.forEach((c, i) => expect(reader.read(at[i]!.seg, at[i]!.off, c.length).equals(c)).toBe(true));
    expect(() => reader.read(1, 50, 20)).toThrow(/ends before offset 70/);
    reader.close();
  });

  it("reopening appends to the newest segment after bytes a crash left without a row", () => {
    const dir = join(tempDir(), "bodies");
    const first = new BodyLogWriter(dir);
    expect(first.append(Buffer.from("kept"))).toEqual({ seg: 1, off: 0 });
    first.close();
    appendFileSync(join(dir, "000001.log"), "torn write without a row");
    const second = new BodyLogWriter(dir);
    const at = second.append(Buffer.from("next"));
    second.close();
    expect(at).toEqual({ seg: 1, off: 4 + "torn write without a row".length });
    const reader = new BodyLogReader(dir);
    expect(reader.read(at.seg, at.off, 4).toString()).toBe("next");
    expect(reader.read(1, 0, 4).toString()).toBe("kept");
    reader.close();
  });

  it("keeps bodies out of the database file: rows hold where the bytes are", async () => {
    const file = join(tempDir(), "log.db");
    const store = await SqliteBackend.open(file);
    const body = Buffer.alloc(12 * 1024, 7);
    const d = newDelivery({ body });
    await store.accept(d, [newTask()]);
    expect(Buffer.from((await store.getBody(d.id))!.body).equals(body)).toBe(true);
    expect((await store.getDelivery(d.id))!.headers).toEqual(d.headers);
    await store.close();
    const db = new Database(file, { readonly: true });
    const row = db.prepare("SELECT log_seg, log_off, headers_len, body_len FROM deliveries WHERE id = ?").get(d.id);
    db.close();
    expect(row).toEqual({ log_seg: 1, log_off: 0, headers_len: Buffer.byteLength(JSON.stringify(d.headers)), body_len: body.length });
  });

  it("refuses a database file written by a pre-release layout, saying what to do", async () => {
    const file = join(tempDir(), "old.db");
    const db = new Database(file);
    db.exec("CREATE TABLE deliveries (seq INTEGER PRIMARY KEY, id TEXT, body BLOB); PRAGMA user_version = 1;");
    db.close();
    await expect(SqliteBackend.open(file)).rejects.toThrow(/pre-release build of Hookyard.*move it/);
  });
});

describe("SQLite store lock", () => {
  afterEach(() => removeTempDirs());

  it("a second process cannot open a store in use; after the first is killed, its lock is taken over", async () => {
    const file = join(tempDir(), "locked.db");
    const holder = join(import.meta.dirname, "..", "fixtures", "hold-store.mjs");
    const child = spawn(process.execPath, [holder, file], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: child.stdout! }).on("line", (l) => l === "open" && resolve());
        child.once("exit", (c) => reject(new Error(`child exited ${c}`)));
      });
      const err = await SqliteBackend.open(file).then(() => undefined, (e: unknown) => e as Error & { code: string });
      expect(err?.code).toBe("HOOKYARD_ERR_STORE_UNAVAILABLE");
      expect(err?.message).toContain(`in use by process ${child.pid}`);
    } finally {
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await gone;
    }
    const store = await SqliteBackend.open(file);
    await store.ping();
    await store.close();
  });
});

describe("SQLite read-only open", () => {
  afterEach(() => removeTempDirs());

  it("reads a store another process holds, takes no lock, and refuses writes with a code", async () => {
    const file = join(tempDir(), "ro.db");
    const holder = join(import.meta.dirname, "..", "fixtures", "hold-store.mjs");
    const seedStore = await SqliteBackend.open(file);
    const d = newDelivery();
    await seedStore.accept(d, [newTask()]);
    await seedStore.close();
    const child = spawn(process.execPath, [holder, file], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: child.stdout! }).on("line", (l) => l === "open" && resolve());
        child.once("exit", (c) => reject(new Error(`child exited ${c}`)));
      });
      const reader = await SqliteBackend.open(file, { readOnly: true });
      try {
        expect((await reader.getDelivery(d.id))?.id).toBe(d.id);
        await expect(reader.accept(newDelivery(), [])).rejects.toMatchObject({ code: "HOOKYARD_ERR_STORE_UNAVAILABLE", message: expect.stringContaining("read-only") });
      } finally {
        await reader.close();
      }
    } finally {
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await gone;
    }
  });
});

describe("SQLite start after a torn commit", () => {
  afterEach(() => removeTempDirs());

  it("removes deliveries whose bytes never reached the body log (never answered), and keeps the rest", async () => {
    const file = join(tempDir(), "torn.db");
    const store = await SqliteBackend.open(file);
    const kept = newDelivery();
    const torn = newDelivery();
    await store.accept(kept, [newTask()]);
    await store.accept(torn, [newTask()]);
    await store.close();
    // a crash after the rows committed but before the bytes' fsync finished: the log ends early
    const segment = join(`${file}-bodies`, "000001.log");
    truncateSync(segment, statSync(segment).size - 3);
    const again = await SqliteBackend.open(file);
    try {
      expect(await again.getDelivery(torn.id)).toBeNull();
      expect((await again.listTasks({ deliveryId: torn.id })).items).toEqual([]);
      expect(Buffer.from((await again.getBody(kept.id))!.body).equals(Buffer.from(kept.body))).toBe(true);
      expect((await again.countTasks()).queued).toBe(1);
      expect(await again.accept(torn, [newTask()])).toBe("accepted"); // GitHub's redelivery is taken
    } finally {
      await again.close();
    }
  });
});
