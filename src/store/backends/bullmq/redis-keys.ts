/**
 * Where Hookyard's records live in Redis: under `<prefix>:<queue>:rec:`, next to BullMQ's own keys
 * for the queue (`<prefix>:<queue>:wait`, `…:active`, one hash per job). A BullMQ job key is
 * `<prefix>:<queue>:<jobId>` (plus `:lock`, `:logs`), so the two-level names below never collide
 * with one. With a hash-tagged prefix (`{hookyard}`) every key lands in one Redis Cluster slot.
 *
 * | Key (after the base) | Type | Holds |
 * | --- | --- | --- |
 * | `seq` | string | insertion counter: the order of lists and cursors |
 * | `dedup:<delivery>` | string | `X-GitHub-Delivery` seen; never expires (dedup outlives job retention) |
 * | `d:<delivery>` | hash | delivery fields, headers (JSON) |
 * | `body:<delivery>` | string | the raw body bytes |
 * | `t:<task>` | hash | task fields: state, attempts, lease owner and token, last error, … |
 * | `att:<task>` | list | finished attempts (JSON), oldest first |
 * | `ix:d`, `ix:d:<field>:<value>` | zset | delivery ids by seq: all, by event / action / repo / status |
 * | `ix:t`, `ix:t:<field>:<value>` | zset | task ids by seq: all, by state / name / event / repo / delivery |
 * | `due` | zset | open task ids by when they are next claimable (runAt, or lease end) |
 * | `leases` | zset | running task ids by lease end |
 * | `r:<kind>` | hash | the records of a kind (`putRecord`): per key, fields `n:<key>` version, `s:<key>` seq, `c:<key>` / `u:<key>` created / updated at, `v:<key>` value (JSON) |
 * | `rix:<kind>` | zset | record keys of a kind by seq (creation order) |
 */

/** Key names under one store's base. */
export interface RecordKeys {
  base: string;
  /** BullMQ's key prefix of the queue's jobs (`<prefix>:<queue>:`; a job's lock is `<jobs><id>:lock`). */
  jobs: string;
  /** BullMQ's list of active jobs (a fetch pushes the job it hands out at its head). */
  active: string;
  seq: string;
  dedup(deliveryId: string): string;
  delivery(id: string): string;
  body(id: string): string;
  task(id: string): string;
  attempts(taskId: string): string;
  due: string;
  leases: string;
  /** The hash of the records of `kind` (fields per key: see the table above). */
  records(kind: string): string;
  /** The sorted set of the record keys of `kind`, by seq. */
  recordIndex(kind: string): string;
  /** Index suffixes (relative to `base`), as the paging script takes them. */
  deliveryIndex(field?: "event" | "action" | "repo" | "status", value?: string): string;
  taskIndex(field?: "state" | "name" | "event" | "repo" | "delivery", value?: string): string;
}

export function recordKeys(prefix: string, queue: string): RecordKeys {
  const base = `${prefix}:${queue}:rec:`;
  return {
    base,
    jobs: `${prefix}:${queue}:`,
    active: `${prefix}:${queue}:active`,
    seq: `${base}seq`,
    dedup: (id) => `${base}dedup:${id}`,
    delivery: (id) => `${base}d:${id}`,
    body: (id) => `${base}body:${id}`,
    task: (id) => `${base}t:${id}`,
    attempts: (id) => `${base}att:${id}`,
    due: `${base}due`,
    leases: `${base}leases`,
    records: (kind) => `${base}r:${kind}`,
    recordIndex: (kind) => `${base}rix:${kind}`,
    deliveryIndex: (field, value) => (field ? `ix:d:${field}:${value}` : "ix:d"),
    taskIndex: (field, value) => (field ? `ix:t:${field}:${value}` : "ix:t"),
  };
}
