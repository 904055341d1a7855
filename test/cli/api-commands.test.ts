/**
 * The CLI over the management API, run as the built binary against one real server: every read
 * command's table and `--json`, task detail, cancel, retry (one and --all-failed), per-command
 * help and usage errors.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCommandLine, UsageError } from "../../src/cli/args.js";
import { COMMAND_HELP } from "../../src/cli/help.js";
import { RetryLaterError, UnrecoverableError } from "../../src/steering/steer.js";
import { example, nextOutcome, post, startApp, stopApps, until, type StartedApp } from "../support/app.js";
import { expectErrorLine, runCli } from "../support/cli.js";

const cwd = mkdtempSync(join(tmpdir(), "hookyard-cli-api-"));
let s: StartedApp;
let broken = true;
const labeled: string[] = []; // delivery ids whose task failed
let opened: string; // delivery id whose task waits to retry
const failedTasks: string[] = [];
let waitingTask: string;

const cli = (...args: string[]) => runCli([...args, "--url", s.base], cwd);
const cliJson = async (...args: string[]) => {
  const run = await cli(...args, "--json");
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
};

/** The start column of each header word, and that every row has a cell starting there. */
function expectAligned(text: string, headers: string[]): string[] {
  const lines = text.trimEnd().split("\n");
  const starts = headers.map((h) => (lines[0] as string).indexOf(h));
  expect(starts.every((p, i) => p >= 0 && (i === 0 || p > (starts[i - 1] as number))), lines[0]).toBe(true);
  for (const line of lines.slice(1)) for (const p of starts.slice(1)) expect(line[p - 1], `column at ${p} in "${line}"`).toBe(" ");
  expect(text).not.toContain("\u001b["); // not a terminal: no colour
  return lines;
}

beforeAll(async () => {
  s = await startApp((app) => {
    app.on("issues.labeled", async () => {
      if (broken) throw new UnrecoverableError("label not wanted");
    }, { name: "triage" });
    app.on("issues.opened", async () => {
      throw new RetryLaterError(3_600_000, "not yet");
    }, { name: "welcome" });
  });
  for (let i = 0; i < 2; i++) {
    const d = example("issues.labeled", { secret: s.secret });
    const outcome = nextOutcome(s.app, (t) => t.deliveryId === d.id);
    expect((await post(s.url, d)).status).toBe(202);
    const { kind, task } = await outcome;
    expect(kind).toBe("failed");
    labeled.push(d.id);
    failedTasks.push(task.id);
  }
  const d = example("issues.opened", { secret: s.secret });
  const outcome = nextOutcome(s.app, (t) => t.deliveryId === d.id);
  expect((await post(s.url, d)).status).toBe(202);
  const { kind, task } = await outcome;
  expect(kind).toBe("retry");
  opened = d.id;
  waitingTask = task.id;
}, 60_000);
afterAll(async () => {
  await stopApps();
  rmSync(cwd, { recursive: true, force: true });
});

