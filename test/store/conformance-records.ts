/**
 * The record cases of the store conformance suite (`getRecord` / `putRecord` compare-and-set /
 * `listRecords`); `describeBackend` (conformance.ts) registers them for every backend.
 */
import { describe, expect, it } from "vitest";
import type { Backend, StoredRecord } from "../../src/store/backend.js";
import { MAX_RECORD_BYTES } from "../../src/store/stored-records.js";
import { expectCode, walkPages } from "../support/store.js";

const RUN = "agent-run";
const BAD = "HOOKYARD_ERR_STORE_RECORD_INVALID";
const CONFLICT = "HOOKYARD_ERR_STORE_CONFLICT";

/**
 * Registers the record cases against the store `store()` returns (a fresh one per case). With
 * `reopen` (which closes the store and opens the same data again, becoming `store()`), the records
 * must also survive that.
 */
export function describeRecords(store: () => Backend, reopen?: () => Promise<unknown>): void {
  describe("records", () => {
    const keys = async (kind: string, limit?: number) => (await store().listRecords(kind, { limit })).items.map((r) => r.key);

    it("putRecord with version 0 creates version 1; getRecord returns it, null for unknown keys and other kinds", async () => {
      const value = { stage: "cloned", branch: "agent/issue-12", steps: [1, 2.5, null, true], text: "ünïcödé 🚀", nested: { empty: {} } };
      const before = Date.now();
      const created = await store().putRecord(RUN, "acme/widgets#12", value, 0);
      expect(created).toEqual({ kind: RUN, key: "acme/widgets#12", version: 1, value, createdAt: expect.any(Number), updatedAt: created.createdAt });
      expect(created.createdAt).toBeGreaterThanOrEqual(before);
      expect(await store().getRecord(RUN, "acme/widgets#12")).toEqual(created);
      expect(await store().getRecord(RUN, "acme/widgets#13")).toBeNull();
      expect(await store().getRecord("other-kind", "acme/widgets#12")).toBeNull();
    });

    it("stores what JSON keeps of a value (toJSON applied, undefined members left out); null, strings and arrays are values too", async () => {
      const at = new Date(1_700_000_000_000);
      expect((await store().putRecord(RUN, "a", { at, gone: undefined, list: [undefined] }, 0)).value).toEqual({ at: at.toISOString(), list: [null] });
      expect((await store().getRecord(RUN, "a"))?.value).toEqual({ at: at.toISOString(), list: [null] });
      for (const [key, value] of [["null", null], ["string", "just text"], ["array", [1, "two"]], ["zero", 0]] as const) {
        await store().putRecord(RUN, key, value, 0);
        expect((await store().getRecord(RUN, key))?.value).toEqual(value);
      }
    });

    it("putRecord with the stored version replaces the value: version + 1, createdAt kept", async () => {
      const v1 = await store().putRecord(RUN, "k", { n: 1 }, 0);
      const v2 = await store().putRecord(RUN, "k", { n: 2, more: "x" }, 1);
      expect(v2).toMatchObject({ kind: RUN, key: "k", version: 2, value: { n: 2, more: "x" }, createdAt: v1.createdAt });
      expect(v2.updatedAt).toBeGreaterThanOrEqual(v1.updatedAt);
      const v3 = await store().putRecord(RUN, "k", { n: 3 }, 2);
      expect(v3.version).toBe(3);
      expect(await store().getRecord(RUN, "k")).toEqual(v3);
    });

    it("a stale or future version, or creating what exists, rejects with HOOKYARD_ERR_STORE_CONFLICT and writes nothing", async () => {
      await store().putRecord(RUN, "k", { n: 1 }, 0);
      const current = await store().putRecord(RUN, "k", { n: 2 }, 1);
      await expectCode(store().putRecord(RUN, "k", { n: "stale" }, 1), CONFLICT);
      await expectCode(store().putRecord(RUN, "k", { n: "future" }, 3), CONFLICT);
      await expectCode(store().putRecord(RUN, "k", { n: "again" }, 0), CONFLICT);
      expect(await store().getRecord(RUN, "k")).toEqual(current);
      // a version for a record that does not exist creates nothing
      await expectCode(store().putRecord(RUN, "missing", { n: 1 }, 1), CONFLICT);
      expect(await store().getRecord(RUN, "missing")).toBeNull();
      expect(await keys(RUN)).toEqual(["k"]);
    });

    it("of concurrent puts with the same expected version exactly one wins, for creates and for updates", async () => {
      const settle = (expected: number) => Promise.allSettled(Array.from({ length: 8 }, (_, i) => store().putRecord(RUN, "race", { writer: i, expected }, expected)));
      for (const expected of [0, 1, 2]) {
        const outcomes = await settle(expected);
        const won = outcomes.filter((o): o is PromiseFulfilledResult<StoredRecord> => o.status === "fulfilled");
        expect(won).toHaveLength(1);
        expect(outcomes.filter((o) => o.status === "rejected").map((o) => (o as PromiseRejectedResult).reason.code)).toEqual(Array(7).fill(CONFLICT));
        expect(won[0]!.value.version).toBe(expected + 1);
        expect(await store().getRecord(RUN, "race")).toEqual(won[0]!.value);
      }
    });

    it("listRecords: newest created first (an update does not move a record), paginated, one kind only", async () => {
      const created: string[] = [];
      for (let i = 0; i < 7; i++) {
        const key = `acme/widgets#${i}`;
        await store().putRecord(RUN, key, { i }, 0);
        created.push(key);
        if (i % 3 === 0) await store().putRecord("review", key, { i }, 0);
      }
      await store().putRecord(RUN, created[0]!, { i: 0, updated: true }, 1);
      const walk = (kind: string, limit: number) => walkPages(async (cursor) => {
        const page = await store().listRecords(kind, { limit, cursor });
        return { items: page.items.map((r) => ({ id: r.key })), nextCursor: page.nextCursor };
      });
      expect(await walk(RUN, 3)).toEqual({ ids: [...created].reverse(), sizes: [3, 3, 1] });
      expect(await walk(RUN, 7)).toEqual({ ids: [...created].reverse(), sizes: [7] });
      expect(await walk("review", 2)).toEqual({ ids: [created[6], created[3], created[0]], sizes: [2, 1] });
      const page = await store().listRecords(RUN);
      expect(page.nextCursor).toBeNull();
      expect(page.items.at(-1)).toMatchObject({ kind: RUN, key: created[0], version: 2, value: { i: 0, updated: true } });
      expect(await store().listRecords("nothing-here")).toEqual({ items: [], nextCursor: null });
      await expectCode(store().listRecords(RUN, { cursor: "not-a-cursor" }), "HOOKYARD_ERR_STORE_QUERY_INVALID");
      await expectCode(store().listRecords(RUN, { limit: 0 }), "HOOKYARD_ERR_STORE_QUERY_INVALID");
    });

    it("kinds and keys may hold any text (separators, unicode) without meeting each other", async () => {
      const pairs: [string, string][] = [["a:b", "c"], ["a", "b:c"], ["a", "b"], ["ab", "c"], ["kind", "n:x"], ["kind", "x"], ["🚀", "é/è#1"]];
      for (const [kind, key] of pairs) await store().putRecord(kind, key, { kind, key }, 0);
      for (const [kind, key] of pairs) expect((await store().getRecord(kind, key))?.value).toEqual({ kind, key });
      expect(await keys("a")).toEqual(["b", "b:c"]);
      expect(await keys("kind")).toEqual(["x", "n:x"]);
    });

    it("accepts the bounds: a 64-character kind, a 512-character key (counted in characters), a value of 1 MiB as JSON", async () => {
      const kind = "k".repeat(64);
      const key = "🚀".repeat(512); // 1,024 UTF-16 units, 512 characters
      const value = "x".repeat(MAX_RECORD_BYTES - 2); // with its quotes, exactly 1 MiB of JSON
      expect(await store().putRecord(kind, key, value, 0)).toMatchObject({ kind, key, version: 1 });
      expect((await store().getRecord(kind, key))?.value).toBe(value);
      expect(await keys(kind)).toEqual([key]);
    });

    it("invalid input rejects with HOOKYARD_ERR_STORE_RECORD_INVALID and writes nothing", async () => {
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      const bad: [string, () => Promise<unknown>][] = [
        ["empty kind", () => store().putRecord("", "k", {}, 0)],
        ["long kind", () => store().putRecord("k".repeat(65), "k", {}, 0)],
        ["kind not a string", () => store().putRecord(7 as unknown as string, "k", {}, 0)],
        ["empty key", () => store().putRecord(RUN, "", {}, 0)],
        ["long key", () => store().putRecord(RUN, "🚀".repeat(513), {}, 0)],
        ["key with NUL", () => store().putRecord(RUN, "a\0b", {}, 0)],
        ["key with a lone surrogate", () => store().putRecord(RUN, "a\uD800b", {}, 0)],
        ["undefined value", () => store().putRecord(RUN, "k", undefined, 0)],
        ["function value", () => store().putRecord(RUN, "k", () => 1, 0)],
        ["bigint value", () => store().putRecord(RUN, "k", { n: 1n }, 0)],
        ["circular value", () => store().putRecord(RUN, "k", circular, 0)],
        ["value over 1 MiB", () => store().putRecord(RUN, "k", "x".repeat(MAX_RECORD_BYTES - 1), 0)],
        ["negative version", () => store().putRecord(RUN, "k", {}, -1)],
        ["fractional version", () => store().putRecord(RUN, "k", {}, 1.5)],
        ["NaN version", () => store().putRecord(RUN, "k", {}, Number.NaN)],
        ["version not a number", () => store().putRecord(RUN, "k", {}, "0" as unknown as number)],
        ["get: empty key", () => store().getRecord(RUN, "")],
        ["get: long kind", () => store().getRecord("k".repeat(65), "k")],
        ["list: empty kind", () => store().listRecords("")],
      ];
      const outcomes = await Promise.all(bad.map(([what, call]) => call().then(() => `${what}: resolved`, (err: { code?: string }) => `${what}: ${err.code}`)));
      expect(outcomes).toEqual(bad.map(([what]) => `${what}: ${BAD}`));
      expect(await keys(RUN)).toEqual([]);
    });

    if (reopen) {
      it("records survive closing and opening the store again", async () => {
        await store().putRecord(RUN, "first", { n: 1 }, 0);
        const kept = await store().putRecord(RUN, "first", { n: 2, text: "ünïcödé" }, 1);
        const second = await store().putRecord(RUN, "second", [1, 2, 3], 0);
        await reopen();
        expect(await store().getRecord(RUN, "first")).toEqual(kept);
        expect((await store().listRecords(RUN)).items).toEqual([second, kept]);
        await expectCode(store().putRecord(RUN, "first", { n: "stale" }, 1), CONFLICT);
        expect((await store().putRecord(RUN, "first", { n: 3 }, 2)).version).toBe(3);
        await store().putRecord(RUN, "third", {}, 0);
        expect(await keys(RUN)).toEqual(["third", "second", "first"]);
      });
    }
  });
}
