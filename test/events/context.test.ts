import { describe, expect, it } from "vitest";
import pino from "pino";
import { createContext } from "../../src/events/context.js";
import { deliveryMeta } from "../../src/ingress/delivery-meta.js";
import { Stopper } from "../../src/tasks/stopper.js";

const payload = { action: "opened", issue: { number: 7 }, repository: { name: "r", owner: { login: "o" } }, sender: { type: "Bot" } };

describe("handler context", () => {
  it("makes log, octokit and signal on first use, once each; copying it keeps only its data fields", () => {
    const made = { log: 0, octokit: 0, signal: 0 };
    const stop = new Stopper();
    const log = pino({ level: "silent" });
    const client = { marker: true };
    const ctx = createContext({
      id: "d1", meta: deliveryMeta("issues", payload), payload, attempt: 2, task: "t1",
      log: () => (made.log++, log),
      signal: () => (made.signal++, stop.signal),
      octokit: () => (made.octokit++, client as never),
      config: { read: async () => null },
    });
    expect(made).toEqual({ log: 0, octokit: 0, signal: 0 });
    expect(ctx.octokit).toBe(ctx.octokit);
    expect(made.octokit).toBe(1);
    stop.abort("timeout");
    expect(ctx.signal.aborted).toBe(true);
    expect(ctx.issue({ body: "hi" })).toEqual({ owner: "o", repo: "r", issue_number: 7, body: "hi" });
    expect(ctx.isBot).toBe(true);
    expect({ ...ctx }).toEqual({ id: "d1", name: "issues", payload, attempt: 2, task: "t1", isBot: true });
  });
});
