import { join } from "node:path";
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import type { ClaimedTask } from "../../src/store/backend.js";
import type { PutOutcome } from "../../src/store/stored-records.js";
import { applyWrite, type WriteHandlers } from "../../src/store/backends/sqlite/write-handlers.js";
import { DURABLE, type WriteOp, type WriteRequest } from "../../src/store/backends/sqlite/write-ops.js";
import { spawnThread, waitReady, WriterChannel } from "../../src/store/backends/sqlite/writer-channel.js";
import { removeTempDirs, tempDir } from "../support/store.js";

// The `@ts-expect-error` lines are checked by `npm run lint` (tsc -p tsconfig.test.json): should one
// of those calls or tables compile, the lint fails.

describe("the SQLite writer's operations (write-ops.ts)", () => {
  afterEach(() => removeTempDirs());

  it("a real writer thread answers each op with that op's result type", async () => {
    const file = join(tempDir(), "ops.db");
    const thread = spawnThread({ role: "writer", path: file, checkpointIntervalMs: 1000 });
    await waitReady(thread, file);
    const channel = new WriterChannel(thread);

    const claimed = await channel.call("claim", ["worker-1", 10, 30_000]);
    expectTypeOf(claimed).toEqualTypeOf<ClaimedTask[]>();
    expect(claimed).toEqual([]);
    const put = await channel.call("putRecord", ["kind", "key", JSON.stringify({ a: 1 }), 0]);
    expectTypeOf(put).toEqualTypeOf<PutOutcome>();
    expect(put).toMatchObject({ ok: true, version: 1 });
    expect(await channel.call("putRecord", ["kind", "key", "2", 0])).toEqual({ ok: false, stored: 1 });
    const pong = await channel.call("ping", []);
    expectTypeOf(pong).toEqualTypeOf<null>();
    expect(pong).toBeNull();
    await expect(channel.call("retryTask", ["no-such-task"])).rejects.toMatchObject({ code: "HOOKYARD_ERR_STORE_NOT_FOUND" });
    await channel.close();

    // type-checked only, never run: calls that do not match the op's arguments
    const wrongCalls = (): void => {
      // @ts-expect-error a claim's limit is a number
      void channel.call("claim", ["worker-1", "10", 30_000]);
      // @ts-expect-error ping takes no arguments
      void channel.call("ping", ["x"]);
      // @ts-expect-error there is no such op
      void channel.call("vacuum", []);
    };
    void wrongCalls;
  });

  it("runs the handler of the request's op with the batch's clock, also for a request that crossed as JSON", () => {
    const seen: unknown[] = [];
    const handlers: WriteHandlers = {
      accept: () => "accepted",
      addTasks: () => undefined,
      claim: (now, owner, limit, leaseMs) => (seen.push(["claim", now, owner, limit, leaseMs]), []),
      extendLeases: (now, owner, taskIds) => (seen.push(["extendLeases", now, owner, taskIds]), taskIds.slice(1)),
      start: () => [],
      release: () => undefined,
      finish: () => undefined,
      retryTask: () => undefined,
      cancelTask: () => undefined,
      putRecord: () => ({ ok: false, stored: 0 }),
      ping: () => null,
      prune: () => ({ deliveries: 0, tasks: 0, bytes: 0, tombstones: 0, cursor: null, removedSegments: [] }),
    };
    const requests: WriteRequest[] = [
      { id: 1, op: "claim", args: ["worker-1", 10, 30_000] },
      { id: 2, op: "extendLeases", args: ["worker-1", ["t1", "t2"], 30_000] },
    ];
    const wire = JSON.parse(JSON.stringify(requests)) as WriteRequest[];
    expect(wire.map((req) => applyWrite(handlers, req, 1234))).toEqual([[], ["t2"]]);
    expect(seen).toEqual([["claim", 1234, "worker-1", 10, 30_000], ["extendLeases", 1234, "worker-1", ["t1", "t2"]]]);

    const { ping: _ping, ...withoutPing } = handlers;
    // @ts-expect-error every op needs a handler
    const incomplete: WriteHandlers = withoutPing;
    // @ts-expect-error a claim answers ClaimedTask[]
    const wrongResult: WriteHandlers = { ...handlers, claim: () => "claimed" };
    // @ts-expect-error a request's args are its op's
    const wrongArgs: WriteRequest = { id: 3, op: "release", args: ["worker-1", 30_000] };
    void [incomplete, wrongResult, wrongArgs];
  });

  it("answers deliveries, operator actions, record puts, pings and prunes only after an fsync", () => {
    const durable = (Object.keys(DURABLE) as WriteOp[]).filter((op) => DURABLE[op]);
    expect(durable.sort()).toEqual(["accept", "addTasks", "cancelTask", "ping", "prune", "putRecord", "retryTask"]);
  });
});
