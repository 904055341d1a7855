import { isoSeconds } from "../clock.js";
import { nodeId } from "../ids.js";
import type { AccountRecord, CheckRunRecord, CommitRecord, IssueRecord, JobRecord, RepoRecord, WorkflowRunRecord } from "../state.js";
import { repository, simpleUser } from "./accounts.js";
import { pullRequestsMinimal, simpleCommit } from "./checks.js";
import { repoApi, repoHtml, type Schemas, type Urls } from "./urls.js";

/** A workflow as `workflow_run` webhooks carry it. */
export function workflow(u: Urls, r: RepoRecord, run: WorkflowRunRecord): Schemas["workflow"] {
  return {
    id: run.workflowId,
    node_id: nodeId("Workflow", run.workflowId),
    name: run.name,
    path: run.path,
    state: "active",
    created_at: isoSeconds(r.createdAt),
    updated_at: isoSeconds(r.createdAt),
    url: `${repoApi(u, r)}/actions/workflows/${run.workflowId}`,
    html_url: `${repoHtml(u, r)}/blob/${r.defaultBranch}/${run.path}`,
    badge_url: `${repoHtml(u, r)}/workflows/${encodeURIComponent(run.name)}/badge.svg`,
  };
}

/** A workflow run as `workflow-run`. */
export function workflowRun(u: Urls, r: RepoRecord, run: WorkflowRunRecord, head: CommitRecord | undefined, pulls: IssueRecord[], actor: AccountRecord): Schemas["workflow-run"] {
  const api = `${repoApi(u, r)}/actions/runs/${run.id}`;
  const repo = { ...repository(u, r), license: null };
  return {
    id: run.id,
    name: run.name,
    node_id: nodeId("WorkflowRun", run.id),
    check_suite_id: run.checkSuiteId,
    check_suite_node_id: nodeId("CheckSuite", run.checkSuiteId),
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path: run.path,
    run_number: run.runNumber,
    run_attempt: 1,
    event: run.event,
    display_title: head?.message.split("\n")[0] ?? run.name,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: run.workflowId,
    url: api,
    html_url: `${repoHtml(u, r)}/actions/runs/${run.id}`,
    pull_requests: pullRequestsMinimal(u, r, pulls),
    created_at: isoSeconds(run.createdAt),
    updated_at: isoSeconds(run.updatedAt),
    actor: simpleUser(u, actor),
    triggering_actor: simpleUser(u, actor),
    run_started_at: isoSeconds(run.createdAt),
    jobs_url: `${api}/jobs`,
    logs_url: `${api}/logs`,
    check_suite_url: `${repoApi(u, r)}/check-suites/${run.checkSuiteId}`,
    artifacts_url: `${api}/artifacts`,
    cancel_url: `${api}/cancel`,
    rerun_url: `${api}/rerun`,
    previous_attempt_url: null,
    workflow_url: `${repoApi(u, r)}/actions/workflows/${run.workflowId}`,
    head_commit: head ? simpleCommit(head) : null,
    repository: repo,
    head_repository: repo,
  };
}

/** An Actions job (whose check run is `check`) as `job`. */
export function job(u: Urls, r: RepoRecord, j: JobRecord, check: CheckRunRecord, run: WorkflowRunRecord): Schemas["job"] {
  const started = isoSeconds(check.startedAt ?? run.createdAt);
  const completed = check.completedAt === null ? null : isoSeconds(check.completedAt);
  return {
    id: j.id,
    run_id: run.id,
    run_url: `${repoApi(u, r)}/actions/runs/${run.id}`,
    run_attempt: 1,
    node_id: nodeId("CheckRun", j.id),
    head_sha: run.headSha,
    url: `${repoApi(u, r)}/actions/jobs/${j.id}`,
    html_url: `${repoHtml(u, r)}/actions/runs/${run.id}/job/${j.id}`,
    status: check.status,
    conclusion: check.conclusion,
    created_at: isoSeconds(run.createdAt),
    started_at: started,
    completed_at: completed,
    name: j.name,
    steps: [{ name: "Run", status: check.status === "completed" ? "completed" : "in_progress", conclusion: check.conclusion, number: 1, started_at: started, completed_at: completed }],
    check_run_url: `${repoApi(u, r)}/check-runs/${j.id}`,
    labels: ["ubuntu-latest"],
    runner_id: 1,
    runner_name: "GitHub Actions 1",
    runner_group_id: 2,
    runner_group_name: "GitHub Actions",
    workflow_name: run.name,
    head_branch: run.headBranch,
  };
}
