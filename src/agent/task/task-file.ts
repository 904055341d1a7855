/** The task an agent gets: `HOOKYARD_TASK_FILE` (JSON) and the same rendered as Markdown (`{prompt}`). */

export type AgentMode = "issue" | "fix-ci" | "review";

export interface TaskComment {
  author: string;
  body: string;
  createdAt: string;
}

export interface TaskAnnotation {
  path: string;
  startLine: number | null;
  endLine: number | null;
  level: string;
  message: string;
  title: string | null;
}

export interface TaskCheckRun {
  name: string;
  conclusion: string | null;
  url: string | null;
  title: string | null;
  summary: string | null;
  text: string | null;
  annotations: TaskAnnotation[];
}

export interface TaskJob {
  name: string;
  conclusion: string | null;
  url: string | null;
  /** The last lines of the job's log. */
  logTail: string;
}

export interface TaskReviewThread {
  path: string | null;
  line: number | null;
  comments: TaskComment[];
}

export interface AgentTask {
  version: 1;
  mode: AgentMode;
  repository: { fullName: string; defaultBranch: string; htmlUrl: string | null };
  branch: string;
  workspace: string;
  resultFile: string;
  issue: { number: number; title: string; body: string; labels: string[]; url: string | null; author: string; comments: TaskComment[] };
  /** Text of the `/agent …` comment that asked for this run, if one did. */
  instruction: string | null;
  pullRequest: { number: number; url: string | null; headSha: string | null } | null;
  ci: { headSha: string; checkRuns: TaskCheckRun[]; jobs: TaskJob[] } | null;
  review: { reviews: { id: number; author: string; state: string; body: string }[]; threads: TaskReviewThread[]; comments: TaskComment[] } | null;
  limits: { timeoutSeconds: number; maxChangedFiles: number; allowWorkflowChanges: boolean };
}

const fence = (text: string): string => {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = "`".repeat(longest + 1);
  return `${f}text\n${text}\n${f}`;
};

function comments(list: TaskComment[]): string {
  return list.map((c) => `**@${c.author}** (${c.createdAt}):\n\n${c.body}\n`).join("\n");
}

/**
 * The task as Markdown, for agents that take a prompt. Untrusted text (titles, bodies, comments,
 * logs) is quoted as it is; it reaches the agent as one argument or a file, never a shell.
 *
 * @example
 * ```ts
 * const prompt = renderPrompt(task);
 * ```
 */
export function renderPrompt(t: AgentTask): string {
  const out: string[] = [];
  const what = t.mode === "issue" ? "Resolve this GitHub issue" : t.mode === "fix-ci" ? "Fix the failing CI checks on the pull request for this issue" : "Address the review of the pull request for this issue";
  out.push(`# ${what}: ${t.repository.fullName}#${t.issue.number}`, "");
  out.push(
    `You are working in a clone of ${t.repository.fullName} on branch \`${t.branch}\` (your working directory). ` +
      "Edit the files to do the task. Do not commit, push or open pull requests: Hookyard commits and pushes what you change when you exit with status 0. " +
      `You may write a JSON summary to ${t.resultFile} ({"title","summary","body"}).`,
    "",
  );
  if (t.instruction) out.push("## Instruction", "", t.instruction, "");
  out.push(`## Issue #${t.issue.number}: ${t.issue.title}`, "", `Opened by @${t.issue.author}${t.issue.labels.length ? `; labels: ${t.issue.labels.join(", ")}` : ""}.`, "", t.issue.body || "(no description)", "");
  if (t.issue.comments.length) out.push("### Comments", "", comments(t.issue.comments));
  if (t.ci) {
    out.push(`## Failing checks on ${t.ci.headSha.slice(0, 7)}`, "");
    for (const c of t.ci.checkRuns) {
      out.push(`### ${c.name}: ${c.conclusion ?? "unknown"}`, "");
      if (c.title) out.push(`**${c.title}**`, "");
      if (c.summary) out.push(c.summary, "");
      if (c.text) out.push(fence(c.text), "");
      for (const a of c.annotations) out.push(`- ${a.path}${a.startLine ? `:${a.startLine}` : ""} (${a.level}): ${a.title ? `${a.title}: ` : ""}${a.message}`);
      if (c.annotations.length) out.push("");
    }
    for (const j of t.ci.jobs) out.push(`### Job ${j.name}: ${j.conclusion ?? "unknown"}`, "", fence(j.logTail), "");
  }
  if (t.review) {
    out.push("## Review", "");
    for (const r of t.review.reviews) out.push(`**@${r.author}** ${r.state.toLowerCase().replace("_", " ")}:`, "", r.body || "(no summary)", "");
    for (const th of t.review.threads) out.push(`### ${th.path ?? "conversation"}${th.line ? `:${th.line}` : ""}`, "", comments(th.comments));
    if (t.review.comments.length) out.push("### Pull request conversation", "", comments(t.review.comments));
  }
  out.push("## Limits", "", `- at most ${t.limits.maxChangedFiles} changed files${t.limits.allowWorkflowChanges ? "" : "; changes under .github/workflows/ are refused"}`, `- ${Math.round(t.limits.timeoutSeconds / 60)} minutes`, "");
  return out.join("\n");
}

/** Linux refuses a single argument over 128 KiB; `{prompt}` is cut to fit (the file has it all). */
export const MAX_PROMPT_ARG = 120 * 1024;

/**
 * Replaces `{prompt}`, `{prompt_file}` and `{task_file}` in each argv element (one element each,
 * never split or passed through a shell).
 *
 * @example
 * ```ts
 * fillPlaceholders(["aider", "--message-file", "{prompt_file}"], { prompt, promptFile, taskFile });
 * ```
 */
export function fillPlaceholders(argv: readonly string[], v: { prompt: string; promptFile: string; taskFile: string }): string[] {
  let prompt = v.prompt;
  if (Buffer.byteLength(prompt) > MAX_PROMPT_ARG) {
    prompt = `${Buffer.from(prompt).subarray(0, MAX_PROMPT_ARG).toString("utf8").replace(/\uFFFD+$/, "")}\n\n(cut to fit one argument; the whole task is in ${v.promptFile})`;
  }
  return argv.map((a) => a.replaceAll("{prompt_file}", v.promptFile).replaceAll("{task_file}", v.taskFile).replaceAll("{prompt}", prompt));
}
