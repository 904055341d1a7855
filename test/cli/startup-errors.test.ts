/**
 * Issue 16, defects 7 and 8: every start-up failure of `hookyard serve` is one line
 * `hookyard: <message> (<code>)` on stderr, in a bounded time, and nothing else is printed: an
 * unusable SQLite path, an app module that throws, a port in use. Everything wrong with a command
 * line exits 2, as docs/reference/cli.md says.
 */
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { expectErrorLine, runCli, type Run } from "../support/cli.js";
import { removeTempDirs, tempDir } from "../support/store.js";

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});
// once at the end: the usage-error cases run concurrently, so one case's end must not remove another's cwd
afterAll(removeTempDirs);

/** `hookyard serve` in a fresh directory with a secret and a free port, plus `env`. */
function serve(args: string[], env: Record<string, string> = {}, cwd = tempDir()): Promise<Run> {
  return runCli(["serve", ...args], cwd, { WEBHOOK_SECRET: "s3cret", PORT: "0", HOST: "127.0.0.1", HOOKYARD_STORE: "memory:", ...env });
}

/** Asserts a start-up failure: the one error line, exit 1, and nothing at all on stdout. */
function expectStartFailure(run: Run, code: string, ...mentions: string[]): void {
  expectErrorLine(run, 1, code);
  expect(run.stdout).toBe("");
  for (const m of mentions) expect(run.stderr).toContain(m);
}

describe("start-up failures are one line with a code", () => {
  it("HOOKYARD_STORE=sqlite:/proc/x/y.db fails at once (no busy loop) naming the code and the path", async () => {
    expectStartFailure(await serve([], { HOOKYARD_STORE: "sqlite:/proc/x/y.db" }), "HOOKYARD_ERR_STORE_UNAVAILABLE", "/proc/x/y.db", "ENOENT");
    expectStartFailure(await serve([], { HOOKYARD_STORE: "sqlite:/proc/y.db" }), "HOOKYARD_ERR_STORE_UNAVAILABLE", "/proc/y.db");
    const dir = tempDir();
    writeFileSync(join(dir, "plain-file"), "not a directory");
    const under = join(dir, "plain-file", "sub", "h.db");
    expectStartFailure(await serve([], { HOOKYARD_STORE: `sqlite:${under}` }), "HOOKYARD_ERR_STORE_UNAVAILABLE", under, "ENOTDIR");
  });

  it("an app function that throws: HOOKYARD_ERR_APP_MODULE with the file, the original message and where it was thrown", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "app.mjs"), "export default (app) => {\n  app.on(\"issues\", async () => undefined);\n  undefinedThing.call();\n};\n");
    const run = await serve(["./app.mjs"], {}, cwd);
    expectStartFailure(run, "HOOKYARD_ERR_APP_MODULE", "./app.mjs", "undefinedThing is not defined", `${join(cwd, "app.mjs")}:3:3`);
  });

  it("an app module that does not import: a throw at its top level, a syntax error (with its line)", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "top.mjs"), "throw new Error(\"top-level boom\");\n");
    writeFileSync(join(cwd, "syntax.mjs"), "export default (app) => {\n  let x = = 2;\n};\n");
    expectStartFailure(await serve(["./top.mjs"], {}, cwd), "HOOKYARD_ERR_APP_MODULE", "top-level boom", `${join(cwd, "top.mjs")}:1`);
    expectStartFailure(await serve(["./syntax.mjs"], {}, cwd), "HOOKYARD_ERR_APP_MODULE", "Unexpected token", `${join(cwd, "syntax.mjs")}:2`);
  });

  it("a port in use: HOOKYARD_ERR_HTTP_LISTEN_FAILED with the port, before anything else (no setup-token line); hookyard setup too", async () => {
    const taken = createServer();
    servers.push(taken);
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    const { port } = taken.address() as { port: number };
    const run = await serve([], { PORT: String(port), HOOKYARD_STORE: `sqlite:${join(tempDir(), "h.db")}` });
    expectStartFailure(run, "HOOKYARD_ERR_HTTP_LISTEN_FAILED", `127.0.0.1:${port}`, "EADDRINUSE");
    // `hookyard setup` listens too
    expectStartFailure(await runCli(["setup", "--port", String(port)], tempDir()), "HOOKYARD_ERR_HTTP_LISTEN_FAILED", `127.0.0.1:${port}`);
  });

  it("settings from the environment that are wrong: exit 1 with their code", async () => {
    expectStartFailure(await serve([], { WEBHOOK_SECRET: "" }), "HOOKYARD_ERR_CONFIG_NO_SECRET");
    expectStartFailure(await serve([], { HOOKYARD_STORE: "mysql://db/x" }), "HOOKYARD_ERR_STORE_INVALID_URL");
    expectStartFailure(await serve([], { HOOKYARD_SHUTDOWN_TIMEOUT: "soon" }), "HOOKYARD_ERR_CONFIG_INVALID", "HOOKYARD_SHUTDOWN_TIMEOUT");
  });
});

