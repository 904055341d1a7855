// The deployment requests, kept as store records (durable, compare-and-set): one per workflow run
// and environment, with its approvals. The store survives restarts; nothing here lives in memory.
import { isHookyardError, type ActionsToken, type Backend, type GitHubUser } from "hookyard";

export const KIND = "deploy-request";

export interface Approval {
  id: number;
  login: string;
  at: number;
}

export interface DeployRequest {
  id: string;
  status: "pending" | "approved" | "deployed";
  repository: string;
  repositoryId: number;
  ref: string;
  sha: string;
  environment: string | null;
  runId: string;
  runAttempt: string;
  workflowRef: string | null;
  /** Who started the run: they cannot approve it. */
  requester: { login: string; id: number | null };
  approvals: Approval[];
  required: number;
  requestedAt: number;
  approvedAt: number | null;
  deployedAt: number | null;
}

/** Why an approval was not counted (the routes answer it as `{ error: { code, message } }`). */
export class ApprovalRefused extends Error {
  constructor(readonly code: string, readonly status: number, message: string) {
    super(message);
  }
}

/** One request per run attempt and environment: a workflow that retries its POST gets the same request. */
export function requestId(t: ActionsToken): string {
  const env = (t.environment ?? "none").toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return `${t.run_id}-${t.run_attempt}-${env}`;
}

/** Stores a new request from a verified Actions token, or returns the one already stored for that run. */
export async function createRequest(store: Backend, t: ActionsToken, required: number, now = Date.now()): Promise<{ request: DeployRequest; created: boolean }> {
  const request: DeployRequest = {
    id: requestId(t), status: "pending", repository: t.repository, repositoryId: Number(t.repository_id), ref: t.ref, sha: t.sha,
    environment: t.environment ?? null, runId: t.run_id, runAttempt: t.run_attempt, workflowRef: t.job_workflow_ref ?? t.workflow_ref ?? null,
    requester: { login: t.actor, id: t.actor_id === undefined ? null : Number(t.actor_id) },
    approvals: [], required, requestedAt: now, approvedAt: null, deployedAt: null,
  };
  try {
    await store.putRecord(KIND, request.id, request, 0);
    return { request, created: true };
  } catch (err) {
    if (!isHookyardError(err, "HOOKYARD_ERR_STORE_CONFLICT")) throw err;
    return { request: (await getRequest(store, request.id)) as DeployRequest, created: false };
  }
}

export async function getRequest(store: Backend, id: string): Promise<DeployRequest | null> {
  return ((await store.getRecord(KIND, id))?.value as DeployRequest | undefined) ?? null;
}

/**
 * Reads, changes and writes a request with compare-and-set, again from the top when another
 * approval (in this process or another) wrote first. `change` may throw to refuse.
 */
export async function updateRequest(store: Backend, id: string, change: (r: DeployRequest) => DeployRequest): Promise<DeployRequest> {
  for (;;) {
    const rec = await store.getRecord(KIND, id);
    if (!rec) throw new ApprovalRefused("deploy.not_found", 404, `no deployment request ${id}`);
    const next = change(rec.value as DeployRequest);
    try {
      await store.putRecord(KIND, id, next, rec.version);
      return next;
    } catch (err) {
      if (!isHookyardError(err, "HOOKYARD_ERR_STORE_CONFLICT")) throw err;
    }
  }
}

/** Whether this person started the run (by id; by login only for tokens without `actor_id`). */
export function isRequester(r: DeployRequest, who: { id: number; login: string }): boolean {
  return r.requester.id !== null ? who.id === r.requester.id : who.login.toLowerCase() === r.requester.login.toLowerCase();
}

/** Whether a request has its approvals: enough distinct people, none of them the requester. */
export function hasQuorum(r: DeployRequest): boolean {
  const approvers = new Set(r.approvals.filter((a) => !isRequester(r, a)).map((a) => a.id));
  return approvers.size >= r.required;
}

/**
 * Adds `user`'s approval (the caller checked their team). Refused for the requester, a second
 * approval by the same person, and a request that is no longer pending. Approved once the quorum is met.
 */
export function approve(user: GitHubUser, now = Date.now()) {
  return (r: DeployRequest): DeployRequest => {
    if (r.status !== "pending") throw new ApprovalRefused("deploy.not_pending", 409, `the request is already ${r.status}`);
    if (isRequester(r, user)) throw new ApprovalRefused("deploy.self_approval", 403, "the person who started the run cannot approve its deployment");
    if (r.approvals.some((a) => a.id === user.id)) throw new ApprovalRefused("deploy.already_approved", 409, "you have already approved this request");
    const next: DeployRequest = { ...r, approvals: [...r.approvals, { id: user.id, login: user.login, at: now }] };
    if (hasQuorum(next)) return { ...next, status: "approved", approvedAt: now };
    return next;
  };
}

/** Every request that is approved but not yet deployed (their deployment task may still have to be queued). */
export async function approvedRequests(store: Backend): Promise<DeployRequest[]> {
  const out: DeployRequest[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listRecords(KIND, { limit: 500, ...(cursor ? { cursor } : {}) });
    for (const rec of page.items) if ((rec.value as DeployRequest).status === "approved") out.push(rec.value as DeployRequest);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}
