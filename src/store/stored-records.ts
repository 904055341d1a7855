/**
 * The part of `getRecord` / `putRecord` / `listRecords` every backend shares: input checks, the
 * value's JSON, the conflict error and pagination. A backend supplies a {@link RecordTable} (its
 * rows and an atomic compare-and-set) and answers the three methods with {@link RecordMethods}.
 */
import { HookyardError } from "../errors.js";
import type { Page, RecordFilter, StoredRecord } from "./backend.js";
import { decodeCursor, encodeCursor, pageSize } from "./cursor.js";

/** Most characters (Unicode code points) in a record's kind. */
export const MAX_RECORD_KIND = 64;
/** Most characters (Unicode code points) in a record's key. */
export const MAX_RECORD_KEY = 512;
/** Most bytes of a record's value as JSON (UTF-8): 1 MiB. */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** A record as a backend stores it: the value as JSON text, and `seq`, its place in creation order. */
export interface RecordRow {
  seq: number;
  key: string;
  version: number;
  /** The value as JSON text. */
  value: string;
  createdAt: number;
  updatedAt: number;
}

/** A put's outcome: the record's new version and times, or (nothing written) the version found instead. */
export type PutOutcome = { ok: true; version: number; createdAt: number; updatedAt: number } | { ok: false; stored: number };

/** What a backend implements for records; the arguments are already checked. */
export interface RecordTable {
  get(kind: string, key: string): Promise<RecordRow | null>;
  /**
   * Atomically: when the stored version (0 for none) equals `expectedVersion`, creates the record
   * (version 1, a new `seq`) or replaces its value (version + 1, `seq` and `createdAt` kept); else
   * writes nothing and answers the stored version.
   */
  put(kind: string, key: string, value: string, expectedVersion: number): Promise<PutOutcome>;
  /** Up to `count` rows of `kind` with `seq` below `before` (all when undefined), highest `seq` first. */
  list(kind: string, before: number | undefined, count: number): Promise<RecordRow[]>;
}

/**
 * The three record methods of a backend over its {@link RecordTable}.
 *
 * @example
 * ```ts
 * const records = new RecordMethods(table);
 * const run = await records.put("agent-run", "acme/widgets#12", { stage: "cloned" }, 0);
 * ```
 */
export class RecordMethods {
  constructor(private readonly table: RecordTable) {}

  async get(kind: string, key: string): Promise<StoredRecord | null> {
    checkName("kind", kind, MAX_RECORD_KIND);
    checkName("key", key, MAX_RECORD_KEY);
    const row = await this.table.get(kind, key);
    return row ? toStoredRecord(kind, row) : null;
  }

  async put(kind: string, key: string, value: unknown, expectedVersion: number): Promise<StoredRecord> {
    checkName("kind", kind, MAX_RECORD_KIND);
    checkName("key", key, MAX_RECORD_KEY);
    if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
      throw badRecord(`expectedVersion must be a whole number ≥ 0 (0 to create), not ${String(expectedVersion)}`);
    }
    const json = recordJson(value);
    const outcome = await this.table.put(kind, key, json, expectedVersion);
    if (!outcome.ok) {
      const found = outcome.stored === 0 ? "it does not exist" : `it is at version ${outcome.stored}`;
      const wanted = expectedVersion === 0 ? "was to be created" : `was expected at version ${expectedVersion}`;
      throw new HookyardError("HOOKYARD_ERR_STORE_CONFLICT", `record ${kind} ${JSON.stringify(key)} ${wanted}, but ${found}`);
    }
    const { version, createdAt, updatedAt } = outcome;
    return { kind, key, version, value: JSON.parse(json) as unknown, createdAt, updatedAt };
  }

  async list(kind: string, filter: RecordFilter = {}): Promise<Page<StoredRecord>> {
    checkName("kind", kind, MAX_RECORD_KIND);
    const limit = pageSize(filter.limit);
    const rows = await this.table.list(kind, decodeCursor(filter.cursor), limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map((r) => toStoredRecord(kind, r)), nextCursor: rows.length > limit && last ? encodeCursor(last.seq) : null };
  }
}

function toStoredRecord(kind: string, r: RecordRow): StoredRecord {
  return { kind, key: r.key, version: r.version, value: JSON.parse(r.value) as unknown, createdAt: r.createdAt, updatedAt: r.updatedAt };
}

/** NUL, or a UTF-16 surrogate without its pair: text no backend stores as given (Postgres refuses NUL, UTF-8 has no lone surrogates). */
const UNSTORABLE = /[\0\uD800-\uDFFF]/u;

function checkName(what: "kind" | "key", s: unknown, max: number): void {
  // a string of up to `max` UTF-16 units has at most `max` code points; past twice that, more
  const ok = typeof s === "string" && s.length > 0 && s.length <= 2 * max && (s.length <= max || [...s].length <= max) && !UNSTORABLE.test(s);
  if (!ok) throw badRecord(`a record's ${what} must be 1 to ${max} characters of text without NUL or unpaired surrogates`);
}

/** The value's JSON text; what is stored, and what reads give back parsed. */
function recordJson(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    throw badRecord(`a record's value must be JSON-serialisable: ${(err as Error).message}`);
  }
  if (json === undefined) throw badRecord(`a record's value must be JSON-serialisable, not ${typeof value}`);
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_RECORD_BYTES) throw badRecord(`a record's value is ${bytes} bytes as JSON; at most ${MAX_RECORD_BYTES} (1 MiB)`);
  return json;
}

function badRecord(message: string): HookyardError {
  return new HookyardError("HOOKYARD_ERR_STORE_RECORD_INVALID", message);
}
