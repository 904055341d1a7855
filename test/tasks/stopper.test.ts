import { describe, expect, it } from "vitest";
import { Stopper } from "../../src/tasks/stopper.js";

describe("Stopper", () => {
  it("runs each listener once, with the reason, and ignores a second abort", () => {
    const s = new Stopper();
    const seen: unknown[] = [];
    s.onAbort((r) => seen.push(["a", r]));
    s.onAbort((r) => seen.push(["b", r]));
    s.abort("timeout");
    s.abort("shutdown");
    expect(seen).toEqual([["a", "timeout"], ["b", "timeout"]]);
    expect(s.aborted).toBe(true);
    expect(s.reason).toBe("timeout");
  });

  it("a removed listener is not called; one added after the abort runs at once", () => {
    const s = new Stopper();
    const seen: string[] = [];
    const off = s.onAbort(() => seen.push("removed"));
    off();
    s.abort("lost");
    s.onAbort((r) => seen.push(`late:${String(r)}`));
    expect(seen).toEqual(["late:lost"]);
  });

  it("its signal follows it, whether made before or after the abort", () => {
    const before = new Stopper();
    const signal = before.signal;
    let fired: unknown;
    signal.addEventListener("abort", () => (fired = signal.reason));
    expect(signal.aborted).toBe(false);
    before.abort("timeout");
    expect(fired).toBe("timeout");

    const after = new Stopper();
    after.abort("shutdown");
    expect(after.signal.aborted).toBe(true);
    expect(after.signal.reason).toBe("shutdown");
    expect(after.signal).toBe(after.signal); // one signal, made once
  });
});
