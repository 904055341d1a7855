/**
 * Crash safety: a server killed with SIGKILL while handlers run loses no acknowledged delivery.
 * After a restart on the same SQLite file every 202-acked delivery's task runs to completion
 * (at-least-once: a handler cut off mid-run runs again once its lease has expired).
 */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { apiTasks, fileLines, fixture, killServers, postIssue, readStore, startServer } from "../fixtures/server.js";
import { pollUntil, removeTempDirs, tempDir } from "../support/store.js";

afterEach(async () => {
  await killServers();
  removeTempDirs();
});

describe("kill -9 mid-run", () => {
  it("every acknowledged delivery is handled after a restart; none is lost or failed", { timeout: 90_000 }, async () => {
    const dir = tempDir();
    const db = join(dir, "h.db");
    const sideEffects = join(dir, "side-effects.txt");
    const env = { HOOKYARD_STORE: `sqlite:${db}`, HOOKYARD_LEASE: "1s", SIDE_EFFECTS_FILE: sideEffects };
    const app = fixture("sleepy-app.mjs");

    const first = await startServer(app, dir, env);
    const answers = await Promise.all(Array.from({ length: 30 }, () => postIssue(first)));
    const acked = answers.filter((a) => a.status === 202).map((a) => a.id);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));
    expect(answers.every((a) => a.body.status === "accepted")).toBe(true);

    // handlers are mid-run once the first side effect is on disk; kill the process right then
    await pollUntil("a first side effect", () => fileLines(sideEffects).length > 0, 20_000, 10);
    first.child.kill("SIGKILL");
    expect(await first.exited).toEqual({ code: null, signal: "SIGKILL" });

    const atKill = readStore(db);
    expect(atKill).toHaveLength(30);
    expect(new Set(atKill.map((t) => t.deliveryId))).toEqual(new Set(acked));
    const cutOff = atKill.filter((t) => t.state === "running").map((t) => t.id);
    expect(cutOff.length).toBeGreaterThan(0); // the kill really interrupted handlers
    expect(atKill.filter((t) => t.state === "completed").length).toBeLessThan(30);

    const second = await startServer(app, dir, env);
    const tasks = await pollUntil("every task to complete after the restart", async () => {
      const list = await apiTasks(second);
      const failed = list.filter((t) => t.state === "failed");
      if (failed.length > 0) throw new Error(`tasks failed: ${JSON.stringify(failed)}`);
      return list.length === 30 && list.every((t) => t.state === "completed") ? list : undefined;
    }, 60_000, 100);

    expect(new Set(tasks.map((t) => t.deliveryId))).toEqual(new Set(acked));
    const handled = new Set(fileLines(sideEffects));
    expect(acked.filter((id) => !handled.has(id))).toEqual([]);
    // each task cut off by the kill ran again as a new attempt; the first is recorded as lost
    const after = new Map(readStore(db).map((t) => [t.id, t]));
    for (const id of cutOff) {
      const log = after.get(id)!.attemptLog;
      expect(log[0]).toMatchObject({ attempt: 1, outcome: "lost", error: { code: "HOOKYARD_ERR_TASK_LEASE_EXPIRED" } });
      expect(log.at(-1)).toMatchObject({ outcome: "completed" });
      expect(log.length).toBeGreaterThanOrEqual(2);
    }

    second.child.kill("SIGTERM");
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(readStore(db).every((t) => t.state === "completed")).toBe(true);
  });
});
