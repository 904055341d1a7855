import { describe, expect, it } from "vitest";
import { HandlerRegistry } from "../../src/events/registry.js";

const noop = async () => undefined;

describe("HandlerRegistry.match with a payload: the `when` option", () => {
  it("a handler whose `when` says no does not match that payload; one that says yes, and one without `when`, do", () => {
    const registry = new HandlerRegistry();
    registry.add(["issue_comment.created"], noop, { name: "deploy", when: (p) => (p as { comment: { body: string } }).comment.body === "/deploy" });
    registry.add(["issue_comment"], noop, { name: "every-comment" });
    const names = (body: string) => registry.match("issue_comment", "created", { comment: { body } }).map((h) => h.name);
    expect(names("thanks")).toEqual(["every-comment"]);
    expect(names("/deploy")).toEqual(["deploy", "every-comment"]);
  });

  it("`when` gets the delivery's event; without a payload (the two-argument call) it is not asked", () => {
    const asked: string[] = [];
    const registry = new HandlerRegistry();
    registry.add(["check_run.completed", "check_suite.completed"], noop, { name: "ci", when: (_p, event) => (asked.push(event), false) });
    expect(registry.match("check_suite", "completed", {})).toEqual([]);
    expect(registry.match("check_run", "completed", {})).toEqual([]);
    expect(asked).toEqual(["check_suite", "check_run"]);
    expect(registry.match("check_run", "completed").map((h) => h.name)).toEqual(["ci"]);
    expect(asked).toHaveLength(2);
  });

  it("a `when` that throws counts as yes, and is reported once per handler", () => {
    const reported: { handler: string; err: unknown }[] = [];
    const registry = new HandlerRegistry(undefined, (handler, err) => reported.push({ handler, err }));
    const boom = new Error("no comment");
    registry.add(["issues"], noop, { name: "a", when: () => { throw boom; } });
    registry.add(["issues"], noop, { name: "b", when: (p) => (p as { issue: { locked: boolean } }).issue.locked });
    expect(registry.match("issues", "opened", {}).map((h) => h.name)).toEqual(["a", "b"]);
    expect(registry.match("issues", "opened", {}).map((h) => h.name)).toEqual(["a", "b"]);
    expect(registry.match("issues", "opened", { issue: { locked: false } }).map((h) => h.name)).toEqual(["a"]);
    expect(reported.map((r) => r.handler)).toEqual(["a", "b"]);
    expect(reported[0]?.err).toBe(boom);
  });
});
