import { createHash } from "node:crypto";
import { RequestError } from "@octokit/request-error";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, seeded } from "./support.js";

afterEach(cleanup);

const gitBlobSha = (text: string) => createHash("sha1").update(`blob ${Buffer.byteLength(text)}\0${text}`).digest("hex");
const decode = (b64: string) => Buffer.from(b64, "base64").toString("utf8");

describe("fake GitHub: contents", () => {
  it("answers a file as base64 `content-file` with git's blob sha, an ETag, and 304 for If-None-Match (not counted)", async () => {
    const { octokit } = await seeded();
    const first = await octokit.rest.repos.getContent({ owner: "acme", repo: "widgets", path: ".github/hookyard.yml" });
    const file = first.data as { type: string; encoding: string; content: string; sha: string; path: string; name: string; size: number };
    expect(file).toMatchObject({ type: "file", encoding: "base64", path: ".github/hookyard.yml", name: "hookyard.yml", size: 13 });
    expect(decode(file.content)).toBe("triage: true\n");
    expect(file.sha).toBe(gitBlobSha("triage: true\n"));
    const etag = first.headers.etag;
    expect(etag).toMatch(/^W\/"[0-9a-f]{64}"$/);
    const remaining = Number(first.headers["x-ratelimit-remaining"]);

    const err = await octokit.rest.repos
      .getContent({ owner: "acme", repo: "widgets", path: ".github/hookyard.yml", headers: { "if-none-match": etag ?? "" } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestError);
    expect((err as RequestError).status).toBe(304);
    expect(Number((err as RequestError).response?.headers["x-ratelimit-remaining"])).toBe(remaining);

    const again = await octokit.rest.repos.getContent({ owner: "acme", repo: "widgets", path: ".github/hookyard.yml", headers: { "if-none-match": 'W/"other"' } });
    expect(again.status).toBe(200);
    expect(Number(again.headers["x-ratelimit-remaining"])).toBe(remaining - 1);
  });

  it("reads at a ref, answers 404 for a missing file or ref, lists directories and serves the raw media type", async () => {
    const { fake, octokit } = await seeded();
    fake.addBranch("acme/widgets", "feature");
    fake.setFile("acme/widgets", ".github/hookyard.yml", "triage: false\n", { branch: "feature" });
    const get = (path: string, ref?: string) => octokit.rest.repos.getContent({ owner: "acme", repo: "widgets", path, ...(ref ? { ref } : {}) });
    expect(decode(((await get(".github/hookyard.yml", "feature")).data as { content: string }).content)).toBe("triage: false\n");
    expect(decode(((await get(".github/hookyard.yml")).data as { content: string }).content)).toBe("triage: true\n");
    const sha = fake.state.ref("acme/widgets", "main") ?? "";
    expect(decode(((await get(".github/hookyard.yml", sha)).data as { content: string }).content)).toBe("triage: true\n");
    await expect(get("missing.txt")).rejects.toMatchObject({ status: 404, response: { data: { message: "Not Found", status: "404" } } });
    await expect(get("README.md", "nope")).rejects.toMatchObject({ status: 404, response: { data: { message: "No commit found for the ref nope" } } });
    const root = (await get("")).data as { type: string; name: string }[];
    expect(root.map((e) => [e.type, e.name])).toEqual([["dir", ".github"], ["file", "README.md"]]);
    const raw = await octokit.rest.repos.getContent({ owner: "acme", repo: "widgets", path: "README.md", mediaType: { format: "raw" } });
    expect(raw.data as unknown).toBe("# widgets\n");
  });

  it("creates (201) and updates (200) a file with PUT, insisting on the current sha, and moves the branch", async () => {
    const { fake, octokit } = await seeded();
    const put = (content: string, sha?: string) =>
      octokit.rest.repos.createOrUpdateFileContents({
        owner: "acme",
        repo: "widgets",
        path: "docs/notes.md",
        message: "notes",
        content: Buffer.from(content).toString("base64"),
        ...(sha ? { sha } : {}),
      });
    const created = await put("one\n");
    expect(created.status).toBe(201);
    expect(created.data.content?.sha).toBe(gitBlobSha("one\n"));
    expect(created.data.commit).toMatchObject({ message: "notes", sha: fake.state.ref("acme/widgets", "heads/main") });
    expect(created.data.commit.parents).toHaveLength(1);
    expect(fake.state.file("acme/widgets", "docs/notes.md")).toBe("one\n");

    await expect(put("two\n")).rejects.toMatchObject({ status: 422, response: { data: { message: 'Invalid request.\n\n"sha" wasn\'t supplied.' } } });
    await expect(put("two\n", gitBlobSha("zzz"))).rejects.toMatchObject({ status: 409 });
    const updated = await put("two\n", created.data.content?.sha);
    expect(updated.status).toBe(200);
    expect(fake.state.file("acme/widgets", "docs/notes.md")).toBe("two\n");
    expect(fake.state.file("acme/widgets", "docs/notes.md", created.data.commit.sha)).toBe("one\n");
  });
});
