import { createHash } from "node:crypto";
// Deploy approval: a workflow asks for a deployment with its GitHub Actions OIDC token; the request
// waits, durably, until two members of a team have logged in with GitHub and approved it (the one
// who started the run cannot); then the deployment runs once, as a Hookyard task.
//
//   hookyard serve ./dist/examples/deploy-approval/index.js     (settings: see README.md)
import { execFile } from "node:child_process";
import {
  requireActionsToken, requireUser, userInTeam,
  type ActionsPolicy, type AppFunction, type Context, type Hookyard, type RoutePlugin,
} from "hookyard";
import { requestPage } from "./page.js";
import { approve, approvedRequests, ApprovalRefused, createRequest, getRequest, hasQuorum, updateRequest, type DeployRequest } from "./requests.js";

/** The `repository_dispatch` action the deployment task runs for. */
export const DISPATCH_ACTION = "hookyard-deploy-approved";
export const TASK_NAME = "deploy-approval:deploy";

export interface DeployApprovalOptions {
  /** The audience the workflow asks its token for. */
  audience: string;
  /** Default: github.com's Actions issuer. */
  issuer?: string;
  /** Which workflows may ask (bind to repository ids). */
  policy: ActionsPolicy;
  /** The team whose members approve, `org/team-slug`. */
  approvers: string;
  /** Distinct approvals needed (default 2). */
  approvals?: number;
  /** Runs the deployment (a task: retried on failure, so make it idempotent). */
  deploy: (request: DeployRequest, ctx: Context<"repository_dispatch">) => Promise<void>;
}

type Reply = { code(n: number): Reply; send(body: unknown): unknown };
const refuse = (reply: Reply, code: string, status: number, message: string) => reply.code(status).send({ error: { code, message } });

/** The app function: routes for the workflow and the approvers, and the deployment task. */
export function deployApproval(o: DeployApprovalOptions): AppFunction {
  const required = o.approvals ?? 2;
  return (app: Hookyard) => {
    const ci = requireActionsToken({ audience: o.audience, policy: o.policy, ...(o.issuer ? { issuer: o.issuer } : {}) });
    const user = requireUser();

    // queue the deployment task once: the delivery id is the request's, so a second dispatch is a duplicate
    const dispatch = (r: DeployRequest) => app.receive({
      // a delivery id is 1-64 letters, digits and hyphens: derived from the request, so a second dispatch is a duplicate
      id: dispatchId(r.id),
      name: "repository_dispatch",
      payload: { action: DISPATCH_ACTION, branch: r.ref, client_payload: { request: r.id }, repository: { id: r.repositoryId, full_name: r.repository } },
    });

    app.on("repository_dispatch", async function deploy(ctx) {
      if (ctx.payload.action !== DISPATCH_ACTION) return;
      const id = String((ctx.payload.client_payload as { request?: unknown } | null)?.request ?? "");
      const request = await getRequest(app.store, id);
      // the store is the authority: a dispatch for a request without its approvals deploys nothing
      if (!request || request.status === "deployed" || !hasQuorum(request)) {
        ctx.log.warn({ request: id, status: request?.status ?? null }, "deployment skipped: not an approved request");
        return;
      }
      await o.deploy(request, ctx);
      await updateRequest(app.store, id, (r) => ({ ...r, status: "deployed", deployedAt: Date.now() }));
      ctx.log.info({ request: id, repository: request.repository, sha: request.sha }, "deployed");
    }, { name: TASK_NAME, retries: 5, timeout: "30m" });

    const routes: RoutePlugin = (http) => {
      http.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, _body, done) => done(null, {}));
      // an approval whose task was never queued (the process stopped in between) is queued at start
      http.addHook("onReady", async () => {
        for (const r of await approvedRequests(app.store)) await dispatch(r);
      });

      http.post("/deploy", { preHandler: ci }, async (req, reply) => {
        const { request, created } = await createRequest(app.store, req.actionsToken!, required);
        req.log.info({ request: request.id, repository: request.repository, created }, "deployment requested");
        return reply.code(created ? 202 : 200).send({ id: request.id, status: request.status, approvals: request.approvals.length, required, url: `/deploy/${request.id}` });
      });

      http.get("/deploy/:id/status", { preHandler: ci }, async (req, reply) => {
        const r = await getRequest(app.store, (req.params as { id: string }).id);
        if (!r || String(r.repositoryId) !== req.actionsToken!.repository_id) return refuse(reply, "deploy.not_found", 404, "no such request for this repository");
        return { id: r.id, status: r.status, approvals: r.approvals.length, required: r.required };
      });

      http.get("/deploy/:id", { preHandler: user }, async (req, reply) => {
        const r = await getRequest(app.store, (req.params as { id: string }).id);
        if (!r) return refuse(reply, "deploy.not_found", 404, "no such request");
        const canApprove = await userInTeam(req.user!, o.approvers);
        if (!String(req.headers.accept ?? "").includes("text/html")) return { ...r, canApprove };
        return reply.type("text/html; charset=utf-8").header("cache-control", "no-store").send(requestPage(r, req.user!, canApprove));
      });

      http.post("/deploy/:id/approve", { preHandler: user }, async (req, reply) => {
        const id = (req.params as { id: string }).id;
        const who = req.user!;
        if (!(await userInTeam(who, o.approvers))) return refuse(reply, "deploy.not_approver", 403, `only members of ${o.approvers} approve deployments`);
        let r: DeployRequest;
        try {
          r = await updateRequest(app.store, id, approve(who));
        } catch (err) {
          if (err instanceof ApprovalRefused) return refuse(reply, err.code, err.status, err.message);
          throw err;
        }
        req.log.info({ request: id, approver: who.login, approvals: r.approvals.length, status: r.status }, "deployment approved");
        if (r.status === "approved") await dispatch(r);
        if (String(req.headers.accept ?? "").includes("text/html")) return reply.redirect(`/deploy/${encodeURIComponent(id)}`, 303);
        return { id, status: r.status, approvals: r.approvals.length, required: r.required };
      });
    };
    app.route(routes);
  };
}