describe("hookyard deliveries / delivery", () => {
  it("lists deliveries as an aligned table and as JSON, with filters", async () => {
    const [text, all, filtered, none] = await Promise.all([
      cli("deliveries"), cliJson("deliveries"), cliJson("deliveries", "--event", "issues", "--action", "labeled", "--limit", "1"), cli("deliveries", "--status", "ignored"),
    ]);
    expect(text.code, text.stderr).toBe(0);
    const lines = expectAligned(text.stdout, ["ID", "EVENT", "STATUS", "REPOSITORY", "INSTALLATION", "RECEIVED"]);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(new RegExp(`^${opened}\\s+issues\\.opened\\s+accepted\\s+Codertocat/Hello-World\\s`));
    expect(all.items.map((d: { id: string }) => d.id)).toEqual([opened, ...[...labeled].reverse()]);
    expect(all.nextCursor).toBeNull();
    expect(filtered.items.map((d: { id: string }) => d.id)).toEqual([labeled[1]]);
    expect(filtered.nextCursor).toEqual(expect.any(String));
    expect(none.stdout.trim()).toBe("no deliveries");
  });

  it("shows one delivery with its headers and tasks; --json has the payload", async () => {
    const [text, detail] = await Promise.all([cli("delivery", labeled[0] as string), cliJson("delivery", labeled[0] as string)]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^delivery: +${labeled[0]}$`, "m"));
    expect(text.stdout).toMatch(/^event: +issues\.labeled$/m);
    expect(text.stdout).toMatch(/x-hub-signature-256: \[redacted\]/);
    expect(text.stdout).toMatch(new RegExp(`^${failedTasks[0]}\\s+failed\\s+1/4\\s+triage\\s+${labeled[0]}\\s`, "m"));
    expect(detail.payload).toEqual(example("issues.labeled").payload);
    expect(detail.tasks.map((t: { id: string }) => t.id)).toEqual([failedTasks[0]]);
    expectErrorLine(await cli("delivery", "no-such-delivery"), 1, "HOOKYARD_ERR_CLI_REQUEST_FAILED");
  });
});

describe("hookyard tasks / task / cancel / retry", () => {
  it("lists tasks with the delivery id, as a table and as JSON, and by delivery", async () => {
    const [text, all, one] = await Promise.all([cli("tasks"), cliJson("tasks"), cliJson("tasks", "--delivery", labeled[1] as string)]);
    expect(text.code, text.stderr).toBe(0);
    const lines = expectAligned(text.stdout, ["ID", "STATE", "ATTEMPTS", "HANDLER", "DELIVERY", "REPOSITORY", "LAST ERROR"]);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${failedTasks[1]}\\s+failed\\s+1/4\\s+triage\\s+${labeled[1]}\\s+Codertocat/Hello-World\\s+label not wanted$`)));
    expect(all.items).toHaveLength(3);
    expect(one.items.map((t: { id: string; deliveryId: string }) => [t.id, t.deliveryId])).toEqual([[failedTasks[1], labeled[1]]]);
  });

  it("shows a task's attempt log, and its JSON with the stack", async () => {
    const [text, detail] = await Promise.all([cli("task", failedTasks[0] as string), cliJson("task", failedTasks[0] as string)]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^state: +failed$/m);
    expect(text.stdout).toMatch(/^ATTEMPT\s+OUTCOME\s+STARTED\s+ENDED\s+ERROR$/m);
    expect(text.stdout).toMatch(/^1\s+failed\s+\d{4}-\S+\s+\d{4}-\S+\s+label not wanted$/m);
    expect(text.stdout).toContain("last error:\nUnrecoverableError: label not wanted");
    expect(detail.attemptLog).toEqual([expect.objectContaining({ attempt: 1, outcome: "failed", error: expect.objectContaining({ message: "label not wanted", stack: expect.stringContaining("UnrecoverableError") }) })]);
    expectErrorLine(await cli("task", "no-such-task"), 1, "HOOKYARD_ERR_CLI_REQUEST_FAILED");
  });

  it("cancels a task waiting to retry; cancelling it again is refused (409)", async () => {
    const run = await cli("cancel", waitingTask);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(`task ${waitingTask} is cancelled`);
    const again = await cli("cancel", waitingTask, "--json");
    expectErrorLine(again, 1, "HOOKYARD_ERR_CLI_REQUEST_FAILED");
    expect(again.stderr).toContain("409 HOOKYARD_ERR_TASK_STATE_CONFLICT");
  });

  it("retry --all-failed retries every failed task (by handler, within --since), with a count line when not on a terminal", async () => {
    const nobody = await cliJson("retry", "--all-failed", "--name", "nobody");
    expect(nobody).toEqual({ matched: 0, retried: [], refused: [] });
    broken = false;
    const done = until(s.app, async () => (await s.app.store.listTasks({ state: "completed" })).items.length === 2);
    const run = await cli("retry", "--all-failed", "--since", "1h", "--name", "triage", "--json");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe("retrying failed tasks: 2\n");
    const report = JSON.parse(run.stdout);
    expect(report.matched).toBe(2);
    expect(report.retried.map((t: { id: string }) => t.id).sort()).toEqual([...failedTasks].sort());
    await done;
    const text = await cli("retry", "--all-failed");
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.trim()).toBe("retried 0 of 0 failed tasks");
    // one task by id: the cancelled one; and a replay, as JSON
    const [one, replayed] = await Promise.all([cliJson("retry", waitingTask), cliJson("replay", labeled[0] as string)]);
    expect(one).toMatchObject({ id: waitingTask, state: expect.stringMatching(/^(queued|running|retrying)$/) });
    expect(replayed).toEqual({ delivery: labeled[0], tasks: [expect.any(String)] });
  });
});

describe("help and usage errors", () => {
  const commands = ["send", "deliveries", "delivery", "tasks", "task", "retry", "cancel", "replay"];

  it("has each command's own --help, listing the options it takes", async () => {
    for (const c of commands) {
      expect(parseCommandLine([c, "--help"])).toMatchObject({ command: c, help: true });
      expect(COMMAND_HELP[c]).toMatch(new RegExp(`^usage: hookyard ${c}\\b`));
      if (c !== "send") expect(COMMAND_HELP[c]).toContain("--json");
    }
    expect(parseCommandLine(["help", "retry"])).toMatchObject({ command: "retry", help: true });
    const run = await runCli(["retry", "--help"], cwd);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(COMMAND_HELP.retry);
  });

  it.each([
    ["an option the command does not take", ["deliveries", "--state", "failed"]],
    ["an unknown option", ["task", "t1", "--bogus"]],
    ["task without an id", ["task"]],
    ["cancel without an id", ["cancel"]],
    ["delivery with two ids", ["delivery", "a", "b"]],
    ["an unknown --status", ["deliveries", "--status", "done"]],
    ["retry with an id and --all-failed", ["retry", "t1", "--all-failed"]],
    ["retry --since without --all-failed", ["retry", "t1", "--since", "1h"]],
    ["retry --all-failed with a --since that is no duration", ["retry", "--all-failed", "--since", "soon"]],
  ])("refuses %s as a usage error", (_what, args) => {
    expect(() => parseCommandLine(args)).toThrow(UsageError);
  });

  it("takes the roles HOOKYARD_ROLE takes for --role", () => {
    expect(parseCommandLine(["serve", "--role", "ingress"]).values.role).toBe("ingress");
    expect(() => parseCommandLine(["serve", "--role", "boss"])).toThrow("--role must be all, ingress or worker");
  });

  it("exits 2 with one line for a usage error", async () => {
    expectErrorLine(await runCli(["retry", "t1", "--all-failed"], cwd), 2, "HOOKYARD_ERR_CLI_USAGE");
    expectErrorLine(await runCli(["deliveries", "--bogus"], cwd), 2, "HOOKYARD_ERR_CLI_USAGE");
  });
});
