/** `hookyard send`: the event and action it sends, stated; file names refused unless an event; missing examples listed. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exampleGroups, findExample } from "../../src/testing/examples.js";
import { startApp, stopApps, until, type StartedApp } from "../support/app.js";
import { expectErrorLine, runCli } from "../support/cli.js";

const cwd = mkdtempSync(join(tmpdir(), "hookyard-cli-send-"));
let s: StartedApp;
const seen = new Map<string, { name: string; action: unknown }>(); // delivery id → what the handler got

const send = (...args: string[]) => runCli(["send", ...args, "--url", s.url, "--secret", s.secret], cwd);
/** Waits until the handler saw delivery `id`. */
const handled = async (id: string) => {
  await until(s.app, () => seen.has(id));
  return seen.get(id);
};

beforeAll(async () => {
  s = await startApp((app) => app.onAny(async (ctx) => void seen.set(ctx.id, { name: ctx.name, action: (ctx.payload as { action?: unknown }).action })));
  writeFileSync(join(cwd, "my-payload.json"), JSON.stringify({ ...findExample("issues.opened").payload, action: "opened" }));
  writeFileSync(join(cwd, "issues.labeled.json"), JSON.stringify(findExample("issues.labeled").payload));
}, 60_000);
afterAll(async () => {
  await stopApps();
  rmSync(cwd, { recursive: true, force: true });
});

describe("hookyard send", () => {
  it("an event without an action: sends its first example and says which action that is", async () => {
    const first = findExample("issues");
    const run = await send("issues");
    expect(run.code, run.stderr).toBe(0);
    const match = new RegExp(`^issues\\.${first.action} (\\S+) → 202 `).exec(run.stdout);
    expect(match, run.stdout).not.toBeNull();
    expect(run.stderr).toContain(`no action given: sent the first issues example, action "${first.action}" (others: `);
    expect(run.stderr).toContain("issues.labeled".split(".")[1]);
    expect(await handled(match?.[1] as string)).toEqual({ name: "issues", action: first.action });
  });

  it("--action picks the example; --json prints the result", async () => {
    const run = await send("issues", "--action", "labeled", "--json");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe("");
    const res = JSON.parse(run.stdout);
    expect(res).toMatchObject({ event: "issues", action: "labeled", status: 202, body: { delivery: res.id, status: "accepted" } });
    expect(await handled(res.id)).toEqual({ name: "issues", action: "labeled" });
  });

  it("refuses a file whose name is not an event name without --event, naming the events", async () => {
    const run = await send("my-payload.json");
    expectErrorLine(run, 2, "HOOKYARD_ERR_CLI_USAGE");
    expect(run.stderr).toContain(`"my-payload.json" is not an event name: pass --event`);
    expect(run.stderr).toMatch(/event names: .*\bissues\b.*\bpull_request\b/);
  });

  it("sends a file with --event and --action, stating the action", async () => {
    const run = await send("my-payload.json", "--event", "issues", "--action", "closed");
    expect(run.code, run.stderr).toBe(0);
    const match = /^issues\.closed (\S+) → 202 /.exec(run.stdout);
    expect(match, run.stdout).not.toBeNull();
    expect(await handled(match?.[1] as string)).toEqual({ name: "issues", action: "closed" });
  });

  it("takes the event and action from a file named after them", async () => {
    const run = await send("issues.labeled.json");
    expect(run.code, run.stderr).toBe(0);
    const match = /^issues\.labeled (\S+) → 202 /.exec(run.stdout);
    expect(match, run.stdout).not.toBeNull();
    expect(await handled(match?.[1] as string)).toEqual({ name: "issues", action: "labeled" });
  });

  it("lists the examples there are when one is missing", async () => {
    const [action, event] = await Promise.all([send("issues.no_such_action"), send("no_such_event")]);
    expectErrorLine(action, 2, "HOOKYARD_ERR_CLI_USAGE");
    expect(action.stderr).toContain(`no example payload for "issues.no_such_action"; issues examples: `);
    expect(action.stderr).toMatch(/\bissues\.labeled\b.*\bissues\.opened\b|\bissues\.opened\b.*\bissues\.labeled\b/);
    expectErrorLine(event, 2, "HOOKYARD_ERR_CLI_USAGE");
    expect(event.stderr).toContain(`no example payload for "no_such_event"; events with examples: `);
    for (const g of exampleGroups().slice(0, 5)) expect(event.stderr).toContain(g.name);
  });
});