/** The deployment `DEPLOY_COMMAND` runs (through `sh -c`), with the request in its environment. */
function runCommand(command: string) {
  return (r: DeployRequest, ctx: Context<"repository_dispatch">) => new Promise<void>((resolve, reject) => {
    const env = { ...process.env, DEPLOY_REPOSITORY: r.repository, DEPLOY_REF: r.ref, DEPLOY_SHA: r.sha, DEPLOY_ENVIRONMENT: r.environment ?? "", DEPLOY_REQUEST: r.id };
    execFile("sh", ["-c", command], { env, signal: ctx.signal }, (err) => (err ? reject(err) : resolve()));
  });
}

const env = process.env;
const ids = (v: string | undefined) => (v ?? "").split(",").map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0);

/** `hookyard serve` entry: settings from the environment (README.md). */
export default deployApproval({
  audience: env.DEPLOY_AUDIENCE ?? "",
  policy: {
    repositoryIds: ids(env.DEPLOY_REPOSITORY_IDS),
    ...(env.DEPLOY_ENVIRONMENTS ? { environments: env.DEPLOY_ENVIRONMENTS.split(",") } : {}),
    ...(env.DEPLOY_REFS ? { refs: env.DEPLOY_REFS.split(",") } : {}),
  },
  approvers: env.DEPLOY_APPROVERS ?? "",
  approvals: Number(env.DEPLOY_APPROVALS ?? 2),
  deploy: runCommand(env.DEPLOY_COMMAND ?? "echo deploying $DEPLOY_REPOSITORY@$DEPLOY_SHA to $DEPLOY_ENVIRONMENT"),
});

/** The dispatch's delivery id, from the request's (readable while it fits GitHub's 64 characters). */
function dispatchId(requestId: string): string {
  const readable = `deploy-approval-${requestId}`;
  return readable.length <= 64 ? readable : `deploy-approval-${createHash("sha256").update(requestId).digest("hex").slice(0, 40)}`;
}
