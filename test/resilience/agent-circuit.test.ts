import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { runAgent } from "../../src/agent/process/agent.js";
import { agentCircuit } from "../../src/agent/process/circuit.js";
import { Lifecycle } from "../../src/observability/lifecycle.js";
import { CircuitOpenError } from "../../src/steering/circuit.js";
import { Circuits } from "../../src/steering/circuits.js";
import { pollUntil } from "../support/store.js";

const dir = mkdtempSync(join(tmpdir(), "hookyard-agent-circuit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("agent circuit breaker", () => {
  it("opens after consecutive crashes (a run stopped by its task is no failure), defers without starting the agent, closes after a good probe", async () => {
    const log = pino({ level: "silent" });
    const events = new Lifecycle();
    const changes: string[] = [];
    events.on("circuit:change", ({ circuit, to }) => changes.push(`${circuit}:${to}`));
    const circuit = agentCircuit(new Circuits({ log, lifecycle: events }), { agentCircuitThreshold: 2, agentCircuitCooldown: 300 });
    const runs = join(dir, "runs");
    const agent = (code: number, signal = new AbortController().signal) => circuit.run(() => runAgent({
      argv: ["sh", "-c", `echo run >> "${runs}"; exit ${code}`], cwd: dir, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, timeoutMs: 10_000, signal, log,
    }));
    const started = () => readFileSync(runs, "utf8").split("\n").filter(Boolean).length;

    expect((await agent(3)).code).toBe(3); // a crash is returned to the stage as before
    const stopped = new AbortController();
    stopped.abort();
    expect((await agent(0, stopped.signal)).aborted).toBe(true); // stopped by its task: not the agent's fault
    expect(circuit.state).toBe("closed"); // a second failure would have opened it
    await agent(4);
    expect(circuit.state).toBe("closed"); // the stopped run was an answer: the count started again
    await agent(5);
    expect(circuit.state).toBe("open");
    expect(changes).toEqual(["agent:open"]);

    const before = started();
    const refused = await agent(0).then(() => undefined, (err: unknown) => err);
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect(refused).toMatchObject({ code: "HOOKYARD_ERR_TASK_CIRCUIT_OPEN", circuit: "agent" });
    expect(() => circuit.check()).toThrow(CircuitOpenError);
    expect(started()).toBe(before); // not started

    await pollUntil("the cool-down to pass", () => {
      try {
        circuit.check();
        return true;
      } catch {
        return false;
      }
    }, 5_000, 25);
    expect((await agent(0)).code).toBe(0);
    expect(circuit.state).toBe("closed");
    expect(changes).toEqual(["agent:open", "agent:half-open", "agent:closed"]);
    expect(started()).toBe(before + 1);
  });
});
