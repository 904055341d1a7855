import type { Redis } from "ioredis";
import { HookyardError } from "../../../errors.js";
import type {
  AttemptRecord, DeliveryDetail, DeliveryFilter, DeliverySummary, Page, TaskCounts, TaskDetail, TaskFilter, TaskState, TaskSummary,
} from "../../backend.js";
import { TASK_STATES } from "../../backend.js";
import { decodeCursor, encodeCursor, pageSize } from "../../cursor.js";
import { parseError } from "./records.js";
import type { RecordKeys } from "./redis-keys.js";
import { value, type RedisPipe } from "./redis-pipe.js";
import type { ScriptName } from "./redis-scripts.js";

/** Most members one page request examines before it answers with a shorter page and a cursor. */
const PAGE_BUDGET = 5_000;
/** How long a readiness PING may take. */
const PING_TIMEOUT_MS = 2_000;

type Hash = Record<string, string>;

/** Reads of the Redis records: plain commands, pipelined, plus the paging script over the indexes. */
export abstract class RedisReads {
  constructor(
    protected readonly redis: Redis,
    protected readonly keys: RecordKeys,
    protected readonly pipe: RedisPipe,
  ) {}

  protected abstract script(name: ScriptName, args: (string | number | Buffer)[]): Promise<unknown>;

  async nextWakeAt(): Promise<number | null> {
    const [, score] = await this.redis.zrange(this.keys.due, 0, 0, "WITHSCORES");
    return score === undefined ? null : Number(score);
  }

  async getDelivery(id: string): Promise<DeliveryDetail | null> {
    const [fields, body, taskIds] = await Promise.all([
      this.redis.hgetall(this.keys.delivery(id)),
      this.redis.getBuffer(this.keys.body(id)),
      this.redis.zrange(this.keys.base + this.keys.taskIndex("delivery", id), 0, -1),
    ]);
    if (fields.event === undefined) return null;
    return {
      ...toDelivery(id, fields), headers: JSON.parse(fields.headers ?? "{}"), contentType: fields.contentType ?? "",
      body: new Uint8Array(body ?? Buffer.alloc(0)), tasks: await this.summaries(taskIds),
    };
  }

  async getBody(id: string): Promise<{ body: Uint8Array; contentType: string } | null> {
    // with the other commands of this event-loop turn (a task's body is read as it starts)
    const [contentType, body] = await this.pipe.send([["hget", this.keys.delivery(id), "contentType"], ["getBuffer", this.keys.body(id)]]);
    if (value(contentType) === null) return null;
    return { body: (value(body) as Buffer | null) ?? Buffer.alloc(0), contentType: value(contentType) as string };
  }

  async listDeliveries(filter: DeliveryFilter): Promise<Page<DeliverySummary>> {
    const k = this.keys;
    const indexes = [
      filter.event === undefined ? null : k.deliveryIndex("event", filter.event),
      filter.action === undefined ? null : k.deliveryIndex("action", filter.action),
      filter.repository === undefined ? null : k.deliveryIndex("repo", filter.repository),
      filter.status === undefined ? null : k.deliveryIndex("status", filter.status),
    ].filter((x): x is string => x !== null);
    const { ids, nextCursor } = await this.page(indexes.length ? indexes : [k.deliveryIndex()], filter);
    const rows = await this.hashes(ids.map((id) => k.delivery(id)));
    return { items: ids.flatMap((id, i) => (rows[i]?.event === undefined ? [] : [toDelivery(id, rows[i]!)])), nextCursor };
  }

  async getTask(id: string): Promise<TaskDetail | null> {
    const [h, attempts] = await Promise.all([this.redis.hgetall(this.keys.task(id)), this.redis.lrange(this.keys.attempts(id), 0, -1)]);
    if (h.state === undefined) return null;
    const attemptLog = attempts.map((a) => JSON.parse(a) as AttemptRecord);
    if (h.state === "running") {
      attemptLog.push({ attempt: Number(h.attempts), startedAt: Number(h.startedAt ?? h.updatedAt), endedAt: null, outcome: "running", error: null });
    }
    return { ...toTask(id, h), backoff: JSON.parse(h.backoff ?? "null"), timeoutMs: Number(h.timeoutMs), attemptLog };
  }

