import { readdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import type { PruneResult } from "../../src/store/backend.js";
import { SqliteBackend } from "../../src/store/backends/sqlite/index.js";
import { bodyLogDir } from "../../src/store/backends/sqlite/body-log.js";
import { newDelivery, newTask, removeTempDirs, tempDir } from "../support/store.js";

const DAY = 86_400_000;

describe("SQLite retention gives the space back", () => {
  afterAll(() => removeTempDirs());

  it("removes emptied body-log segments, moves the rows that stay out of mostly empty ones, and the file vacuums incrementally", async () => {
    const file = join(tempDir(), "prune.db");
    let store = await SqliteBackend.open(file, { segmentBytes: 8 * 1024 });
    const body = (n: number) => Buffer.alloc(1024, n);
    const kept = newDelivery({ receivedAt: Date.now() - 40 * DAY, body: body(7) });
    await store.accept(kept, [newTask()]); // queued: stays, in the first segment
    const old = Array.from({ length: 30 }, (_, i) => newDelivery({ receivedAt: Date.now() - 39 * DAY + i, body: body(i) }));
    for (const d of old) expect(await store.accept(d, [])).toBe("ignored");
    const segments = () => readdirSync(bodyLogDir(file)).filter((f) => f.endsWith(".log")).length;
    const before = segments();
    expect(before).toBeGreaterThanOrEqual(4);

    const pass = async (): Promise<PruneResult> => {
      const total: PruneResult = { deliveries: 0, tasks: 0, bytes: 0, tombstones: 0, cursor: null };
      let cursor: string | undefined;
      do {
        const r = await store.prune!({ before: Date.now(), failedBefore: Date.now(), tombstonesBefore: 0, limit: 10, cursor });
        total.deliveries += r.deliveries;
        total.bytes += r.bytes;
        cursor = r.cursor ?? undefined;
      } while (cursor);
      return total;
    };
    const first = await pass();
    expect(first.deliveries).toBe(30);
    expect(first.bytes).toBeGreaterThanOrEqual(30 * 1024);
    await pass(); // the segments the first pass emptied (and moved the kept row out of) go now
    expect(segments()).toBeLessThan(before);
    expect(segments()).toBeLessThanOrEqual(2);
    expect(readdirSync(bodyLogDir(file))).not.toContain("000001.log"); // the kept delivery's first home
    expect(Buffer.from((await store.getBody(kept.id))!.body).equals(body(7))).toBe(true);

    await store.close();
    store = await SqliteBackend.open(file, { segmentBytes: 8 * 1024 });
    expect(Buffer.from((await store.getBody(kept.id))!.body).equals(body(7))).toBe(true);
    expect(await store.accept(old[0]!, [])).toBe("duplicate");
    await store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma("auto_vacuum", { simple: true })).toBe(2); // INCREMENTAL
    db.close();
  });
});
