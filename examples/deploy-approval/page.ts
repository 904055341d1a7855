// The approval page: what is asked for, who approved, and a button for those who may approve.
import type { GitHubUser } from "hookyard";
import { isRequester, type DeployRequest } from "./requests.js";

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function requestPage(r: DeployRequest, user: GitHubUser, canApprove: boolean): string {
  const approvals = r.approvals.map((a) => `<li>${esc(a.login)} at ${esc(new Date(a.at).toISOString())}</li>`).join("") || "<li>none yet</li>";
  let action = "";
  if (r.status !== "pending") action = `<p>This request is <strong>${esc(r.status)}</strong>.</p>`;
  else if (isRequester(r, user)) action = "<p>You started this run, so someone else has to approve it.</p>";
  else if (r.approvals.some((a) => a.id === user.id)) action = "<p>You have approved this request.</p>";
  else if (!canApprove) action = "<p>You are not in the team that approves deployments.</p>";
  else action = `<form method="post" action="/deploy/${encodeURIComponent(r.id)}/approve"><button type="submit">Approve deployment</button></form>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Deploy ${esc(r.repository)} — approval</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem}dt{font-weight:600}button{font-size:1rem;padding:.5rem 1rem}</style>
</head><body>
<h1>Deploy ${esc(r.repository)}</h1>
<dl>
<dt>Environment</dt><dd>${esc(r.environment ?? "(none)")}</dd>
<dt>Ref and commit</dt><dd><code>${esc(r.ref)}</code> at <code>${esc(r.sha)}</code></dd>
<dt>Workflow</dt><dd><code>${esc(r.workflowRef ?? "")}</code>, run ${esc(r.runId)} (attempt ${esc(r.runAttempt)})</dd>
<dt>Requested by</dt><dd>${esc(r.requester.login)}</dd>
<dt>Approvals</dt><dd>${r.approvals.length} of ${r.required}<ul>${approvals}</ul></dd>
</dl>
${action}
<form method="post" action="/auth/github/logout?return_to=/deploy/${encodeURIComponent(r.id)}"><button type="submit">Log out ${esc(user.login)}</button></form>
</body></html>
`;
}
