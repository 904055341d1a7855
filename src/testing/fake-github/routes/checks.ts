import type { FastifyInstance } from "fastify";
import { actorOf, repoFor, requirePermission } from "../access.js";
import { bodyOf, optString, reqString } from "../body.js";
import { checkRunChanged, showCheckRun, suiteFor } from "../checks-ops.js";
import type { AuthInfo, FakeContext } from "../context.js";
import { GitHubApiError, missingField, notAccessible, notFound } from "../errors.js";
import { resolveRef } from "../git.js";
import { guard } from "../guards.js";
import type { AnnotationLevel, AnnotationRecord, CheckConclusion, CheckRunRecord, CheckStatus } from "../state.js";

const DOC_CREATE = "https://docs.github.com/rest/checks/runs#create-a-check-run";
const DOC_UPDATE = "https://docs.github.com/rest/checks/runs#update-a-check-run";
const DOC_GET = "https://docs.github.com/rest/checks/runs#get-a-check-run";

const STATUSES: readonly CheckStatus[] = ["queued", "in_progress", "completed", "waiting", "requested", "pending"];
const CONCLUSIONS: readonly CheckConclusion[] = ["success", "failure", "neutral", "cancelled", "skipped", "timed_out", "action_required"];
const LEVELS: readonly AnnotationLevel[] = ["notice", "warning", "failure"];

function enumField<T extends string>(body: Record<string, unknown>, key: string, allowed: readonly T[], doc: string): T | undefined {
  const v = optString(body, key, doc);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new GitHubApiError(422, `Invalid request.\n\nFor 'properties/${key}', "${v}" is not one of ${JSON.stringify(allowed)}.`, { documentationUrl: doc });
  }
  return v as T;
}

function reqEnum<T extends string>(body: Record<string, unknown>, key: string, allowed: readonly T[], doc: string): T {
  const v = enumField(body, key, allowed, doc);
  if (v === undefined) throw missingField(key, doc);
  return v;
}

function timeField(body: Record<string, unknown>, key: string, doc: string): number | undefined {
  const v = optString(body, key, doc);
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new GitHubApiError(422, `Invalid request.\n\nFor '${key}', "${v}" is not a date-time.`, { documentationUrl: doc });
  return t;
}

/** `output.annotations` of a create or update body (GitHub appends them to the run's). */
function annotationsOf(raw: unknown, doc: string): AnnotationRecord[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new GitHubApiError(422, "Invalid request.\n\nFor 'annotations', it is not an array.", { documentationUrl: doc });
  return raw.map((item: unknown) => {
    const a = (typeof item === "object" && item !== null ? item : {}) as Record<string, unknown>;
    const line = (k: string) => {
      if (typeof a[k] !== "number") throw missingField(k, doc);
      return a[k];
    };
    const column = (k: string) => (typeof a[k] === "number" ? a[k] : null);
    return {
      path: reqString(a, "path", doc),
      startLine: line("start_line"),
      endLine: line("end_line"),
      startColumn: column("start_column"),
      endColumn: column("end_column"),
      level: reqEnum(a, "annotation_level", LEVELS, doc),
      title: optString(a, "title", doc) ?? null,
      message: reqString(a, "message", doc),
      rawDetails: optString(a, "raw_details", doc) ?? null,
    };
  });
}

