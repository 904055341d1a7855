import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseAgentReport } from "../../src/testing/index.js";
import { agentHarness, closeHarnesses } from "./support.js";

const REPO = "acme/widgets";
const cwd = process.cwd();
const dirs: string[] = [];
afterEach(async () => {
  await closeHarnesses();
  process.chdir(cwd);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("the agent under bubblewrap (HOOKYARD_AGENT_SANDBOX=bwrap)", () => {
  it("cannot read the server's .env, private key or store, nor write outside its workspace and /tmp, and still opens its pull request", async () => {
    // a server directory outside /tmp (the sandbox's /tmp is private anyway), as a deployment has
    const server = mkdtempSync("/var/tmp/hookyard-server-");
    const outside = mkdtempSync("/var/tmp/hookyard-outside-");
    dirs.push(server, outside);
    mkdirSync(join(server, "keys"));
    mkdirSync(join(server, "data"));
    writeFileSync(join(server, ".env"), "WEBHOOK_SECRET=sandbox-test-secret\n");
    const paths = { env: join(server, ".env"), key: join(server, "keys", "app.pem"), store: join(server, "data", "h.db") };
    process.chdir(server);
    const h = await agentHarness({
      agentParent: outside,
      store: `sqlite:${paths.store}`,
      options: { sandbox: "bwrap", network: false },
      hookyard: { privateKeyPath: paths.key },
      script: [
        { report: { read: [paths.env, paths.key, paths.store, `${paths.store}-wal`], write: [join(server, "planted"), join(outside, "planted"), "/etc/hookyard-planted", "/tmp/scratch", "inside.txt"] } },
        { delete: ["inside.txt"] },
        { write: { "fix.txt": "fixed in the sandbox\n" } },
        { result: { title: "Sandboxed fix" } },
      ],
    });
    writeFileSync(paths.key, h.fake.privateKey);
    const issue = await h.label();
    await h.settled();

    const report = h.progress.map((p) => (p.step === "agent-output" ? parseAgentReport(String(p.detail.line)) : null)).find((r) => r !== null) as
      { reads: Record<string, string>; writes: Record<string, string>; proc: { cmdlines: string[] } } | undefined;
    expect(report).toBeDefined();
    for (const p of Object.values(paths)) expect(report!.reads[p], p).toMatch(/^error /);
    expect(report!.reads[`${paths.store}-wal`]).toMatch(/^error /);
    expect(report!.writes["/etc/hookyard-planted"]).toMatch(/^error (EROFS|EACCES)/);
    expect(report!.writes[join(outside, "planted")]).toMatch(/^error (EROFS|EACCES)/);
    expect(report!.writes["/tmp/scratch"]).toBe("wrote");
    expect(report!.writes["inside.txt"]).toBe("wrote");
    expect(existsSync(join(server, "planted"))).toBe(false); // at most a private tmpfs inside
    expect(existsSync(join(outside, "planted"))).toBe(false);
    expect(report!.proc.cmdlines.some((c) => c.includes("vitest"))).toBe(false); // the server's processes are not in its /proc

    const [pr] = h.fake.state.pulls(REPO);
    expect(pr?.title).toBe("Sandboxed fix");
    expect(h.fake.state.file(REPO, "fix.txt", `agent/issue-${issue}`)).toBe("fixed in the sandbox\n");
  });
});
