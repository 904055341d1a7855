import { posix } from "node:path";
import { HookyardError } from "../../errors.js";
import { fetchConfigFile, type ConfigObject, type ConfigRequester } from "./fetch-file.js";
import { describeFile, extendsTarget, fileKey, type ConfigFileRef } from "./file-ref.js";
import { deepMergeAll, type MergeOptions } from "./merge.js";
import { pushedChanges } from "./push.js";

/** One file `files()` looked at, with its parsed content (`null`: the file does not exist). */
export interface LoadedConfigFile extends ConfigFileRef {
  config: ConfigObject | null;
}

export interface RepoConfigCacheOptions {
  /** Files kept (least recently used dropped first). Default 1000. */
  maxEntries?: number;
}

interface Entry {
  etag: string;
  config: ConfigObject;
}

/**
 * Repository config files as `ctx.config()` reads them (Probot's `context.config`), cached per
 * repository + path in this process. Every read revalidates with `If-None-Match`, so a cached file
 * costs GitHub a `304` (free of rate budget) and is never served after it changed — also when this
 * process does not receive `push` events, or reads with an installation that may no longer see the
 * repository. A `push` touching a cached path on the default branch drops it (`onPush`), so the
 * next read is a full one. Missing files are not cached.
 *
 * @example
 * ```ts
 * const configs = new RepoConfigCache();
 * const config = await configs.read(octokit, { owner: "acme", repo: "widgets" }, "app.yml", { greeting: "hi" });
 * configs.onPush(pushPayload); // drops acme/widgets:.github/app.yml if the push changed it
 * ```
 */
export class RepoConfigCache {
  private readonly entries = new Map<string, Entry>();
  /** Reads in flight by key; `invalidate` marks them so they do not store what may be stale. */
  private readonly inflight = new Map<string, Set<{ stale: boolean }>>();
  private readonly maxEntries: number;

  constructor(options: RepoConfigCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 1000;
  }

  /** Files cached now. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * `.github/<fileName>` of the repository (or, when it has none, of the owner's `.github`
   * repository), its `_extends` chain followed, deep-merged over `defaults` (`deepmerge` semantics,
   * `mergeOptions` as its options). Null when no file exists and no defaults are given.
   */
  async read<T extends object = ConfigObject>(
    octokit: ConfigRequester,
    repo: { owner: string; repo: string },
    fileName: string,
    defaults?: T,
    mergeOptions?: MergeOptions,
  ): Promise<T | null> {
    const files = await this.files(octokit, { owner: repo.owner, repo: repo.repo, path: posix.join(".github", fileName) });
    const configs = files.map((f) => f.config).filter((c): c is ConfigObject => c !== null).reverse();
    if (defaults === undefined && configs.length === 0) return null;
    return deepMergeAll<T>([defaults ?? {}, ...configs], mergeOptions);
  }

  /**
   * The files behind a config, in the order they were read: the requested file, the owner's
   * `.github` repository's file when the first is missing, then each `_extends` target (with the
   * `_extends` key removed). An `_extends` loop raises `HOOKYARD_ERR_CONFIG_REPO_INVALID`.
   */
  async files(octokit: ConfigRequester, requested: ConfigFileRef): Promise<LoadedConfigFile[]> {
    const files = [await this.file(octokit, requested)];
    if (files[0]?.config === null && requested.repo !== ".github") files.push(await this.file(octokit, { ...requested, repo: ".github" }));
    let current = files[files.length - 1] as LoadedConfigFile;
    const chain = files.filter((f) => f.config !== null);
    while (current.config !== null && "_extends" in current.config) {
      const target = extendsTarget(current.config._extends, requested, current);
      delete current.config._extends;
      if (chain.some((f) => fileKey(f) === fileKey(target))) {
        const names = [...chain, target].map(describeFile).join(" → ");
        throw new HookyardError("HOOKYARD_ERR_CONFIG_REPO_INVALID", `${describeFile(requested)}: _extends loop: ${names}`);
      }
      current = await this.file(octokit, target);
      files.push(current);
      if (current.config !== null) chain.push(current);
    }
    return files;
  }

  /**
   * Drops the cached files of `repository` (`owner/name`) at `paths`, or all of them. Reads in
   * flight for those files do not store their answer.
   */
  invalidate(repository: string, paths: Iterable<string> | "all" = "all"): number {
    const prefix = `${repository.toLowerCase()}:`;
    const wanted = paths === "all" ? undefined : new Set(paths);
    const hit = (key: string) => key.startsWith(prefix) && (wanted === undefined || wanted.has(key.slice(prefix.length)));
    for (const [key, readers] of this.inflight) if (hit(key)) for (const r of readers) r.stale = true;
    let dropped = 0;
    for (const key of [...this.entries.keys()]) {
      if (hit(key)) {
        this.entries.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  /** Applies a `push` delivery: drops the files its commits touched on the default branch. */
  onPush(payload: unknown): number {
    const changes = pushedChanges(payload);
    return changes ? this.invalidate(changes.repository, changes.paths) : 0;
  }

  private async file(octokit: ConfigRequester, ref: ConfigFileRef): Promise<LoadedConfigFile> {
    const key = fileKey(ref);
    const cached = this.entries.get(key);
    const reader = { stale: false };
    let readers = this.inflight.get(key);
    if (!readers) this.inflight.set(key, (readers = new Set()));
    readers.add(reader);
    try {
      const r = await fetchConfigFile(octokit, ref, cached?.etag);
      if (r.kind === "unchanged") {
        const entry = cached as Entry;
        if (!reader.stale) this.remember(key, entry); // now the most recently used
        return { ...ref, config: structuredClone(entry.config) };
      }
      if (r.kind === "missing") {
        if (!reader.stale) this.entries.delete(key);
        return { ...ref, config: null };
      }
      if (r.etag !== undefined && !reader.stale) this.remember(key, { etag: r.etag, config: r.config });
      // the caller gets its own copy: the cached one must not change under later readers
      return { ...ref, config: structuredClone(r.config) };
    } finally {
      readers.delete(reader);
      if (readers.size === 0) this.inflight.delete(key);
    }
  }

  private remember(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
