/** The memory store's records (`getRecord` / `putRecord` / `listRecords`): a map per kind. */
import type { PutOutcome, RecordRow, RecordTable } from "../../stored-records.js";

export class MemoryRecordTable implements RecordTable {
  private readonly kinds = new Map<string, Map<string, RecordRow>>();
  private seq = 0;

  constructor(private readonly now: () => number) {}

  async get(kind: string, key: string): Promise<RecordRow | null> {
    const row = this.kinds.get(kind)?.get(key);
    return row ? { ...row } : null;
  }

  async put(kind: string, key: string, value: string, expectedVersion: number): Promise<PutOutcome> {
    let rows = this.kinds.get(kind);
    const row = rows?.get(key);
    const stored = row?.version ?? 0;
    if (stored !== expectedVersion) return { ok: false, stored };
    const now = this.now();
    if (row) {
      Object.assign(row, { version: row.version + 1, value, updatedAt: now });
      return { ok: true, version: row.version, createdAt: row.createdAt, updatedAt: now };
    }
    if (!rows) this.kinds.set(kind, (rows = new Map()));
    rows.set(key, { seq: ++this.seq, key, version: 1, value, createdAt: now, updatedAt: now });
    return { ok: true, version: 1, createdAt: now, updatedAt: now };
  }

  async list(kind: string, before: number | undefined, count: number): Promise<RecordRow[]> {
    const rows = [...(this.kinds.get(kind)?.values() ?? [])].filter((r) => before === undefined || r.seq < before);
    return rows.sort((a, b) => b.seq - a.seq).slice(0, count).map((r) => ({ ...r }));
  }
}
