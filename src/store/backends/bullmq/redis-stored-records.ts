import type { Redis } from "ioredis";
import type { PutOutcome, RecordRow, RecordTable } from "../../stored-records.js";
import type { RecordKeys } from "./redis-keys.js";
import { value, type RedisPipe } from "./redis-pipe.js";
import { defineScripts } from "./redis-scripts.js";

/**
 * Records (`getRecord` / `putRecord` / `listRecords`) in Redis: a hash and a sorted set per kind
 * (redis-keys.ts), changed by one Lua script (`PUT_RECORD` in redis-scripts.ts), so the version
 * check and the write are one atomic step. Commands go with the turn's pipeline.
 */
export class RedisRecordTable implements RecordTable {
  constructor(redis: Redis, private readonly pipe: RedisPipe, private readonly keys: RecordKeys) {
    defineScripts(redis);
  }

  async get(kind: string, key: string): Promise<RecordRow | null> {
    const [row] = await this.rows(kind, [key]);
    return row ?? null;
  }

  async put(kind: string, key: string, json: string, expectedVersion: number): Promise<PutOutcome> {
    const now = Date.now();
    const [reply] = await this.pipe.send([["hookyardPutRecord", this.keys.base, kind, key, json, expectedVersion, now]]);
    const [status, version, createdAt] = value(reply) as [string, number, string | number];
    if (status !== "ok") return { ok: false, stored: Number(version) };
    return { ok: true, version: Number(version), createdAt: Number(createdAt), updatedAt: now };
  }

  async list(kind: string, before: number | undefined, count: number): Promise<RecordRow[]> {
    const max = before === undefined ? "+inf" : `(${before}`;
    const [reply] = await this.pipe.send([["zrevrangebyscore", this.keys.recordIndex(kind), max, "-inf", "LIMIT", 0, count]]);
    return this.rows(kind, value(reply) as string[]);
  }

  /** The records of `kind` with these keys (those that exist), in the order given. */
  private async rows(kind: string, keys: string[]): Promise<RecordRow[]> {
    if (keys.length === 0) return [];
    const fields = keys.flatMap((k) => [`n:${k}`, `s:${k}`, `c:${k}`, `u:${k}`, `v:${k}`]);
    const [reply] = await this.pipe.send([["hmget", this.keys.records(kind), ...fields]]);
    const values = value(reply) as (string | null)[];
    return keys.flatMap((key, i) => {
      const [version, seq, createdAt, updatedAt, json] = values.slice(i * 5, i * 5 + 5);
      if (!version || !json) return [];
      return [{ key, version: Number(version), seq: Number(seq), createdAt: Number(createdAt), updatedAt: Number(updatedAt), value: json }];
    });
  }
}
