import type { FastifyInstance } from "fastify";
import { canSee } from "../access.js";
import type { FakeContext } from "../context.js";
import { validationFailed } from "../errors.js";
import { authOf, guard } from "../guards.js";
import { viaApp } from "../issue-ops.js";
import { pageOf } from "../pagination.js";
import { matchesIssue, parseIssueQuery } from "../search.js";
import { association, issue, label } from "../shapes/issues.js";
import type { Schemas } from "../shapes/urls.js";
import type { IssueRecord, RepoRecord } from "../state.js";

const DOC_SEARCH = "https://docs.github.com/rest/search/search#search-issues-and-pull-requests";
const SORT_KEYS: Record<string, (i: IssueRecord) => number> = { created: (i) => i.createdAt, updated: (i) => i.updatedAt, comments: (i) => i.comments };

/** `GET /search/issues`: issues and pull requests of the repositories the caller can see, by GitHub's query syntax. */
export function searchRoutes(app: FastifyInstance, ctx: FakeContext): void {
  app.get("/search/issues", { preHandler: guard(ctx, "token") }, async (req, reply) => {
    const auth = authOf(ctx, req);
    const q = (req.query as { q?: string; sort?: string; order?: string });
    if (q.q === undefined || q.q.trim() === "") throw validationFailed([{ resource: "Search", field: "q", code: "missing" }], DOC_SEARCH);
    const query = parseIssueQuery(q.q);
    const found: [RepoRecord, IssueRecord][] = [];
    for (const repo of ctx.state.repos.values()) {
      if (!canSee(ctx, auth, repo)) continue;
      for (const i of repo.issues.values()) if (matchesIssue(query, repo, i)) found.push([repo, i]);
    }
    const key = SORT_KEYS[q.sort ?? "created"] ?? SORT_KEYS.created!;
    const dir = q.order === "asc" ? 1 : -1;
    found.sort(([, a], [, b]) => (key(a) - key(b) || a.id - b.id) * dir);
    const items = pageOf(ctx, req, reply, found).map(([repo, i]): Schemas["issue-search-result-item"] => ({
      ...issue(ctx.urls, repo, i, viaApp(ctx, i.appId)), labels: i.labels.map((l) => label(ctx.urls, repo, l)), author_association: association(repo, i.user), body: i.body ?? "", score: 1,
    }));
    return { total_count: found.length, incomplete_results: false, items };
  });
}