describe.concurrent("usage errors exit 2 on every command", () => {
  it.each([
    ["serve with a port that is not a number", ["serve", "--port", "abc"], "HOOKYARD_ERR_CLI_USAGE"],
    ["serve with a port out of range", ["serve", "--port", "70000"], "HOOKYARD_ERR_CLI_USAGE"],
    ["serve with an unknown role", ["serve", "--role", "boss"], "HOOKYARD_ERR_CLI_USAGE"],
    ["serve with a store URL it does not take", ["serve", "--store", "mysql://db/x"], "HOOKYARD_ERR_STORE_INVALID_URL"],
    ["receive without -e and -p", ["receive", "a.js"], "HOOKYARD_ERR_CLI_USAGE"],
    ["serve with an option of another command", ["serve", "--since", "2h"], "HOOKYARD_ERR_CLI_USAGE"],
    ["send with an id GitHub would not send", ["send", "ping", "--id", "a/b", "--url", "http://127.0.0.1:9/x"], "HOOKYARD_ERR_CLI_USAGE"],
    ["send with a URL that is not one", ["send", "ping", "--url", "not a url"], "HOOKYARD_ERR_CLI_USAGE"],
    ["send with two payloads", ["send", "ping", "push"], "HOOKYARD_ERR_CLI_USAGE"],
    ["send a file that does not exist", ["send", "missing.json", "--url", "http://127.0.0.1:9/x"], "HOOKYARD_ERR_CLI_USAGE"],
    ["tasks with an unknown state", ["tasks", "--state", "bogus"], "HOOKYARD_ERR_CLI_USAGE"],
    ["tasks with an argument", ["tasks", "failed"], "HOOKYARD_ERR_CLI_USAGE"],
    ["tasks with --form", ["tasks", "--form"], "HOOKYARD_ERR_CLI_USAGE"],
    ["retry with two ids", ["retry", "a", "b"], "HOOKYARD_ERR_CLI_USAGE"],
    ["replay with a URL that is not one", ["replay", "a", "--url", "::"], "HOOKYARD_ERR_CLI_USAGE"],
    ["migrate with a store URL it does not take", ["migrate", "--store", "bogus:"], "HOOKYARD_ERR_STORE_INVALID_URL"],
    ["demo with a store URL it does not take", ["demo", "--store", "bogus:"], "HOOKYARD_ERR_STORE_INVALID_URL"],
    ["redeliver with an argument", ["redeliver", "2h"], "HOOKYARD_ERR_CLI_USAGE"],
    ["setup with a port that is not a number", ["setup", "--port", "x"], "HOOKYARD_ERR_CLI_USAGE"],
    ["an option without its value", ["tasks", "--limit"], "HOOKYARD_ERR_CLI_USAGE"],
  ])("%s", async (_what, args, code) => {
    expectErrorLine(await runCli(args, tempDir()), 2, code);
  });
});
