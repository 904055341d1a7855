import { buildSchema, GraphQLError, type GraphQLSchema } from "graphql";
import { canSee } from "../access.js";
import type { AuthInfo, FakeContext } from "../context.js";
import { nodeId } from "../ids.js";
import { repoHtml } from "../shapes/urls.js";
import type { AccountRecord, IssueRecord, LabelRecord, RepoRecord } from "../state.js";

/**
 * The part of GitHub's GraphQL schema the fake answers from its state: `viewer`, `repository(owner,
 * name)` with its issues, pull requests and labels, and `node(id)`. Field names and shapes are
 * GitHub's; anything else is a GraphQL validation error, as GitHub answers an unknown field.
 */
const SDL = `
interface Node { id: ID! }
interface Actor { login: String! url: String! }
type User implements Node & Actor { id: ID! databaseId: Int login: String! name: String url: String! }
type Bot implements Node & Actor { id: ID! databaseId: Int login: String! url: String! }
type Organization implements Node & Actor { id: ID! databaseId: Int login: String! name: String url: String! }
type Label implements Node { id: ID! name: String! color: String! description: String }
type LabelConnection { nodes: [Label!]! totalCount: Int! }
type Commit { oid: String! message: String! }
type Ref { name: String! target: Commit }
type Issue implements Node {
  id: ID! databaseId: Int number: Int! title: String! body: String! state: String! closed: Boolean! url: String!
  createdAt: String! author: Actor labels(first: Int, last: Int): LabelConnection repository: Repository!
}
type PullRequest implements Node {
  id: ID! databaseId: Int number: Int! title: String! body: String! state: String! closed: Boolean! url: String!
  createdAt: String! author: Actor labels(first: Int, last: Int): LabelConnection repository: Repository!
  isDraft: Boolean! merged: Boolean! mergedAt: String mergeCommit: Commit
  headRefName: String! headRefOid: String! baseRefName: String! baseRefOid: String!
}
union IssueOrPullRequest = Issue | PullRequest
type Repository implements Node {
  id: ID! databaseId: Int name: String! nameWithOwner: String! isPrivate: Boolean! url: String! owner: Actor!
  defaultBranchRef: Ref issue(number: Int!): Issue pullRequest(number: Int!): PullRequest
  issueOrPullRequest(number: Int!): IssueOrPullRequest labels(first: Int, last: Int): LabelConnection
}
type Query { viewer: Actor! repository(owner: String!, name: String!): Repository node(id: ID!): Node }
`;

let schema: GraphQLSchema | undefined;
/** The fake's schema (built once). */
export function fakeSchema(): GraphQLSchema {
  schema ??= buildSchema(SDL);
  return schema;
}

/** An error GitHub marks with a `type` (`NOT_FOUND`), beside its message and path. */
export class TypedGraphQLError extends GraphQLError {
  constructor(message: string, readonly type: string) {
    super(message);
  }
}

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

function actor(ctx: FakeContext, a: AccountRecord) {
  const typename = a.type === "Bot" ? "Bot" : a.type === "Organization" ? "Organization" : "User";
  const url = a.type === "Bot" ? `${ctx.urls.html}/apps/${a.login.replace(/\[bot\]$/, "")}` : `${ctx.urls.html}/${a.login}`;
  return { __typename: typename, id: nodeId(typename, a.id), databaseId: a.id, login: a.login, name: a.name, url };
}

function labels(list: LabelRecord[]) {
  return ({ first, last }: { first?: number; last?: number }) => {
    const nodes = list.map((l) => ({ __typename: "Label", id: nodeId("Label", l.id), name: l.name, color: l.color, description: l.description }));
    return { totalCount: nodes.length, nodes: last !== undefined ? nodes.slice(-last) : nodes.slice(0, first ?? nodes.length) };
  };
}

