import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
    const head = h.fake.state.branch(REPO, branch)!;
    expect(head.author).toMatchObject({ name: `${h.fake.slug}[bot]`, email: expect.stringMatching(new RegExp(`${h.fake.slug}\\[bot\\]@users\\.noreply\\.github\\.com$`)) });
    expect(head.message).toBe("Say tiny in the README\n\nReplaced 'small' by 'tiny'.\n\nRefs #" + issue);
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

  it("feeds failed CI on the pull request's head back to the agent, once per head, ignoring older heads, until the fix attempts are spent", async () => {
    const h = await agentHarness({
      store: storeFor(store),
      options: { fixAttempts: 2 },
      script: { issue: FIX, "fix-ci": [{ applyFromTask: true }, { result: { title: "Fix CI", summary: "Did what the check said." } }] },
    });
    const issue = await h.label();
    await h.settled();
    const first = h.fake.state.pulls(REPO)[0]!;
    const branch = `agent/issue-${issue}`;

    // a failing check run (GitHub also sends check_suite.completed for it): one fix
    h.fake.completeCheckRun(REPO, {
      headSha: first.head.sha, name: "test", conclusion: "failure",
      output: { title: "1 failed", summary: "wording", annotations: [{ path: "README.md", start_line: 3, end_line: 3, annotation_level: "failure", message: "'tiny project' should be 'tiny library'" }] },
    });
    await h.settled();
    const second = h.fake.state.pulls(REPO)[0]!.head.sha;
    expect(second).not.toBe(first.head.sha);
    expect(h.fake.state.file(REPO, "README.md", branch)).toBe("# widgets\n\nA tiny library.\n");
    expect(h.fake.state.branch(REPO, branch)?.message).toMatch(/^Fix CI/);

    // a late failure for the old head is ignored
    h.fake.completeCheckRun(REPO, { headSha: first.head.sha, name: "lint", conclusion: "failure", output: { title: "old", summary: "old" } });
    await h.settled();
    expect(h.fake.state.pulls(REPO)[0]!.head.sha).toBe(second);

    // an Actions run failing on the new head: the job's log reaches the agent
    h.fake.completeWorkflowRun(REPO, { headSha: second, name: "CI", conclusion: "failure", jobs: [{ name: "test", conclusion: "failure", log: "step 1\nAssertionError: 'tiny library' should be 'tiny toolkit'\n" }] });
    await h.settled();
    const third = h.fake.state.pulls(REPO)[0]!.head.sha;
    expect(h.fake.state.file(REPO, "README.md", branch)).toBe("# widgets\n\nA tiny toolkit.\n");

    // spent: a person is asked, once
    h.fake.completeCheckRun(REPO, { headSha: third, name: "test", conclusion: "failure", output: { title: "again", summary: "again" } });
    await h.settled();
    h.fake.completeCheckRun(REPO, { headSha: third, name: "e2e", conclusion: "timed_out", output: { title: "again", summary: "again" } });
    await h.settled();
    expect(h.fake.state.pulls(REPO)[0]!.head.sha).toBe(third);
    const asks = h.fake.state.comments(REPO, first.number).filter((c) => c.body?.includes("A person needs to take it from here"));
    expect(asks).toHaveLength(1);
    expect((await h.workflow.runs.get(REPO, issue))).toMatchObject({ fixAttempts: 2, askedForPerson: true, stage: "pr-open" });
    const fixRuns = h.progress.filter((p) => p.mode === "fix-ci" && p.step === "agent-started");
    expect(fixRuns).toHaveLength(2);
    expect(h.progress.some((p) => p.step === "skipped" && p.detail.reason === "not the pull request's current head")).toBe(true);
  });

  it("answers a review asking for changes with one agent run that sees every comment, and one reply", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hookyard-review-"));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const report = join(dir, "task.json");
    const h = await agentHarness({
      store: storeFor(store),
      script: { issue: FIX, review: [{ report: { path: report } }, { applyFromTask: true }, { result: { title: "Address review", summary: "Done as asked." } }] },
    });
    const issue = await h.label();
    await h.settled();
    const pr = h.fake.state.pulls(REPO)[0]!;
    h.fake.setPermission(REPO, "maintainer", "write");
    // someone without write access asking for changes starts nothing
    await h.fake.addReview(REPO, pr.number, { user: "drive-by", state: "CHANGES_REQUESTED", body: "Please redo all of it." });
    await h.settled();
    expect(h.progress.some((p) => p.mode === "review")).toBe(false);

    await h.fake.addReview(REPO, pr.number, {
      user: "maintainer", state: "CHANGES_REQUESTED", body: "Three things.",
      comments: [
        { path: "README.md", line: 3, body: "'tiny' should be 'small and tidy'" },
        { path: "README.md", line: 1, body: "'# widgets' should be '# Widgets'" },
        { path: "README.md", line: 3, body: "And keep the full stop." },
      ],
    });
    await h.settled();
    expect(h.progress.filter((p) => p.mode === "review" && p.step === "agent-started")).toHaveLength(1);
    const seen = JSON.parse(readFileSync(report, "utf8")) as { task: { mode: string; review: { threads: unknown[]; reviews: { author: string }[] } } };
    expect(seen.task.mode).toBe("review");
    expect(seen.task.review.threads).toHaveLength(3);
    expect(seen.task.review.reviews.map((r) => r.author)).toContain("maintainer");
    expect(h.fake.state.file(REPO, "README.md", `agent/issue-${issue}`)).toBe("# Widgets\n\nA small and tidy project.\n");
    const replies = h.fake.state.comments(REPO, pr.number).filter((c) => c.body?.includes("to address the review"));
    expect(replies).toHaveLength(1);
  });
});
