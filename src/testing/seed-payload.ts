import type { FakeGitHub } from "./fake-github/types.js";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);

/**
 * The labels the issue or pull request of a delivery carries: the test's (`overrides.<key>.labels`)
 * when given, else only the label a `labeled` event says was added — never the example payload's.
 */
function labelsOf(payload: Obj, overrides: Obj, key: string): string[] {
  const given = obj(overrides[key]).labels;
  if (Array.isArray(given)) return given.flatMap((l) => (typeof l === "string" ? [l] : str(obj(l).name) ?? []));
  if (payload.action !== "labeled") return [];
  const name = str(obj(overrides.label).name) ?? str(obj(payload.label).name);
  return name === undefined ? [] : [name];
}

/** The pull request `wanted` names, or a new one seeded from the test's and the example's fields. */
function pullFor(fake: FakeGitHub, repo: string, payload: Obj, overrides: Obj, example: Obj, number: number | undefined) {
  const found = number === undefined ? undefined : fake.state.pulls(repo).find((p) => p.number === number);
  if (found) return found;
  const wanted = obj(overrides.pull_request);
  const title = str(wanted.title) ?? str(obj(overrides.issue).title) ?? str(example.title) ?? "A pull request";
  const head = str(obj(wanted.head).ref);
  const base = str(obj(wanted.base).ref);
  return fake.addPullRequest(repo, {
    title, body: str(wanted.body) ?? str(example.body) ?? "", user: str(obj(wanted.user).login) ?? str(obj(example.user).login) ?? "octocat",
    labels: labelsOf(payload, overrides, "pull_request"), draft: wanted.draft === true,
    ...(head === undefined ? {} : { head }), ...(base === undefined ? {} : { base }), ...(number === undefined ? {} : { number }),
  });
}

/**
 * Makes the issue and the pull request a delivery's payload names exist in the fake (when absent),
 * and puts the fake's own shapes of them in the payload (numbers, ids, shas, labels), so that
 * handler calls on `ctx.issue()` / `ctx.pullRequest()` work. Changes `payload` in place; the test's
 * `overrides` are merged over it afterwards.
 */
export function seedPayload(fake: FakeGitHub, repo: string, payload: Obj, overrides: Obj): void {
  const examplePull = payload.pull_request === undefined ? undefined : obj(payload.pull_request);
  const exampleIssue = payload.issue === undefined ? undefined : obj(payload.issue);
  const wantedIssue = obj(overrides.issue);
  const issueIsPull = exampleIssue !== undefined && (exampleIssue.pull_request !== undefined || wantedIssue.pull_request !== undefined);
  if (examplePull || issueIsPull) {
    const number = num(obj(overrides.pull_request).number) ?? num(wantedIssue.number) ?? num(overrides.number);
    const pr = pullFor(fake, repo, payload, overrides, examplePull ?? exampleIssue ?? {}, number);
    if (examplePull) payload.pull_request = { ...examplePull, ...pr };
    if (typeof payload.number === "number") payload.number = pr.number;
    if (exampleIssue) payload.issue = { ...exampleIssue, ...fake.state.issue(repo, pr.number) };
    return;
  }
  if (!exampleIssue) return;
  const number = num(wantedIssue.number);
  const found = number === undefined ? undefined : fake.state.issue(repo, number);
  const seeded = found ?? fake.addIssue(repo, {
    title: str(wantedIssue.title) ?? str(exampleIssue.title) ?? "An issue", body: str(wantedIssue.body) ?? str(exampleIssue.body) ?? "",
    user: str(obj(wantedIssue.user).login) ?? str(obj(exampleIssue.user).login) ?? "octocat", labels: labelsOf(payload, overrides, "issue"),
    ...(number === undefined ? {} : { number }), ...(wantedIssue.state === "closed" ? { state: "closed" as const } : {}),
  });
  payload.issue = { ...exampleIssue, ...seeded };
}
