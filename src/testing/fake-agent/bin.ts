/**
 * The scriptable fake agent's program (node builtins only, so it can be copied anywhere and run
 * under a sandbox). argv: `<script.json>`. It runs the steps for its mode (HOOKYARD_AGENT_MODE).
 */
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

type Step = Record<string, unknown>;

const REPORT_PREFIX = "HOOKYARD_FAKE_AGENT_REPORT ";

const script = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as Step[] | Record<string, Step[]>;
const mode = process.env.HOOKYARD_AGENT_MODE ?? "issue";
const steps: Step[] = Array.isArray(script) ? script : (script[mode] ?? script.default ?? []);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tryRead(path: string): string {
  try {
    const content = readFileSync(path);
    return `read ${content.length} bytes: ${content.subarray(0, 4096).toString("utf8")}`;
  } catch (err) {
    return `error ${(err as NodeJS.ErrnoException).code}`;
  }
}

function tryWrite(path: string): string {
  try {
    writeFileSync(path, "fake agent was here\n");
    return "wrote";
  } catch (err) {
    return `error ${(err as NodeJS.ErrnoException).code}`;
  }
}

function procView(): { cmdlines: string[]; environs: string[] } {
  const cmdlines: string[] = [];
  const environs: string[] = [];
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      cmdlines.push(readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " "));
    } catch {
      // gone or hidden
    }
    try {
      environs.push(readFileSync(`/proc/${pid}/environ`, "utf8").replace(/\0/g, "\n"));
    } catch {
      // not ours to read
    }
  }
  return { cmdlines, environs };
}

/** The demo's rule: an issue saying `'X' should be 'Y'` (or a check annotation saying so) gets X replaced by Y in every file. */
function applyReplacements(texts: string[]): string[] {
  const changed: string[] = [];
  for (const text of texts) {
    for (const m of text.matchAll(/['"`]([^'"`\n]{1,80})['"`]\s+should be\s+['"`]([^'"`\n]{0,80})['"`]/g)) {
      const [, from = "", to = ""] = m;
      for (const file of listFiles(".")) {
        const content = readFileSync(file, "utf8");
        if (content.includes(from)) {
          writeFileSync(file, content.split(from).join(to));
          changed.push(file);
        }
      }
    }
  }
  return changed;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === ".git") continue;
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...listFiles(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

async function run(steps: Step[], task: Task): Promise<void> {
  for (const step of steps) {
    const [kind, arg] = Object.entries(step)[0] ?? ["", undefined];
    switch (kind) {
      case "ifTitle": {
        const o = arg as { includes: string; then: Step[]; else?: Step[] };
        await run(task.issue.title.includes(o.includes) ? o.then : (o.else ?? []), task);
        break;
      }
      case "print": console.log(String(arg)); break;
      case "stderr": console.error(String(arg)); break;
      case "sleep": await sleep(Number(arg)); break;
      case "hang": await new Promise(() => setInterval(() => undefined, 60_000)); break;
      case "exit": process.exit(Number(arg));
      // falls through (never reached)
      case "write":
        for (const [path, content] of Object.entries(arg as Record<string, string>)) {
          mkdirSync(dirname(resolve(path)), { recursive: true });
          writeFileSync(path, content);
        }
        break;
      case "append": for (const [path, content] of Object.entries(arg as Record<string, string>)) appendFileSync(path, content); break;
      case "delete": for (const path of arg as string[]) rmSync(path, { force: true, recursive: true }); break;
      case "touch": writeFileSync(String(arg), String(process.pid)); break;
      case "waitForFile": while (!existsSync(String(arg))) await sleep(20); break;
      case "result": writeFileSync(process.env.HOOKYARD_RESULT_FILE ?? "", JSON.stringify(arg)); break;
      case "rawResult": writeFileSync(process.env.HOOKYARD_RESULT_FILE ?? "", String(arg)); break;
      case "spawnChild": {
        const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
        writeFileSync(String(arg), String(child.pid));
        break;
      }
      case "applyFromTask": {
        const texts = [task.issue.title, task.issue.body, task.instruction ?? "", ...task.issue.comments.map((c) => c.body)];
        for (const c of task.ci?.checkRuns ?? []) texts.push(c.text ?? "", c.summary ?? "", ...c.annotations.map((a) => a.message));
        for (const j of task.ci?.jobs ?? []) texts.push(j.logTail);
        for (const r of task.review?.reviews ?? []) texts.push(r.body);
        for (const th of task.review?.threads ?? []) texts.push(...th.comments.map((c) => c.body));
        const changed = applyReplacements(texts);
        console.log(`changed ${changed.length} file(s): ${changed.join(", ") || "none"}`);
        break;
      }
      case "report": {
        const o = arg as { path?: string; read?: string[]; write?: string[] };
        const view = procView();
        const report = JSON.stringify({
          argv: process.argv, env: process.env, cwd: process.cwd(), mode, task,
          reads: Object.fromEntries((o.read ?? []).map((p) => [p, tryRead(p)])),
          writes: Object.fromEntries((o.write ?? []).map((p) => [p, tryWrite(p)])),
          proc: view,
        });
        // without a path (e.g. in a sandbox that cannot write outside) the report is one output line
        if (o.path) writeFileSync(o.path, report);
        else console.log(`${REPORT_PREFIX}${report}`);
        break;
      }
      default: console.error(`fake agent: unknown step ${kind}`); process.exit(64);
    }
  }
}

interface Task {
  issue: { title: string; body: string; comments: { body: string }[] };
  ci: { checkRuns: { text: string | null; summary: string | null; annotations: { message: string }[] }[]; jobs: { logTail: string }[] } | null;
  review: { reviews: { body: string }[]; threads: { comments: { body: string }[] }[]; comments: { body: string }[] } | null;
  instruction: string | null;
}

run(steps, JSON.parse(readFileSync(process.env.HOOKYARD_TASK_FILE ?? "", "utf8")) as Task).then(() => process.exit(0), (err: unknown) => {
  console.error(`fake agent: ${(err as Error).message}`);
  process.exit(70);
});
