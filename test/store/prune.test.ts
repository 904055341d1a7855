import { join } from "node:path";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { observe } from "../../src/http/observe.js";
import { Lifecycle } from "../../src/observability/lifecycle.js";
import { HookyardMetrics } from "../../src/observability/metrics.js";
import type { PruneResult } from "../../src/store/backend.js";
import { MemoryBackend } from "../../src/store/backends/memory/index.js";
import { SqliteBackend } from "../../src/store/backends/sqlite/index.js";
import { pruneStore } from "../../src/store/prune.js";
import { PRUNE_LEASE, Pruner } from "../../src/store/pruner.js";
import { expectCode, newDelivery, newTask, removeTempDirs, tempDir } from "../support/store.js";
import { parseMetrics, valueOf } from "../observability/support.js";
import { startApp, stopApps } from "../support/app.js";

const DAY = 86_400_000;
const silent = pino({ level: "silent" });

describe("retention", () => {
  afterAll(async () => {
    await stopApps();
    removeTempDirs();
  });

  it("a started server prunes in the background (its first pass one interval after start) and stops its pruner on stop", async () => {
    const { app } = await startApp(undefined, { retention: "3d", pruneInterval: "100ms" });
    const old = newDelivery({ receivedAt: Date.now() - 5 * DAY });
    await app.store.accept(old, []);
    const pruned = new Promise<{ deliveries: number }>((resolve) => {
      app.events.on("store:pruned", (b) => { if (b.deliveries > 0) resolve(b); });
    });
    expect(await pruned).toMatchObject({ deliveries: 1 });
    expect(await app.store.getDelivery(old.id)).toBeNull();
    await app.stop();
    expect(await app.pruner!.runNow()).toMatchObject({ batches: 0, stopped: true });
  });

  it("pruneStore: a pass over a SQLite store in batches, a dry run first; young and failed deliveries stay", async () => {
    const store = await SqliteBackend.open(join(tempDir(), "pass.db"));
    const now = Date.now();
    const old = Array.from({ length: 25 }, (_, i) => newDelivery({ receivedAt: now - 40 * DAY + i }));
    for (const d of old) await store.accept(d, []);
    const young = newDelivery({ receivedAt: now - DAY });
    await store.accept(young, []);
    const failedTask = newTask({ maxAttempts: 1 });
    const failed = newDelivery({ receivedAt: now - 35 * DAY }); // looked at in the last batch, and kept
    await store.accept(failed, [failedTask]);
    await store.claim("w", 10, 60_000);
    await store.finish("w", failedTask.id, { outcome: "failed", error: { message: "x" } });

    const options = { retentionMs: 30 * DAY, failedRetentionMs: 90 * DAY, batch: 10 };
    const dry = await pruneStore(store, { ...options, dryRun: true });
    expect(dry).toMatchObject({ deliveries: 25, tasks: 0, batches: 3, stopped: false });
    expect((await store.listDeliveries({ limit: 100 })).items).toHaveLength(27);
    const batches: PruneResult[] = [];
    const report = await pruneStore(store, { ...options, onBatch: (b) => void batches.push(b) });
    expect(report).toMatchObject({ deliveries: 25, batches: 3 });
    expect(batches.map((b) => b.deliveries)).toEqual([10, 10, 5]);
    expect((await store.listDeliveries({ limit: 100 })).items.map((d) => d.id).sort()).toEqual([young.id, failed.id].sort());
    await expectCode(pruneStore(store, { retentionMs: 2 * DAY }), "HOOKYARD_ERR_CONFIG_INVALID");
    await store.close();
  });

  it("Pruner: one process at a time holds the lease; a stopped pruner stops between batches; batches reach hookyard_pruned_total", async () => {
    let clock = Date.now();
    const now = () => clock;
    const store = new MemoryBackend(now);
    for (let i = 0; i < 5; i++) await store.accept(newDelivery({ receivedAt: clock - 40 * DAY }), []);
    const lifecycle = new Lifecycle(silent);
    const metrics = new HookyardMetrics({ store: () => undefined, defaultMetrics: false });
    const stopObserving = observe({ lifecycle, log: silent, metrics });
    const make = (owner: string) => new Pruner({
      store: () => store, owner, retentionMs: 30 * DAY, failedRetentionMs: 90 * DAY, intervalMs: 300_000, log: silent, batch: 2, pauseMs: 0, now,
      onBatch: (b) => lifecycle.emit("store:pruned", b),
    });
    const [a, b] = [make("a"), make("b")];
    expect(await a.runNow()).toMatchObject({ deliveries: 5, batches: 3 });
    expect(await b.runNow()).toBeNull(); // a's lease holds
    expect((await store.getRecord(PRUNE_LEASE.kind, PRUNE_LEASE.key))?.value).toMatchObject({ owner: "a" });
    clock += 301_000; // a's lease lapsed
    expect(await b.runNow()).toMatchObject({ deliveries: 0 });
    const samples = parseMetrics(await metrics.registry.metrics());
    expect(valueOf(samples, "hookyard_pruned_total", { kind: "deliveries" })).toBe(5);
    expect(valueOf(samples, "hookyard_pruned_total", { kind: "bytes" })).toBeGreaterThan(0);

    for (let i = 0; i < 5; i++) await store.accept(newDelivery({ receivedAt: clock - 40 * DAY }), []);
    const c = make("b");
    await c.stop();
    expect(await c.runNow()).toMatchObject({ batches: 0, stopped: true });
    stopObserving();
    await store.close();
  });

  it("config: retentions under 3 days are refused with the reason; 0 keeps everything", () => {
    expect(() => loadConfig({}, { HOOKYARD_RETENTION: "2d" })).toThrow(/HOOKYARD_RETENTION must be 0 \(keep everything\) or at least 3d/);
    expect(() => loadConfig({}, { HOOKYARD_FAILED_RETENTION: "12h" })).toThrow(/HOOKYARD_FAILED_RETENTION must be 0/);
    expect(loadConfig({}, { HOOKYARD_RETENTION: "0", HOOKYARD_FAILED_RETENTION: "3d" })).toMatchObject({ retention: 0, failedRetention: 3 * DAY });
    expect(loadConfig({}, {})).toMatchObject({ retention: 30 * DAY, failedRetention: 90 * DAY, pruneInterval: 300_000 });
  });
});
