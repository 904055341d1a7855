/**
 * Retention on the Redis records: one Lua script per batch, so that a delivery and its tasks go
 * together and no transition (a retry of a failed task) can interleave with the check. The batch
 * walks the delivery index `ix:d` from the oldest seq (after the cursor) and stops at the first
 * delivery received after `before` (seq order is arrival order). What goes: the delivery hash, its
 * body, its tasks' hashes and attempt lists, their entries in every index, and any BullMQ job key
 * left for them (settled tasks' jobs are removed by BullMQ already). The `dedup:<id>` key stays as
 * the tombstone, listed in the sorted set `tomb` by received time until `tombstonesBefore` drops it.
 */
import type { Redis } from "ioredis";
import type { PruneOptions, PruneResult } from "../../backend.js";
import type { RecordKeys } from "./redis-keys.js";

// ARGV: base, jobs prefix, before, failedBefore, tombstonesBefore, afterSeq, limit, dryRun ('1' | '0')
// returns {deliveries, tasks, bytes, tombstones, cursor ('' when the walk ended)}
const PRUNE = `
local base, jobs = ARGV[1], ARGV[2]
local before, failedBefore, tombBefore = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local limit, dry = tonumber(ARGV[7]), ARGV[8] == '1'
local ids = redis.call('ZRANGEBYSCORE', base .. 'ix:d', '(' .. ARGV[6], '+inf', 'WITHSCORES', 'LIMIT', 0, limit)
local nd, nt, bytes, cursor = 0, 0, 0, ''
for i = 1, #ids, 2 do
  local did, seq = ids[i], ids[i + 1]
  local dk = base .. 'd:' .. did
  local d = redis.call('HMGET', dk, 'receivedAt', 'event', 'action', 'repository', 'status')
  local receivedAt = tonumber(d[1])
  if receivedAt and receivedAt >= before then cursor = ''; break end
  cursor = seq
  local byDelivery = base .. 'ix:t:delivery:' .. did
  local tids = redis.call('ZRANGE', byDelivery, 0, -1)
  local tasks, ok = {}, receivedAt ~= nil
  for _, tid in ipairs(tids) do
    local t = redis.call('HMGET', base .. 't:' .. tid, 'state', 'updatedAt', 'name', 'event', 'repository')
    local state, updatedAt = t[1], tonumber(t[2] or '0')
    if state == 'queued' or state == 'running' or state == 'retrying' or updatedAt >= before
      or (state == 'failed' and updatedAt >= failedBefore) then ok = false; break end
    tasks[#tasks + 1] = {tid, t}
  end
  if ok then
    nd = nd + 1
    nt = nt + #tasks
    bytes = bytes + redis.call('STRLEN', base .. 'body:' .. did) + redis.call('HSTRLEN', dk, 'headers')
    if not dry then
      for _, e in ipairs(tasks) do
        local tid, t = e[1], e[2]
        redis.call('DEL', base .. 't:' .. tid, base .. 'att:' .. tid, jobs .. tid, jobs .. tid .. ':logs', jobs .. tid .. ':lock')
        redis.call('ZREM', base .. 'ix:t', tid)
        if t[1] then redis.call('ZREM', base .. 'ix:t:state:' .. t[1], tid) end
        if t[3] then redis.call('ZREM', base .. 'ix:t:name:' .. t[3], tid) end
        if t[4] then redis.call('ZREM', base .. 'ix:t:event:' .. t[4], tid) end
        if t[5] then redis.call('ZREM', base .. 'ix:t:repo:' .. t[5], tid) end
        redis.call('ZREM', base .. 'due', tid)
        redis.call('ZREM', base .. 'leases', tid)
      end
      redis.call('DEL', dk, base .. 'body:' .. did, byDelivery)
      redis.call('ZREM', base .. 'ix:d', did)
      if d[2] then redis.call('ZREM', base .. 'ix:d:event:' .. d[2], did) end
      if d[3] then redis.call('ZREM', base .. 'ix:d:action:' .. d[3], did) end
      if d[4] then redis.call('ZREM', base .. 'ix:d:repo:' .. d[4], did) end
      if d[5] then redis.call('ZREM', base .. 'ix:d:status:' .. d[5], did) end
      redis.call('ZADD', base .. 'tomb', receivedAt, did)
    end
  end
end
if #ids < 2 * limit then cursor = '' end
local tombs = 0
if dry then
  if ARGV[6] == '0' then tombs = redis.call('ZCOUNT', base .. 'tomb', '-inf', '(' .. ARGV[5]) end
else
  local old = redis.call('ZRANGEBYSCORE', base .. 'tomb', '-inf', '(' .. ARGV[5], 'LIMIT', 0, limit)
  for _, did in ipairs(old) do
    redis.call('DEL', base .. 'dedup:' .. did)
    redis.call('ZREM', base .. 'tomb', did)
  end
  tombs = #old
end
return {nd, nt, bytes, tombs, cursor}
`;

/** Runs one prune batch on the Redis records (see `Backend.prune`). */
export async function pruneRedis(redis: Redis, keys: RecordKeys, o: PruneOptions): Promise<PruneResult> {
  const reply = (await redis.eval(PRUNE, 0, keys.base, keys.jobs, o.before, Math.min(o.before, o.failedBefore), o.tombstonesBefore,
    o.cursor ?? "0", o.limit, o.dryRun ? "1" : "0")) as [number, number, number, number, string];
  const [deliveries, tasks, bytes, tombstones, cursor] = reply;
  return { deliveries, tasks, bytes, tombstones, cursor: cursor === "" ? null : String(cursor) };
}