/** Applies the writable fields of a create or update body to `run`. */
function apply(ctx: FakeContext, run: CheckRunRecord, body: Record<string, unknown>, doc: string): void {
  const name = optString(body, "name", doc);
  if (name !== undefined) run.name = name;
  const status = enumField(body, "status", STATUSES, doc);
  const conclusion = enumField(body, "conclusion", CONCLUSIONS, doc);
  if (status !== undefined) run.status = status;
  if (conclusion !== undefined) {
    run.conclusion = conclusion;
    run.status = "completed";
  }
  if (run.status === "completed" && run.conclusion === null) {
    throw new GitHubApiError(422, "Invalid request.\n\n\"conclusion\" wasn't supplied.", { documentationUrl: doc });
  }
  const details = optString(body, "details_url", doc);
  if (details !== undefined) run.detailsUrl = details;
  const external = optString(body, "external_id", doc);
  if (external !== undefined) run.externalId = external;
  run.startedAt = timeField(body, "started_at", doc) ?? run.startedAt;
  run.completedAt = timeField(body, "completed_at", doc) ?? run.completedAt ?? (run.status === "completed" ? ctx.clock.now() : null);
  const out = body.output;
  if (typeof out === "object" && out !== null) {
    const o = out as Record<string, unknown>;
    run.output = {
      title: typeof o.title === "string" ? o.title : run.output.title,
      summary: typeof o.summary === "string" ? o.summary : run.output.summary,
      text: typeof o.text === "string" ? o.text : run.output.text,
    };
    run.annotations.push(...annotationsOf(o.annotations, doc));
  }
}

function onlyInstallations(auth: AuthInfo, doc: string): number {
  if (auth.kind !== "installation") throw notAccessible(doc);
  return auth.app.id;
}

/** Check runs: create, update, get (installation tokens only, as on GitHub); changes send `check_run` / `check_suite` webhooks. */
export function checkRoutes(app: FastifyInstance, ctx: FakeContext): void {
  const token = guard(ctx, "token");

  app.post("/repos/:owner/:repo/check-runs", { preHandler: token }, async (req, reply) => {
    const { repo, auth } = repoFor(ctx, req, DOC_CREATE);
    const appId = onlyInstallations(auth, DOC_CREATE);
    requirePermission(auth, "checks", "write", DOC_CREATE);
    const body = bodyOf(req);
    const name = reqString(body, "name", DOC_CREATE);
    const headSha = reqString(body, "head_sha", DOC_CREATE);
    const commit = resolveRef(repo, headSha);
    if (!commit || !commit.sha.startsWith(headSha.toLowerCase())) throw new GitHubApiError(422, `No commit found for SHA: ${headSha}`, { documentationUrl: DOC_CREATE });
    const run: CheckRunRecord = {
      id: ctx.state.ids.id(),
      name,
      headSha: commit.sha,
      status: "queued",
      conclusion: null,
      startedAt: ctx.clock.now(),
      completedAt: null,
      detailsUrl: null,
      externalId: null,
      output: { title: null, summary: null, text: null },
      annotations: [],
      appId,
      checkSuiteId: 0,
    };
    apply(ctx, run, body, DOC_CREATE);
    run.checkSuiteId = suiteFor(ctx, repo, appId, commit.sha).id;
    repo.checkRuns.set(run.id, run);
    checkRunChanged(ctx, repo, run, { created: true, wasCompleted: false }, actorOf(auth));
    reply.code(201);
    return showCheckRun(ctx, repo, run);
  });

  app.patch("/repos/:owner/:repo/check-runs/:id", { preHandler: token }, async (req) => {
    const { repo, auth } = repoFor(ctx, req, DOC_UPDATE);
    const appId = onlyInstallations(auth, DOC_UPDATE);
    requirePermission(auth, "checks", "write", DOC_UPDATE);
    const run = repo.checkRuns.get(Number((req.params as { id: string }).id));
    if (!run || run.appId !== appId) throw notFound(DOC_UPDATE);
    const wasCompleted = run.status === "completed";
    apply(ctx, run, bodyOf(req), DOC_UPDATE);
    checkRunChanged(ctx, repo, run, { created: false, wasCompleted }, actorOf(auth));
    return showCheckRun(ctx, repo, run);
  });

  app.get("/repos/:owner/:repo/check-runs/:id", { preHandler: token }, async (req) => {
    const { repo, auth } = repoFor(ctx, req, DOC_GET);
    requirePermission(auth, "checks", "read", DOC_GET);
    const run = repo.checkRuns.get(Number((req.params as { id: string }).id));
    if (!run) throw notFound(DOC_GET);
    return showCheckRun(ctx, repo, run);
  });
}
