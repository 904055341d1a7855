import type { AccountRecord } from "./account.js";

/** Records of CI (check runs and suites, Actions runs and jobs), reviews and collaborators. */

export type CheckStatus = "queued" | "in_progress" | "completed" | "waiting" | "requested" | "pending";
export type CheckConclusion = "success" | "failure" | "neutral" | "cancelled" | "skipped" | "timed_out" | "action_required";
export type AnnotationLevel = "notice" | "warning" | "failure";

export interface AnnotationRecord {
  path: string;
  startLine: number;
  endLine: number;
  startColumn: number | null;
  endColumn: number | null;
  level: AnnotationLevel;
  title: string | null;
  message: string;
  rawDetails: string | null;
}

export interface CheckRunRecord {
  id: number;
  name: string;
  headSha: string;
  status: CheckStatus;
  conclusion: CheckConclusion | null;
  startedAt: number | null;
  completedAt: number | null;
  detailsUrl: string | null;
  externalId: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  annotations: AnnotationRecord[];
  appId: number | null;
  checkSuiteId: number;
}

/** A check suite: one per App and head commit (one per run for GitHub Actions); status follows its runs. */
export interface CheckSuiteRecord {
  id: number;
  appId: number;
  headSha: string;
  headBranch: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface WorkflowRunRecord {
  id: number;
  workflowId: number;
  name: string;
  path: string;
  headSha: string;
  headBranch: string | null;
  event: string;
  status: CheckStatus;
  conclusion: CheckConclusion | null;
  checkSuiteId: number;
  runNumber: number;
  actor: AccountRecord;
  createdAt: number;
  updatedAt: number;
}

export interface JobRecord {
  /** Also the id of the job's check run. */
  id: number;
  runId: number;
  name: string;
  log: string;
  /** The secret part of the log download URL the logs route redirects to. */
  logKey: string;
}

/** `PENDING`: created through the API without an `event`, not submitted (no webhook). */
export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "PENDING";

export interface ReviewRecord {
  id: number;
  pullNumber: number;
  user: AccountRecord;
  state: ReviewState;
  body: string;
  commitId: string;
  submittedAt: number;
}

export interface ReviewCommentRecord {
  id: number;
  reviewId: number;
  pullNumber: number;
  path: string;
  line: number;
  /** Position in the file's diff (GitHub's older addressing), when the line is in the diff. */
  position: number | null;
  diffHunk: string;
  body: string;
  user: AccountRecord;
  appId: number | null;
  /** The first comment of the thread, for replies. */
  inReplyTo: number | null;
  commitId: string;
  createdAt: number;
  updatedAt: number;
}

/** What `GET /repos/{o}/{r}/collaborators/{user}/permission` answers. */
export type RepoPermission = "admin" | "write" | "read" | "none";
