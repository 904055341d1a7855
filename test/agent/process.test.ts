import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { running } from "../support/proc.js";
import { runAgent } from "../../src/agent/process/agent.js";
import { bwrapArgs, findBwrap, serverPaths } from "../../src/agent/process/sandbox.js";
import { readResult } from "../../src/agent/task/result.js";

const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), "hookyard-agent-test-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});


const silent = pino({ level: "silent" });
const node = (code: string) => [process.execPath, "-e", code];

describe("runAgent", () => {
  it("runs without a shell, stdin closed, and hands every output line on", async () => {
    const lines: string[] = [];
    const exit = await runAgent({
      argv: node("process.stdin.on('data', () => console.log('got stdin')); process.stdin.on('end', () => { console.log('stdin closed'); console.error('to stderr'); })"),
      cwd: temp(), env: { PATH: process.env.PATH ?? "" }, timeoutMs: 60_000, signal: new AbortController().signal, log: silent, onLine: (l) => lines.push(l),
    });
    expect(exit).toMatchObject({ code: 0, timedOut: false, aborted: false });
    expect(lines.sort()).toEqual(["stdin closed", "to stderr"]);
  });

  it("kills the whole process group on timeout, grandchildren included", async () => {
    const dir = temp();
    const pidFile = join(dir, "child.pid");
    const code = `const { spawn } = require("node:child_process"); const c = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" }); require("node:fs").writeFileSync(${JSON.stringify(pidFile)}, String(c.pid)); process.on("SIGTERM", () => {}); setInterval(() => {}, 1000);`;
    const exit = await runAgent({ argv: node(code), cwd: dir, env: { PATH: process.env.PATH ?? "" }, timeoutMs: 500, killGraceMs: 200, signal: new AbortController().signal, log: silent });
    expect(exit.timedOut).toBe(true);
    expect(exit.signal).toBe("SIGKILL"); // it ignored SIGTERM
    expect(running(Number(readFileSync(pidFile, "utf8")))).toBe(false);
  });

  it("stops when the task's signal aborts", async () => {
    const ac = new AbortController();
    const lines: string[] = [];
    const run = runAgent({ argv: node("console.log('started'); setInterval(() => {}, 1000)"), cwd: temp(), env: { PATH: process.env.PATH ?? "" }, timeoutMs: 60_000, signal: ac.signal, log: silent, onLine: (l) => {
      lines.push(l);
      ac.abort();
    } });
    const exit = await run;
    expect(exit).toMatchObject({ aborted: true, timedOut: false, signal: "SIGTERM" });
    expect(lines).toEqual(["started"]);
  });

  it("does not wait for a grandchild holding the pipes after the agent exits", async () => {
    const dir = temp();
    const pidFile = join(dir, "child.pid");
    const code = `const { spawn } = require("node:child_process"); const c = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "inherit" }); c.unref(); require("node:fs").writeFileSync(${JSON.stringify(pidFile)}, String(c.pid));`;
    const exit = await runAgent({ argv: node(code), cwd: dir, env: { PATH: process.env.PATH ?? "" }, timeoutMs: 60_000, signal: new AbortController().signal, log: silent });
    expect(exit.code).toBe(0);
    expect(running(Number(readFileSync(pidFile, "utf8")))).toBe(false);
  });
});

describe("result file", () => {
  it("reads title, summary, body and cost", async () => {
    const f = join(temp(), "result.json");
    writeFileSync(f, JSON.stringify({ title: "Fix", summary: "Did it", body: "Long", cost: 0.12 }));
    expect(await readResult(f)).toEqual({ result: { title: "Fix", summary: "Did it", body: "Long", cost: 0.12 }, problem: null });
  });
  it("is optional, and a bad one is ignored with a reason", async () => {
    const d = temp();
    expect(await readResult(join(d, "none.json"))).toEqual({ result: {}, problem: null });
    writeFileSync(join(d, "bad.json"), "{not json");
    expect((await readResult(join(d, "bad.json"))).problem).toMatch(/not JSON/);
    writeFileSync(join(d, "wrong.json"), JSON.stringify({ title: 5 }));
    expect((await readResult(join(d, "wrong.json"))).problem).toMatch(/does not match/);
  });
  it("never follows a symlink (an agent cannot make Hookyard read another file)", async () => {
    const d = temp();
    symlinkSync("/etc/passwd", join(d, "result.json"));
    expect(await readResult(join(d, "result.json"))).toEqual({ result: {}, problem: "the result file is a symbolic link" });
  });
});

describe("bubblewrap sandbox", () => {
  it("masks the server's directory and files, keeps the workspace writable, and hides the server's processes", async () => {
    const server = temp();
    writeFileSync(join(server, ".env"), "WEBHOOK_SECRET=top-secret\n");
    writeFileSync(join(server, "key.pem"), "-----BEGIN PRIVATE KEY-----\n");
    const ws = temp();
    const outside = mkdtempSync("/var/tmp/hookyard-outside-");
    dirs.push(outside);
    const masked = serverPaths({ cwd: server, privateKeyPath: "key.pem", store: "sqlite:data/h.db" });
    const args = bwrapArgs({ writable: [ws], masked, network: false, cwd: ws });
    const probe = `const fs = require("node:fs"); const r = (p) => { try { return fs.readFileSync(p, "utf8"); } catch (e) { return e.code; } }; const w = (p) => { try { fs.writeFileSync(p, "x"); return "wrote"; } catch (e) { return e.code; } };
      console.log(JSON.stringify({ env: r(${JSON.stringify(join(server, ".env"))}), key: r(${JSON.stringify(join(server, "key.pem"))}), ws: w("inside.txt"), tmp: w("/tmp/x"), outside: w(${JSON.stringify(join(outside, "y"))}), etc: w("/etc/hookyard-pwned"), parent: r("/proc/" + process.ppid + "/environ"), pids: fs.readdirSync("/proc").filter((n) => /^\\d+$/.test(n)).length }));`;
    const lines: string[] = [];
    const exit = await runAgent({ argv: [findBwrap(), ...args, "--", process.execPath, "-e", probe], cwd: ws, env: { PATH: process.env.PATH ?? "", SERVER_MARK: "m" }, timeoutMs: 60_000, signal: new AbortController().signal, log: silent, onLine: (l) => lines.push(l) });
    expect(exit.code, lines.join("\n")).toBe(0);
    const seen = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(seen.env).not.toContain("top-secret");
    expect(seen.key).not.toContain("PRIVATE KEY");
    expect(seen).toMatchObject({ ws: "wrote", tmp: "wrote", outside: "EROFS", etc: "EROFS" });
    expect(seen.pids).toBeLessThanOrEqual(3); // its own PID namespace: bwrap's init and the agent
    expect(existsSync(join(ws, "inside.txt"))).toBe(true);
    expect(existsSync("/etc/hookyard-pwned")).toBe(false);
  });
});
