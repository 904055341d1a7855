import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeCommit, decodeTree, encodeCommit, encodeTree, FILE_MODE, SUBMODULE_MODE, TREE_MODE, type CommitData, type GitPerson, type TreeEntry } from "./format.js";
import { ObjectStore } from "./objects.js";
import { RefStore } from "./refs.js";

/** A file of a commit; `content` is read from the object database on first use. */
export interface BlobRecord {
  readonly sha: string;
  readonly mode: string;
  readonly content: Buffer;
}

/** A commit, as the object database holds it; `tree` maps every file's path to its blob. */
export interface CommitRecord extends Readonly<CommitData> {
  readonly sha: string;
  readonly tree: ReadonlyMap<string, BlobRecord>;
}

/** Leaf entries by path, including submodule links (which have no blob in this repository). */
type Leaves = Map<string, { mode: string; sha: string }>;

/**
 * How the fake's bare repositories are configured: never pack (so objects stay loose and readable
 * in-process), accept pushes over HTTP.
 */
const CONFIG = `[core]
\trepositoryformatversion = 0
\tfilemode = true
\tbare = true
\tlogallrefupdates = false
[gc]
\tauto = 0
[receive]
\tunpackLimit = 2000000000
\tautogc = false
[http]
\treceivepack = true
`;

class LazyBlob implements BlobRecord {
  private data: Buffer | undefined;
  constructor(private readonly objects: ObjectStore, readonly sha: string, readonly mode: string) {}
  get content(): Buffer {
    this.data ??= this.objects.read(this.sha)?.content ?? Buffer.alloc(0);
    return this.data;
  }
}

class Commit implements CommitRecord {
  readonly treeSha: string;
  readonly parents: string[];
  readonly author: GitPerson;
  readonly committer: GitPerson;
  readonly message: string;
  private files: Map<string, BlobRecord> | undefined;

  constructor(private readonly repo: GitRepo, readonly sha: string, data: CommitData) {
    ({ treeSha: this.treeSha, parents: this.parents, author: this.author, committer: this.committer, message: this.message } = data);
  }

  get tree(): ReadonlyMap<string, BlobRecord> {
    if (!this.files) {
      this.files = new Map();
      for (const [path, e] of this.repo.leaves(this.treeSha)) {
        if (e.mode !== SUBMODULE_MODE) this.files.set(path, new LazyBlob(this.repo.objects, e.sha, e.mode));
      }
    }
    return this.files;
  }
}

/** One bare repository owned by the fake: its objects, its refs, and commits read from them. */
export class GitRepo {
  readonly objects: ObjectStore;
  readonly refs: RefStore;
  private readonly commits = new Map<string, CommitRecord>();

  constructor(readonly dir: string) {
    this.objects = new ObjectStore(dir);
    this.refs = new RefStore(dir);
  }

  /** Creates an empty bare repository at `dir` whose `HEAD` names `defaultBranch`. */
  static init(dir: string, defaultBranch: string): GitRepo {
    for (const d of ["objects/info", "objects/pack", "refs/heads", "refs/tags", "hooks", "info"]) mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(join(dir, "HEAD"), `ref: refs/heads/${defaultBranch}\n`);
    writeFileSync(join(dir, "config"), CONFIG);
    return new GitRepo(dir);
  }

  /** The commit with id `sha`, if this repository has it. */
  commit(sha: string): CommitRecord | undefined {
    let c = this.commits.get(sha);
    if (c) return c;
    const obj = this.objects.read(sha);
    if (obj?.type !== "commit") return undefined;
    c = new Commit(this, sha, decodeCommit(obj.content));
    this.commits.set(sha, c);
    return c;
  }

  /** The commit a unique id prefix (at least 7 hex digits) names. */
  commitByPrefix(prefix: string): CommitRecord | undefined {
    const p = prefix.toLowerCase();
    if (!/^[0-9a-f]{7,40}$/.test(p)) return undefined;
    const found = this.objects.findByPrefix(p).flatMap((sha) => this.commit(sha) ?? []);
    return found.length === 1 ? found[0] : undefined;
  }

  /** The leaf entries below tree `treeSha`, by path. */
  leaves(treeSha: string, prefix = "", out: Leaves = new Map()): Leaves {
    const tree = this.objects.read(treeSha);
    if (tree?.type !== "tree") return out;
    for (const e of decodeTree(tree.content)) {
      if (e.mode === TREE_MODE) this.leaves(e.sha, `${prefix}${e.name}/`, out);
      else out.set(`${prefix}${e.name}`, { mode: e.mode, sha: e.sha });
    }
    return out;
  }

  /** The id of the tree at directory `path` of a commit ("" = the root), if it is a directory. */
  treeAt(commit: CommitRecord, path: string): string | undefined {
    let sha = commit.treeSha;
    for (const part of path.split("/").filter(Boolean)) {
      const obj = this.objects.read(sha);
      const entry = obj?.type === "tree" ? decodeTree(obj.content).find((e) => e.name === part && e.mode === TREE_MODE) : undefined;
      if (!entry) return undefined;
      sha = entry.sha;
    }
    return sha;
  }

  /**
   * Writes a commit of `changes` (path → content, `null` deletes) on top of `parent` (none: a root
   * commit), with its blobs and trees. Moves no ref.
   */
  writeCommit(input: { parent?: string | undefined; changes: Map<string, Buffer | null>; message: string; author: GitPerson; committer?: GitPerson }): CommitRecord {
    const base = input.parent === undefined ? undefined : this.commit(input.parent);
    const files: Leaves = base ? this.leaves(base.treeSha) : new Map();
    for (const [path, content] of input.changes) {
      if (content === null) files.delete(path);
      else files.set(path, { mode: files.get(path)?.mode ?? FILE_MODE, sha: this.objects.write("blob", content) });
    }
    const data: CommitData = {
      treeSha: this.writeTree([...files]),
      parents: base ? [base.sha] : [],
      author: input.author,
      committer: input.committer ?? input.author,
      message: input.message,
    };
    const sha = this.objects.write("commit", encodeCommit(data));
    const commit = this.commit(sha);
    if (!commit) throw new Error(`fake GitHub: commit ${sha} was written but cannot be read`);
    return commit;
  }

  private writeTree(files: [string, { mode: string; sha: string }][]): string {
    const here: TreeEntry[] = [];
    const dirs = new Map<string, [string, { mode: string; sha: string }][]>();
    for (const [path, entry] of files) {
      const slash = path.indexOf("/");
      if (slash === -1) {
        here.push({ name: path, ...entry });
        continue;
      }
      const name = path.slice(0, slash);
      const list = dirs.get(name) ?? [];
      list.push([path.slice(slash + 1), entry]);
      dirs.set(name, list);
    }
    for (const [name, sub] of dirs) here.push({ name, mode: TREE_MODE, sha: this.writeTree(sub) });
    return this.objects.write("tree", encodeTree(here));
  }
}
