import { afterEach, describe, expect, it } from "vitest";
import { agentHarness, closeHarnesses } from "./support.js";

const REPO = "acme/widgets";
afterEach(closeHarnesses);
const FIX = [{ applyFromTask: true as const }, { result: { title: "Say tiny" } }];

describe("what starts an agent run", () => {
  it("a `/agent <text>` issue comment from a writer (checked through the API), with its text as the instruction; not from others", async () => {
    const h = await agentHarness({ script: FIX });
    const issue = h.fake.addIssue(REPO, { title: "Wording", body: "Improve the README wording." }).number;
    h.fake.addComment(REPO, issue, { user: "drive-by", body: "/agent 'small' should be 'huge'" });
    await h.settled();
    expect(h.progress.filter((p) => p.issue === issue)).toEqual([]);
    h.fake.setPermission(REPO, "maintainer", "write");
    h.fake.addComment(REPO, issue, { user: "maintainer", body: "/agent 'small' should be 'tiny'" });
    await h.settled();
    expect(h.fake.state.file(REPO, "README.md", `agent/issue-${issue}`)).toBe("# widgets\n\nA tiny project.\n");
    expect(h.fake.state.pulls(REPO)).toHaveLength(1);
    expect(h.fake.requests.some((r) => r.path.endsWith("/collaborators/maintainer/permission"))).toBe(true);
  });

  it("the repository's .github/hookyard.yml: its own label, and enabled: false", async () => {
    const h = await agentHarness({ script: FIX, files: { "README.md": "# widgets\n\nA small project.\n", ".github/hookyard.yml": "agent:\n  label: robot\n  draft: false\n" } });
    const ignored = await h.label();
    await h.settled();
    expect(h.steps(ignored)).toEqual([]);
    const issue = await h.label(undefined, { label: { name: "robot" } });
    await h.settled();
    expect(h.fake.state.pulls(REPO)).toMatchObject([{ draft: false, head: { ref: `agent/issue-${issue}` } }]);
    h.fake.setFile(REPO, ".github/hookyard.yml", "agent:\n  enabled: false\n");
    await h.fake.idle(); // the push drops the cached config
    const off = await h.label(undefined, { label: { name: "robot" } });
    await h.settled();
    expect(h.steps(off)).toEqual([]);
  });

  it("stops at the repository's daily run limit and says so on the issue", async () => {
    const h = await agentHarness({ script: FIX, options: { maxRunsPerDay: 1 } });
    await h.label();
    await h.settled();
    const second = await h.label({ title: "Another" });
    await h.settled();
    expect(h.fake.state.pulls(REPO)).toHaveLength(1);
    expect(h.fake.state.comments(REPO, second)[0]?.body).toContain("used its 1 agent runs for today");
    expect(h.steps(second)).toEqual([]);
  });

  it("deliveries the agent would ignore store no agent task (its `when`); an `/agent` comment does", async () => {
    const h = await agentHarness({ script: FIX });
    const agentTasks = async (delivery: string) => (await h.app.store.listTasks({ deliveryId: delivery })).items.map((t) => t.name).filter((n) => n.startsWith("agent:"));
    const plain = await h.receive("issue_comment.created", { comment: { body: "Thanks, looks good", user: { login: "maintainer", type: "User" } } });
    const green = await h.receive("check_suite.completed", { check_suite: { conclusion: "success", head_branch: "main" } });
    const red = await h.receive("check_suite.completed", { check_suite: { conclusion: "failure", head_branch: "feature/x" } });
    const command = await h.receive("issue_comment.created", { comment: { body: "/agent please", user: { login: "drive-by", type: "User" } } });
    await h.settled();
    for (const d of [plain, green, red]) {
      expect(await h.app.store.getDelivery(d.id)).not.toBeNull();
      expect(await agentTasks(d.id)).toEqual([]);
    }
    expect(await agentTasks(command.id)).toEqual(["agent:comment"]);
  });
});
