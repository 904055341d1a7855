import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentWorkflow } from "../../agent/index.js";
import { createTestApp } from "../../testing/create-test-app.js";
import { fakeAgent } from "../../testing/fake-agent/index.js";

const REPO = "acme/greeter";

/** The seeded project: a typo in the README, and a greeting CI will find too plain. */
const FILES = {
  "README.md": "# greeter\n\nPrints a friendly greating for every name it is given.\n",
  "src/greet.js": "export const greet = (name) => `Hello, ${name}.`;\n",
  "package.json": '{ "name": "greeter", "version": "1.0.0", "type": "module" }\n',
};

/** The demo agent: real edits derived from the text it is given (see the fake agent's `applyFromTask`). */
const SCRIPT = {
  issue: [
    { print: "reading the issue…" },
    { applyFromTask: true as const },
    { result: { title: "Fix the typo in the README", summary: "Replaced 'greating' by 'greeting' as the issue asks." } },
  ],
  "fix-ci": [
    { print: "reading the failed check's annotations…" },
    { applyFromTask: true as const },
    { result: { title: "Make the greeting cheerful", summary: "Ended the greeting with '!' as the failing check asks." } },
  ],
};

export interface AgentDemoOptions {
  /** Where lines go (default console.log). */
  print?: (line: string) => void;
  /** Stay up after the story (Ctrl-C to stop). */
  keep?: boolean;
}

/**
 * The agent workflow end to end, offline: a fake GitHub with a small project, Hookyard on a SQLite
 * file, a demo agent. Labels an issue, prints each step as it happens (delivery → task → agent
 * output → pull request with its diff → issue comment), then reports a failing check on the pull
 * request and shows the fix commit. Leaves no workspace behind.
 *
 * @example
 * ```ts
 * const summary = await runAgentDemo();
 * ```
 */
export async function runAgentDemo(o: AgentDemoOptions = {}): Promise<{ pulls: number; comments: number; fixSha: string | null; leftovers: number; ms: number }> {
  const print = o.print ?? ((line: string) => console.log(line));
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), "hookyard-demo-"));
  const workRoot = mkdtempSync(join(tmpdir(), "hookyard-demo-work-"));
  const agent = fakeAgent(SCRIPT);
  const t = await createTestApp((app) => {
    agentWorkflow(app, { command: agent.command, reviewDebounce: 0, workRoot, draft: true });
    app.events.on("delivery:accepted", (d) => print(`  ✓ delivery ${d.id.slice(0, 8)} ${d.event}${d.action ? `.${d.action}` : ""} stored → ${d.tasks} task${d.tasks === 1 ? "" : "s"}`));
    app.events.on("agent:progress", (p) => {
      const d = p.detail as Record<string, string | number | boolean | null>;
      switch (p.step) {
        case "triggered": return print(`  ▸ task ${p.task} (${p.mode}) takes it: a durable, retried task`);
        case "workspace": return print(`  ▸ fresh clone of ${p.repo} on ${String(d.branch)}${d.continued ? " (continued)" : ""}`);
        case "agent-started": return print(`  ▸ agent started (${p.mode})`);
        case "agent-output": return print(`    agent │ ${String(d.line)}`);
        case "agent-exited": return print(`  ▸ agent exited with ${String(d.code)} after ${String(d.durationMs)} ms`);
        case "pushed": return print(`  ▸ committed as the App's bot and pushed ${String(d.sha).slice(0, 7)} to ${String(d.branch)}\n${indent(String(d.diffStat))}`);
        case "pr": return print(`  ✓ pull request #${String(d.number)} ${d.created ? "opened" : "updated"}: ${String(d.url)}\n${indent(String(d.diff))}`);
        case "skipped": return print(`  · ${p.mode}: skipped (${String(d.reason)})`);
        default: return undefined;
      }
    });
  }, { repo: REPO, files: FILES, store: `sqlite:${join(dir, "hookyard.db")}`, hookyard: { logLevel: "error" } });
  try {
    print(`Hookyard agent demo — fake GitHub at ${t.fake.url} with ${REPO}; Hookyard at ${t.app.url} on ${t.app.store.description}\n`);
    print(`▶ a maintainer labels issue "Typo in the README" with \`agent\``);
    const { payload } = await t.receive("issues.labeled", {
      label: { name: "agent" },
      issue: { title: "Typo in the README", body: "The README has a typo: 'greating' should be 'greeting'.", labels: [{ name: "agent" }] },
      sender: { login: "maintainer", type: "User" },
    });
    const issue = (payload.issue as { number: number }).number;
    await t.settled();
    const comment = (): string => t.fake.state.comments(REPO, issue).map((c) => c.body ?? "").join("\n");
    print(`  ✓ issue comment: ${firstLine(comment())}\n`);

    const pr = t.fake.state.pulls(REPO)[0];
    if (!pr) throw new Error("the demo opened no pull request");
    print(`▶ CI reports a failing check "test" on ${pr.head.sha.slice(0, 7)}`);
    t.fake.completeCheckRun(REPO, {
      headSha: pr.head.sha, name: "test", conclusion: "failure",
      output: {
        title: "1 test failed", summary: "greet() is not cheerful enough",
        annotations: [{ path: "src/greet.js", start_line: 1, end_line: 1, annotation_level: "failure", message: "expected a cheerful greeting: 'Hello, ${name}.' should be 'Hello, ${name}!'" }],
      },
    });
    await t.settled();
    const after = t.fake.state.pulls(REPO)[0];
    const fixSha = after && after.head.sha !== pr.head.sha ? after.head.sha : null;
    print(`  ✓ fix commit ${fixSha?.slice(0, 7) ?? "(none)"} on pull request #${pr.number}; src/greet.js is now: ${t.fake.state.file(REPO, "src/greet.js", `agent/issue-${issue}`)?.trim()}`);
    print(`  ✓ issue comment: ${firstLine(comment())}\n`);
    const leftovers = readdirSync(workRoot).filter((n) => n.startsWith("hookyard-agent-")).length;
    const summary = { pulls: t.fake.state.pulls(REPO).length, comments: t.fake.state.comments(REPO, issue).length, fixSha, leftovers, ms: Date.now() - started };
    print(`Done in ${(summary.ms / 1000).toFixed(1)} s: ${summary.pulls} pull request, ${summary.comments} issue comment (edited in place), ${leftovers} workspaces left behind.`);
    if (o.keep) {
      print(`\nStill up (--keep): the fake GitHub at ${t.fake.url}, Hookyard at ${t.app.url} (try ${t.app.url}/api/v1/tasks). Ctrl-C stops.`);
      await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
    }
    return summary;
  } finally {
    await t.close();
    agent.remove();
    rmSync(dir, { recursive: true, force: true });
    rmSync(workRoot, { recursive: true, force: true });
  }
}

function indent(text: string): string {
  return text.trimEnd().split("\n").map((l) => `      ${l}`).join("\n");
}

function firstLine(body: string): string {
  const line = body.split("\n").find((l) => l.startsWith("**Hookyard agent**"))?.replace("**Hookyard agent** · ", "") ?? "(none)";
  return line.replace(/\[([^\]]+)\]\([^)]+\)/g, "$1");
}
