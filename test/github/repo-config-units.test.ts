/** The pure parts of repository config: deepmerge semantics, _extends values, what a push touched. */
import { describe, expect, it } from "vitest";
import { deepMergeAll, extendsTarget, parseConfig, pushedChanges } from "../../src/github/repo-config/index.js";

const requested = { owner: "acme", repo: "widgets", path: ".github/app.yml" };

describe("deepMergeAll (deepmerge's semantics, as Probot's context.config uses them)", () => {
  it("merges objects key by key, concatenates arrays, replaces scalars, copies everything", () => {
    const a = { n: { x: 1, list: [1] }, s: "a", keep: [{ deep: true }] };
    const out = deepMergeAll<typeof a & { t?: number }>([a, { n: { y: 2, list: [2] }, s: "b", t: 3 }]);
    expect(out).toEqual({ n: { x: 1, y: 2, list: [1, 2] }, s: "b", t: 3, keep: [{ deep: true }] });
    expect(out.keep[0]).not.toBe(a.keep[0]);
    expect(deepMergeAll([{ v: { a: 1 } }, { v: [1] }, { v: "x" }])).toEqual({ v: "x" });
  });

  it("takes arrayMerge, customMerge, isMergeableObject and clone: false", () => {
    expect(deepMergeAll([{ l: [1] }, { l: [2] }], { arrayMerge: (_t, s) => s })).toEqual({ l: [2] });
    const custom = deepMergeAll([{ a: { n: 1 }, b: { n: 1 } }, { a: { n: 2 }, b: { n: 2 } }], {
      customMerge: (key) => (key === "a" ? (t, s) => ({ sum: (t as { n: number }).n + (s as { n: number }).n }) : undefined),
    });
    expect(custom).toEqual({ a: { sum: 3 }, b: { n: 2 } });
    const inner = { z: 1 };
    expect(deepMergeAll<{ o: object }>([{}, { o: inner }], { clone: false }).o).toBe(inner);
    expect(deepMergeAll([{ o: { a: 1 } }, { o: { b: 2 } }], { isMergeableObject: () => false })).toEqual({ o: { b: 2 } });
  });

  it("never writes to the prototype chain", () => {
    const evil = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}') as object;
    const out = deepMergeAll<Record<string, unknown>>([{}, evil]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });
});

describe("extendsTarget", () => {
  it("resolves repo, owner/repo and :path.yml against the requested file", () => {
    const from = { owner: "acme", repo: "shared", path: ".github/app.yml" };
    expect(extendsTarget("base", requested, from)).toEqual({ owner: "acme", repo: "base", path: ".github/app.yml" });
    expect(extendsTarget("other/base", requested, from)).toEqual({ owner: "other", repo: "base", path: ".github/app.yml" });
    expect(extendsTarget(".github:configs/x.yaml", requested, from)).toEqual({ owner: "acme", repo: ".github", path: "configs/x.yaml" });
    for (const bad of ["a/b/c", "repo:file.txt", "-bad/repo", "", 42]) {
      expect(() => extendsTarget(bad, requested, from)).toThrow(/acme\/shared:\.github\/app\.yml: _extends must be/);
    }
  });
});

describe("parseConfig", () => {
  it("treats an empty file as {}, reads JSON for .json, refuses scalars and lists", () => {
    expect(parseConfig("# nothing\n", requested)).toEqual({});
    expect(parseConfig('{"a": [1]}', requested, "json")).toEqual({ a: [1] });
    expect(() => parseConfig("just text", requested)).toThrow(/must hold a mapping.*not a string/);
    expect(() => parseConfig("{", requested, "json")).toThrow(/is not valid JSON/);
  });
});

describe("pushedChanges", () => {
  const push = (extra: Record<string, unknown>) => ({
    ref: "refs/heads/main",
    repository: { full_name: "acme/widgets", default_branch: "main" },
    commits: [{ added: ["a.yml"], modified: [".github/app.yml"], removed: [] }, { added: [], modified: [], removed: ["old.yml"] }],
    ...extra,
  });

  it("lists the paths of a push to the default branch", () => {
    expect(pushedChanges(push({}))).toEqual({ repository: "acme/widgets", paths: new Set(["a.yml", ".github/app.yml", "old.yml"]) });
  });

  it("ignores other branches and tags; says all for a forced push or a commit without lists", () => {
    expect(pushedChanges(push({ ref: "refs/heads/feature" }))).toBeUndefined();
    expect(pushedChanges(push({ ref: "refs/tags/main" }))).toBeUndefined();
    expect(pushedChanges({ zen: "ping" })).toBeUndefined();
    expect(pushedChanges(push({ forced: true }))?.paths).toBe("all");
    expect(pushedChanges(push({ commits: [{ id: "x" }] }))?.paths).toBe("all");
  });
});
