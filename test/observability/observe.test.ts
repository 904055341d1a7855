import { describe, expect, it } from "vitest";
import { observe } from "../../src/http/observe.js";
import { Lifecycle } from "../../src/observability/lifecycle.js";
import { HookyardMetrics } from "../../src/observability/metrics.js";
import { captureLog, parseMetrics, valueOf } from "./support.js";

async function setup() {
  const { log } = captureLog("silent");
  const lifecycle = new Lifecycle(log);
  const metrics = new HookyardMetrics({ store: () => undefined, defaultMetrics: false });
  const stop = observe({ lifecycle, log, metrics });
  const read = async () => parseMetrics(await metrics.registry.metrics());
  return { lifecycle, stop, read };
}

describe("observe", () => {
  it("counts agent runs by their final step only", async () => {
    const { lifecycle, stop, read } = await setup();
    const progress = (step: string) => lifecycle.emit("agent:progress", { repo: "acme/widgets", issue: 1, mode: "issue", step, detail: {}, task: "t" });
    for (const step of ["triggered", "agent-output", "pr", "no-changes", "refused", "stopped", "failed", "failed", "commented"]) progress(step);
    const samples = await read();
    expect(["pr", "no-changes", "refused", "stopped", "failed"].map((outcome) => valueOf(samples, "hookyard_agent_runs_total", { outcome }))).toEqual([1, 1, 1, 1, 2]);
    expect(samples.filter((s) => s.name === "hookyard_agent_runs_total")).toHaveLength(5);
    stop();
  });

  it("keeps label values bounded: unknown event names and actions become `unknown`", async () => {
    const { lifecycle, stop, read } = await setup();
    lifecycle.emit("delivery:accepted", { id: "d1", event: "made_up_event", action: "x".repeat(40), status: "ignored", tasks: 0 });
    lifecycle.emit("delivery:accepted", { id: "d2", event: "issues", action: "not_an_action", status: "ignored", tasks: 0 });
    lifecycle.emit("delivery:accepted", { id: "d3", event: "push", action: null, status: "accepted", tasks: 1 });
    const samples = await read();
    expect(valueOf(samples, "hookyard_deliveries_total", { event: "unknown", action: "unknown", outcome: "ignored" })).toBe(1);
    expect(valueOf(samples, "hookyard_deliveries_total", { event: "issues", action: "unknown", outcome: "ignored" })).toBe(1);
    expect(valueOf(samples, "hookyard_deliveries_total", { event: "push", action: "", outcome: "accepted" })).toBe(1);
    expect(JSON.stringify(samples)).not.toMatch(/d1|d2|d3|made_up|xxxx/);
    stop();
  });
});