  async listTasks(filter: TaskFilter): Promise<Page<TaskSummary>> {
    const k = this.keys;
    const indexes = [
      filter.state === undefined ? null : k.taskIndex("state", filter.state),
      filter.name === undefined ? null : k.taskIndex("name", filter.name),
      filter.event === undefined ? null : k.taskIndex("event", filter.event),
      filter.repository === undefined ? null : k.taskIndex("repo", filter.repository),
      filter.deliveryId === undefined ? null : k.taskIndex("delivery", filter.deliveryId),
    ].filter((x): x is string => x !== null);
    const { ids, nextCursor } = await this.page(indexes.length ? indexes : [k.taskIndex()], filter);
    return { items: await this.summaries(ids), nextCursor };
  }

  async countTasks(): Promise<TaskCounts> {
    const pipe = this.redis.pipeline();
    for (const s of TASK_STATES) pipe.zcard(this.keys.base + this.keys.taskIndex("state", s));
    const replies = (await pipe.exec()) ?? [];
    return Object.fromEntries(TASK_STATES.map((s, i) => [s, Number(replies[i]?.[1] ?? 0)])) as TaskCounts;
  }

  /**
   * A round trip, bounded: while the connection is down commands wait in ioredis's queue for the
   * reconnect, so readiness fails at once on a broken connection and after `PING_TIMEOUT_MS` otherwise.
   */
  async ping(): Promise<void> {
    if (this.redis.status !== "ready") throw new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", `the Redis connection is ${this.redis.status}`);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", `Redis did not answer PING within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.redis.ping(), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One page of ids, newest first: the intersection of `indexes`, below the cursor. */
  private async page(indexes: string[], filter: { limit?: number; cursor?: string }): Promise<{ ids: string[]; nextCursor: string | null }> {
    const limit = pageSize(filter.limit);
    const before = decodeCursor(filter.cursor);
    const [resume = "", ...flat] = (await this.script("hookyardPage", [before === undefined ? "" : String(before), limit + 1, PAGE_BUDGET, ...indexes])) as string[];
    const found: { id: string; seq: number }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) found.push({ id: flat[i]!, seq: Number(flat[i + 1]) });
    const page = found.slice(0, limit);
    const last = page.at(-1);
    if (found.length > limit && last) return { ids: page.map((f) => f.id), nextCursor: encodeCursor(last.seq) };
    return { ids: page.map((f) => f.id), nextCursor: resume === "" ? null : encodeCursor(Number(resume)) };
  }

  private async summaries(ids: string[]): Promise<TaskSummary[]> {
    const rows = await this.hashes(ids.map((id) => this.keys.task(id)));
    return ids.flatMap((id, i) => (rows[i]?.state === undefined ? [] : [toTask(id, rows[i]!)]));
  }

  private async hashes(keys: string[]): Promise<Hash[]> {
    if (keys.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const key of keys) pipe.hgetall(key);
    const replies = (await pipe.exec()) ?? [];
    return replies.map(([err, value]) => {
      if (err) throw err;
      return value as Hash;
    });
  }
}

function toDelivery(id: string, h: Hash): DeliverySummary {
  return {
    id, event: h.event ?? "", action: h.action ?? null, repository: h.repository ?? null,
    installationId: h.installationId === undefined ? null : Number(h.installationId),
    status: h.status as DeliverySummary["status"], receivedAt: Number(h.receivedAt),
  };
}

function toTask(id: string, h: Hash): TaskSummary {
  return {
    id, name: h.name ?? "", deliveryId: h.deliveryId ?? "", event: h.event ?? "", action: h.action ?? null,
    repository: h.repository ?? null, state: h.state as TaskState, attempts: Number(h.attempts), maxAttempts: Number(h.maxAttempts),
    runAt: Number(h.runAt), createdAt: Number(h.createdAt), updatedAt: Number(h.updatedAt), lastError: parseError(h.lastError),
  };
}
