import { isoSeconds } from "../clock.js";
import { nodeId } from "../ids.js";
import type { AnnotationRecord, AppRecord, CheckRunRecord, CheckStatus, CheckConclusion, CheckSuiteRecord, CommitRecord, IssueRecord, RepoRecord } from "../state.js";
import { integration, repository } from "./accounts.js";
import { repoApi, type Schemas, type Urls } from "./urls.js";

/** Open pull requests as `pull-request-minimal` (what check runs, suites and workflow runs list). */
export function pullRequestsMinimal(u: Urls, r: RepoRecord, pulls: IssueRecord[]): Schemas["pull-request-minimal"][] {
  const repoRef = { id: r.id, url: repoApi(u, r), name: r.name };
  return pulls.flatMap((i) =>
    i.pull
      ? [{
          id: i.pull.id,
          number: i.number,
          url: `${repoApi(u, r)}/pulls/${i.number}`,
          head: { ref: i.pull.headRef, sha: i.pull.headSha, repo: repoRef },
          base: { ref: i.pull.baseRef, sha: r.git.refs.get(`refs/heads/${i.pull.baseRef}`) ?? i.pull.baseSha, repo: repoRef },
        }]
      : [],
  );
}

/** A commit as `simple-commit` (a check suite's or workflow run's `head_commit`). */
export function simpleCommit(c: CommitRecord): Schemas["simple-commit"] {
  return {
    id: c.sha,
    tree_id: c.treeSha,
    message: c.message,
    timestamp: isoSeconds(c.committer.date),
    author: { name: c.author.name, email: c.author.email },
    committer: { name: c.committer.name, email: c.committer.email },
  };
}

/** A check run as `check-run`; `pulls` are the open pull requests whose head is the run's sha. */
export function checkRun(u: Urls, r: RepoRecord, c: CheckRunRecord, app: AppRecord | undefined, pulls: IssueRecord[]): Schemas["check-run"] {
  const api = `${repoApi(u, r)}/check-runs/${c.id}`;
  return {
    id: c.id,
    head_sha: c.headSha,
    node_id: nodeId("CheckRun", c.id),
    external_id: c.externalId ?? "",
    url: api,
    html_url: `${u.html}/${r.owner.login}/${r.name}/runs/${c.id}`,
    details_url: c.detailsUrl ?? (app ? `${u.html}/apps/${app.slug}` : null),
    status: c.status,
    conclusion: c.conclusion,
    started_at: c.startedAt === null ? null : isoSeconds(c.startedAt),
    completed_at: c.completedAt === null ? null : isoSeconds(c.completedAt),
    output: { ...c.output, annotations_count: c.annotations.length, annotations_url: `${api}/annotations` },
    name: c.name,
    check_suite: { id: c.checkSuiteId },
    app: app ? integration(u, app) : null,
    pull_requests: pullRequestsMinimal(u, r, pulls),
  };
}

/** An annotation as `check-annotation`. */
export function annotation(u: Urls, r: RepoRecord, run: CheckRunRecord, a: AnnotationRecord): Schemas["check-annotation"] {
  return {
    path: a.path,
    start_line: a.startLine,
    end_line: a.endLine,
    start_column: a.startColumn,
    end_column: a.endColumn,
    annotation_level: a.level,
    title: a.title,
    message: a.message,
    raw_details: a.rawDetails,
    blob_href: `${u.html}/${r.owner.login}/${r.name}/blob/${run.headSha}/${a.path}`,
  };
}

/** What a check suite is made of when it is shown. */
export interface SuiteView {
  suite: CheckSuiteRecord;
  app: AppRecord | undefined;
  status: CheckStatus;
  conclusion: CheckConclusion | null;
  runs: number;
  pulls: IssueRecord[];
  headCommit: CommitRecord | undefined;
}

/** A check suite as `check-suite`. */
export function checkSuite(u: Urls, r: RepoRecord, v: SuiteView): Schemas["check-suite"] {
  const api = `${repoApi(u, r)}/check-suites/${v.suite.id}`;
  const parent = v.headCommit?.parents[0] ?? null;
  return {
    id: v.suite.id,
    node_id: nodeId("CheckSuite", v.suite.id),
    head_branch: v.suite.headBranch,
    head_sha: v.suite.headSha,
    status: v.status,
    conclusion: v.conclusion,
    url: api,
    before: parent,
    after: v.suite.headSha,
    pull_requests: pullRequestsMinimal(u, r, v.pulls),
    app: v.app ? integration(u, v.app) : null,
    repository: { ...repository(u, r), license: null },
    created_at: isoSeconds(v.suite.createdAt),
    updated_at: isoSeconds(v.suite.updatedAt),
    head_commit: v.headCommit ? simpleCommit(v.headCommit) : { id: v.suite.headSha, tree_id: "", message: "", timestamp: isoSeconds(v.suite.createdAt), author: null, committer: null },
    latest_check_runs_count: v.runs,
    check_runs_url: `${api}/check-runs`,
    rerequestable: true,
    runs_rerequestable: true,
  };
}
