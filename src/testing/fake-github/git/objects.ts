import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync, inflateSync } from "node:zlib";

export type ObjectType = "blob" | "tree" | "commit" | "tag";

export interface GitObject {
  type: ObjectType;
  content: Buffer;
}

const FULL_SHA = /^[0-9a-f]{40}$/;

function header(type: ObjectType, content: Buffer): Buffer {
  return Buffer.from(`${type} ${content.length}\0`);
}

/** The id git gives `content` as an object of `type`: sha1 over `<type> <size>\0<content>`. */
export function objectId(type: ObjectType, content: Buffer): string {
  return createHash("sha1").update(header(type, content)).update(content).digest("hex");
}

/**
 * A bare repository's object database. The fake keeps every object loose (its repositories never
 * pack: `gc.auto=0`, and pushes are unpacked), so objects are read and written in-process; should a
 * pack appear anyway, reads fall back to `git cat-file`.
 */
export class ObjectStore {
  constructor(private readonly gitDir: string) {}

  private path(sha: string): string {
    return join(this.gitDir, "objects", sha.slice(0, 2), sha.slice(2));
  }

  /** Writes an object (a no-op when it exists) and returns its id. */
  write(type: ObjectType, content: Buffer): string {
    const sha = objectId(type, content);
    const path = this.path(sha);
    if (existsSync(path)) return sha;
    mkdirSync(join(this.gitDir, "objects", sha.slice(0, 2)), { recursive: true });
    const tmp = join(this.gitDir, "objects", sha.slice(0, 2), `tmp_obj_${randomBytes(6).toString("hex")}`);
    writeFileSync(tmp, deflateSync(Buffer.concat([header(type, content), content])));
    renameSync(tmp, path);
    return sha;
  }

  read(sha: string): GitObject | undefined {
    if (!FULL_SHA.test(sha)) return undefined;
    let raw: Buffer;
    try {
      raw = inflateSync(readFileSync(this.path(sha)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return this.readPacked(sha);
      throw err;
    }
    const nul = raw.indexOf(0);
    const type = raw.subarray(0, raw.indexOf(0x20)).toString("latin1") as ObjectType;
    return { type, content: raw.subarray(nul + 1) };
  }

  /** The ids of every object starting with `prefix` (lower-case hex, at least 4 digits). */
  findByPrefix(prefix: string): string[] {
    if (!/^[0-9a-f]{4,40}$/.test(prefix)) return [];
    const dir = join(this.gitDir, "objects", prefix.slice(0, 2));
    const loose = existsSync(dir) ? readdirSync(dir).filter((f) => f.length === 38 && f.startsWith(prefix.slice(2))).map((f) => `${prefix.slice(0, 2)}${f}`) : [];
    if (!this.hasPacks()) return loose;
    const out = execFileSync("git", ["rev-parse", `--disambiguate=${prefix}`], { cwd: this.gitDir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return [...new Set([...loose, ...out.split("\n").filter((l) => FULL_SHA.test(l))])];
  }

  private hasPacks(): boolean {
    const dir = join(this.gitDir, "objects", "pack");
    return existsSync(dir) && readdirSync(dir).some((f) => f.endsWith(".pack"));
  }

  private readPacked(sha: string): GitObject | undefined {
    if (!this.hasPacks()) return undefined;
    const out = execFileSync("git", ["cat-file", "--batch"], { cwd: this.gitDir, input: `${sha}\n`, stdio: ["pipe", "pipe", "ignore"], maxBuffer: 1 << 30 });
    const nl = out.indexOf(0x0a);
    const [, type, size] = out.subarray(0, nl).toString("latin1").split(" ");
    if (type === undefined || size === undefined || type === "missing") return undefined;
    return { type: type as ObjectType, content: out.subarray(nl + 1, nl + 1 + Number(size)) };
  }
}
