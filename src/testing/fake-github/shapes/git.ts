import { isoSeconds } from "../clock.js";
import type { BlobRecord, CommitRecord, RepoRecord } from "../state.js";
import { repoApi, type Schemas, type Urls } from "./urls.js";

function contentLinks(u: Urls, r: RepoRecord, path: string, blob: BlobRecord, ref: string) {
  const api = `${repoApi(u, r)}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const html = `${u.html}/${r.owner.login}/${r.name}/blob/${ref}/${path}`;
  const git = `${repoApi(u, r)}/git/blobs/${blob.sha}`;
  return { api, html, git };
}

/** GitHub wraps base64 content at 60 characters per line. */
function base64Lines(content: Buffer): string {
  const b64 = content.toString("base64");
  return (b64.match(/.{1,60}/g) ?? [""]).join("\n") + "\n";
}

/** A file as `content-file` (`GET /repos/{o}/{r}/contents/{path}`). */
export function contentFile(u: Urls, r: RepoRecord, path: string, blob: BlobRecord, ref: string): Schemas["content-file"] {
  const l = contentLinks(u, r, path, blob, ref);
  return {
    type: "file",
    encoding: "base64",
    size: blob.content.length,
    name: path.split("/").pop() ?? path,
    path,
    content: base64Lines(blob.content),
    sha: blob.sha,
    url: l.api,
    git_url: l.git,
    html_url: l.html,
    download_url: `https://raw.githubusercontent.com/${r.owner.login}/${r.name}/${ref}/${path}`,
    _links: { self: l.api, git: l.git, html: l.html },
  };
}

/** The answer to `PUT /repos/{o}/{r}/contents/{path}` as `file-commit`. */
export function fileCommit(u: Urls, r: RepoRecord, path: string, blob: BlobRecord, commit: CommitRecord, branch: string): Schemas["file-commit"] {
  const l = contentLinks(u, r, path, blob, branch);
  const api = repoApi(u, r);
  const who = { name: commit.author.name, email: commit.author.email, date: isoSeconds(commit.author.date) };
  const committer = { name: commit.committer.name, email: commit.committer.email, date: isoSeconds(commit.committer.date) };
  return {
    content: {
      name: path.split("/").pop() ?? path,
      path,
      sha: blob.sha,
      size: blob.content.length,
      url: l.api,
      html_url: l.html,
      git_url: l.git,
      download_url: `https://raw.githubusercontent.com/${r.owner.login}/${r.name}/${branch}/${path}`,
      type: "file",
      _links: { self: l.api, git: l.git, html: l.html },
    },
    commit: {
      sha: commit.sha,
      node_id: Buffer.from(`C_${commit.sha}`).toString("base64"),
      url: `${api}/git/commits/${commit.sha}`,
      html_url: `${u.html}/${r.owner.login}/${r.name}/commit/${commit.sha}`,
      author: who,
      committer,
      message: commit.message,
      tree: { url: `${api}/git/trees/${commit.treeSha}`, sha: commit.treeSha },
      parents: commit.parents.map((sha) => ({ url: `${api}/git/commits/${sha}`, html_url: `${u.html}/${r.owner.login}/${r.name}/commit/${sha}`, sha })),
      verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
    },
  };
}

/** A reference as `git-ref`; `ref` is the full name (`refs/heads/main`). */
export function gitRef(u: Urls, r: RepoRecord, ref: string, sha: string): Schemas["git-ref"] {
  const api = repoApi(u, r);
  return {
    ref,
    node_id: Buffer.from(`REF_${r.id}:${ref}`).toString("base64"),
    url: `${api}/git/${ref}`,
    object: { type: "commit", sha, url: `${api}/git/commits/${sha}` },
  };
}
