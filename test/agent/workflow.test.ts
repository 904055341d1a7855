import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { agentHarness, closeHarnesses, STORES } from "./support.js";

const REPO = "acme/widgets";
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await closeHarnesses();
  for (const c of cleanups.splice(0)) await c();
});

function storeFor(s: (typeof STORES)[number]): string {
  const { url, cleanup } = s.url();
  cleanups.push(cleanup);
  return url;
}

const FIX = [{ applyFromTask: true as const }, { result: { title: "Say tiny in the README", summary: "Replaced 'small' by 'tiny'.", cost: 0.25 } }];

describe.each(STORES)("agent workflow on $name", (store) => {
  it("turns a labelled issue into a draft pull request written by the agent, with one edited comment and a check run", async () => {
    const h = await agentHarness({ script: FIX, store: storeFor(store) });
    const issue = await h.label();
    await h.settled();

    const branch = `agent/issue-${issue}`;
    expect(h.fake.state.file(REPO, "README.md", branch)).toBe("# widgets\n\nA tiny project.\n");
    expect(h.fake.state.file(REPO, "README.md")).toBe("# widgets\n\nA small project.\n"); // main untouched
    const pulls = h.fake.state.pulls(REPO);
    expect(pulls).toHaveLength(1);
    const pr = pulls[0]!;
    expect(pr).toMatchObject({ title: "Say tiny in the README", draft: true, head: { ref: branch }, base: { ref: "main" } });
    expect(pr.body).toContain(`Closes #${issue}`);
    expect(pr.body).toContain("Replaced 'small' by 'tiny'.");
    expect(pr.head.sha).toBe(h.fake.state.ref(REPO, branch));

    const comments = h.fake.state.comments(REPO, issue);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(`<!-- hookyard:agent status ${REPO}#${issue} -->`);
    expect(comments[0]!.body).toContain(`Pull request [#${pr.number}]`);
    expect(comments[0]!.user?.type).toBe("Bot");

    const checks = h.fake.state.checkRuns(REPO).filter((c) => c.name === "hookyard/agent");
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ head_sha: pr.head.sha, status: "completed", conclusion: "success" });

    const run = await h.workflow.runs.get(REPO, issue);
    expect(run).toMatchObject({ stage: "pr-open", prNumber: pr.number, headSha: pr.head.sha, branch, costUsd: 0.25, commentId: comments[0]!.id });
    expect(h.steps(issue)).toEqual(["triggered", "workspace", "agent-started", "agent-exited", "pushed", "pr"]);
    expect(h.leftovers()).toEqual([]);
  });

  it("reports an agent that changed nothing, and pushes nothing", async () => {
    const h = await agentHarness({ script: [{ print: "nothing to do" }], store: storeFor(store) });
    const issue = await h.label();
    await h.settled();
    expect(h.fake.state.ref(REPO, `agent/issue-${issue}`)).toBeUndefined();
    expect(h.fake.state.pulls(REPO)).toEqual([]);
    const [comment] = h.fake.state.comments(REPO, issue);
    expect(comment?.body).toContain("finished without changing anything");
    expect((await h.workflow.runs.get(REPO, issue))?.stage).toBe("no-changes");
  });

  it("gives duplicate label events and a label during a run one run, and notes the second on the comment", async () => {
    const gate = mkdtempSync(join(tmpdir(), "hookyard-gate-"));
    cleanups.push(async () => rmSync(gate, { recursive: true, force: true }));
    const go = join(gate, "go");
    const h = await agentHarness({ script: [{ waitForFile: go }, ...FIX], store: storeFor(store) });
    const started = h.app.events.once("agent:progress", (p) => p.step === "agent-started");
    const issue = await h.label();
    await started;
    // the same label again, as a new delivery, while the agent works
    const again = h.app.events.once("agent:progress", (p) => p.step === "noted");
    await h.label(undefined, { issue: { number: issue, title: "Fix the README", labels: [{ name: "agent" }] } });
    await again;
    writeFileSync(go, "");
    await h.settled();
    // and once more after the pull request is open
    await h.label(undefined, { issue: { number: issue, title: "Fix the README", labels: [{ name: "agent" }] } });
    await h.settled();

    expect(h.fake.state.pulls(REPO)).toHaveLength(1);
    const comments = h.fake.state.comments(REPO, issue);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("a run is already in progress, so nothing new was started");
    expect(comments[0]!.body).toContain("is already open for it");
    expect(h.steps(issue).filter((s) => s === "agent-started")).toHaveLength(1);
  });
});
