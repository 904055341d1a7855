/**
 * The body log: raw delivery bytes (stored headers, then the body) appended to numbered segment
 * files beside the database (`<db>-bodies/000001.log`, …). SQLite keeps only where each delivery's
 * bytes are (segment, offset, lengths), so its WAL and checkpoints move small rows instead of
 * 12 KB blobs written twice.
 *
 * Order of a durable commit (writer thread): append the batch's bytes, then fdatasync the segment
 * (on the thread pool) *while* the rows that point at them commit with their own fsync
 * (synchronous=FULL); the answer waits for both. A crash between the two can leave committed rows
 * pointing past the end of the log: those deliveries were never answered, and `repairTail`
 * (recovery.ts) removes them when the store opens. Bytes a crash left without a row are never
 * read, and appends continue after them.
 */
import { closeSync, fdatasync, fdatasyncSync, fstatSync, openSync, readdirSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { processAlive } from "../../../process-alive.js";
import { ensureDirectory } from "./directory.js";

/** A segment is closed and a new one started once it reaches this size. */
export const SEGMENT_BYTES = 256 * 1024 * 1024;

/** Where one delivery's bytes are. */
export interface LogLocation {
  seg: number;
  off: number;
}

/** The directory of a database file's body log. */
export function bodyLogDir(dbFile: string): string {
  return `${dbFile}-bodies`;
}

/** The file of segment `seg`. */
export const segmentFile = (dir: string, seg: number): string => join(dir, `${String(seg).padStart(6, "0")}.log`);

/** Appends to the newest segment (writer thread only). */
export class BodyLogWriter {
  private fd: number;
  private seg: number;
  private size: number;
  private dirty = false;

  constructor(private readonly dir: string, private readonly segmentBytes = SEGMENT_BYTES) {
    ensureDirectory(dir);
    takeLock(join(dir, "LOCK"));
    const segs = readdirSync(dir).map((f) => /^(\d+)\.log$/.exec(f)?.[1]).filter((n): n is string => n !== undefined).map(Number);
    this.seg = segs.length > 0 ? Math.max(...segs) : 1;
    this.fd = openSync(segmentFile(dir, this.seg), "a");
    this.size = fstatSync(this.fd).size;
  }

  /** Appends `bytes` (one write); returns where they start. Not durable until `sync()`. */
  append(bytes: Uint8Array): LogLocation {
    if (this.size > 0 && this.size + bytes.length > this.segmentBytes) this.rotate();
    const at = { seg: this.seg, off: this.size };
    let written = 0;
    while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written);
    this.size += bytes.length;
    this.dirty = true;
    return at;
  }

  /** Makes every appended byte durable. */
  sync(): void {
    if (!this.dirty) return;
    fdatasyncSync(this.fd);
    this.dirty = false;
  }

  /**
   * Like `sync()`, on libuv's thread pool, so that the caller can fsync something else meanwhile
   * (the writer commits the rows while the bytes sync). Resolves once every byte appended before
   * the call is durable.
   */
  syncInBackground(): Promise<void> {
    if (!this.dirty) return Promise.resolve();
    this.dirty = false;
    const fd = this.fd;
    return new Promise((resolve, reject) => fdatasync(fd, (err) => {
      if (err) {
        this.dirty = true;
        reject(err);
      } else resolve();
    }));
  }

  /** The segment appends go to; lower ones are closed (retention may remove them). */
  get current(): number {
    return this.seg;
  }

  /** The size of segment `seg` on disk (0 when it does not exist). */
  segmentSize(seg: number): number {
    if (seg === this.seg) return this.size;
    try {
      const fd = openSync(segmentFile(this.dir, seg), "r");
      try {
        return fstatSync(fd).size;
      } finally {
        closeSync(fd);
      }
    } catch {
      return 0;
    }
  }

  close(): void {
    this.sync();
    closeSync(this.fd);
    rmSync(join(this.dir, "LOCK"), { force: true });
  }

  private rotate(): void {
    this.sync();
    closeSync(this.fd);
    this.seg += 1;
    this.fd = openSync(segmentFile(this.dir, this.seg), "a");
    this.size = 0;
  }
}

/**
 * One process writes a store: a second one appending to the same body log would corrupt offsets.
 * The lock file holds the writer's pid; a lock whose process is gone (a crash) is taken over.
 */
function takeLock(file: string): void {
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: "wx" });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = Number(readFileSync(file, "utf8"));
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processAlive(holder)) {
      throw new Error(
        `the store is in use by process ${holder}; SQLite serves one process — for several (HOOKYARD_ROLE=ingress/worker) use a shared store (redis:// or postgres://)`,
      );
    }
    rmSync(file, { force: true }); // left by a process that is gone
  }
}

/** Reads stored bytes back (any thread); keeps one descriptor per segment it has read. */
export class BodyLogReader {
  private readonly fds = new Map<number, number>();

  constructor(private readonly dir: string) {}

  read(seg: number, off: number, length: number): Buffer {
    let fd = this.fds.get(seg);
    if (fd === undefined) this.fds.set(seg, (fd = openSync(segmentFile(this.dir, seg), "r")));
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, off + got);
      if (n === 0) throw new Error(`body log segment ${seg} ends before offset ${off + length}`);
      got += n;
    }
    return buf;
  }

  /** Closes the descriptor of a segment retention removed (an open one would keep its space). */
  forget(seg: number): void {
    const fd = this.fds.get(seg);
    if (fd === undefined) return;
    this.fds.delete(seg);
    closeSync(fd);
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}