function issueOrPull(ctx: FakeContext, repo: RepoRecord, i: IssueRecord) {
  const p = i.pull;
  const common = {
    databaseId: p ? p.id : i.id, number: i.number, title: i.title, body: i.body ?? "", closed: i.state === "closed",
    url: `${repoHtml(ctx.urls, repo)}/${p ? "pull" : "issues"}/${i.number}`, createdAt: iso(i.createdAt),
    author: actor(ctx, i.user), labels: labels(i.labels), repository: () => repository(ctx, repo),
  };
  if (!p) return { __typename: "Issue", id: nodeId("Issue", i.id), state: i.state.toUpperCase(), ...common };
  const baseRefOid = (i.state === "open" ? repo.git.refs.get(`refs/heads/${p.baseRef}`) : undefined) ?? p.baseSha;
  const mergeCommit = p.merged ? repo.git.commit(p.merged.sha) : undefined;
  return {
    __typename: "PullRequest", id: nodeId("PullRequest", p.id), ...common,
    state: p.merged ? "MERGED" : i.state.toUpperCase(), isDraft: p.draft, merged: p.merged !== undefined,
    mergedAt: p.merged ? iso(p.merged.at) : null, mergeCommit: mergeCommit ? { oid: mergeCommit.sha, message: mergeCommit.message } : null,
    headRefName: p.headRef, headRefOid: p.headSha, baseRefName: p.baseRef, baseRefOid,
  };
}

function repository(ctx: FakeContext, repo: RepoRecord) {
  const full = `${repo.owner.login}/${repo.name}`;
  const numbered = (kind: "issue" | "pull" | "any") => ({ number }: { number: number }) => {
    const i = repo.issues.get(number);
    const fits = i !== undefined && (kind === "any" || (kind === "pull") === (i.pull !== undefined));
    if (!i || !fits) {
      const what = kind === "pull" ? "a PullRequest" : kind === "issue" ? "an Issue" : "an issue or pull request";
      throw new TypedGraphQLError(`Could not resolve to ${what} with the number of ${number}.`, "NOT_FOUND");
    }
    return issueOrPull(ctx, repo, i);
  };
  const tip = repo.git.refs.get(`refs/heads/${repo.defaultBranch}`);
  const head = tip === undefined ? undefined : repo.git.commit(tip);
  return {
    __typename: "Repository", id: nodeId("Repository", repo.id), databaseId: repo.id, name: repo.name, nameWithOwner: full,
    isPrivate: repo.private, url: repoHtml(ctx.urls, repo), owner: actor(ctx, repo.owner),
    defaultBranchRef: { name: repo.defaultBranch, target: head ? { oid: head.sha, message: head.message } : null },
    issue: numbered("issue"), pullRequest: numbered("pull"), issueOrPullRequest: numbered("any"),
    labels: labels([...repo.labels.values()]),
  };
}

/** `0<len>:<Type><id>` → type and id, for `node(id)`. */
function decodeNodeId(id: string): { type: string; id: number } | undefined {
  const m = /^0\d+:([A-Za-z]+)(\d+)$/.exec(Buffer.from(id, "base64").toString("utf8"));
  return m?.[1] && m[2] ? { type: m[1], id: Number(m[2]) } : undefined;
}

function findNode(ctx: FakeContext, auth: AuthInfo, id: string): unknown {
  const ref = decodeNodeId(id);
  const visible = [...ctx.state.repos.values()].filter((r) => canSee(ctx, auth, r));
  if (ref?.type === "Repository") {
    const r = visible.find((x) => x.id === ref.id);
    if (r) return repository(ctx, r);
  }
  for (const r of visible) {
    for (const i of r.issues.values()) {
      if ((ref?.type === "Issue" && !i.pull && i.id === ref.id) || (ref?.type === "PullRequest" && i.pull?.id === ref.id)) return issueOrPull(ctx, r, i);
    }
  }
  const account = [...ctx.state.accounts.values()].find((a) => a.id === ref?.id && ["User", "Bot", "Organization"].includes(ref.type));
  if (account) return actor(ctx, account);
  throw new TypedGraphQLError(`Could not resolve to a node with the global id of '${id}'`, "NOT_FOUND");
}

/** The root value answering the fake's schema for the caller `auth`. */
export function rootFor(ctx: FakeContext, auth: AuthInfo) {
  return {
    viewer: () => actor(ctx, auth.kind === "user" ? auth.user : auth.app.bot),
    repository: ({ owner, name }: { owner: string; name: string }) => {
      const repo = ctx.state.repo(owner, name);
      if (!repo || !canSee(ctx, auth, repo)) throw new TypedGraphQLError(`Could not resolve to a Repository with the name '${owner}/${name}'.`, "NOT_FOUND");
      return repository(ctx, repo);
    },
    node: ({ id }: { id: string }) => findNode(ctx, auth, id),
  };
}
