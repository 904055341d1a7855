/**
 * Lua scripts that change Hookyard's records in Redis (key layout: redis-keys.ts). Each runs
 * atomically, so a record and its indexes never disagree. ARGV[1] is always the records' key base.
 * Timestamps arrive as decimal strings computed by the caller and are stored as given.
 */
import type { Redis } from "ioredis";
import { PRELUDE } from "./redis-lua.js";
import { PAGE } from "./redis-page.js";

/**
 * Dedup + delivery + tasks, for each delivery of a group commit. ARGV: base, the batch as JSON:
 * per delivery {id, event, action or '', repository or '', status, {field, value, …} of its hash,
 * tasks (see `insertTasks`)}. Returns per delivery 0 for a duplicate (nothing written) or 1. The
 * body is not an argument: a 12 KB argument costs a script more than the rest of its work, so the
 * caller stores it with a plain `SET … NX` in the same transaction (a duplicate's body key exists
 * already). Everything arrives flat (field lists, not objects) so that the script only calls Redis.
 */
export const ACCEPT = `${PRELUDE}
local batch = cjson.decode(ARGV[2])
local n = 0
for _, d in ipairs(batch) do n = n + 1 + #d[7] end
local seq = redis.call('INCRBY', base .. 'seq', n) - n
local ixd = base .. 'ix:d'
local out = {}
for i, d in ipairs(batch) do
  local did = d[1]
  if redis.call('SET', base .. 'dedup:' .. did, '1', 'NX') then
    seq = seq + 1
    redis.call('HSET', base .. 'd:' .. did, 'seq', seq, unpack(d[6]))
    redis.call('ZADD', ixd, seq, did)
    redis.call('ZADD', key('ix:d:event:', d[2]), seq, did)
    if d[3] ~= '' then redis.call('ZADD', key('ix:d:action:', d[3]), seq, did) end
    if d[4] ~= '' then redis.call('ZADD', key('ix:d:repo:', d[4]), seq, did) end
    redis.call('ZADD', key('ix:d:status:', d[5]), seq, did)
    seq = insertTasks(did, d[2], d[3], d[4], d[7], seq)
    out[i] = 1
  else
    -- a pruned delivery's id (its tombstone): the body this transaction just set has no delivery
    if redis.call('EXISTS', base .. 'd:' .. did) == 0 then redis.call('DEL', base .. 'body:' .. did) end
    out[i] = 0
  end
end
return out
`;

/** Tasks onto a stored delivery (replay). ARGV: base, delivery id, tasks JSON (see `insertTasks`). -1 when there is no such delivery. */
export const ADD_TASKS = `${PRELUDE}
local did = ARGV[2]
local dk = base .. 'd:' .. did
if redis.call('EXISTS', dk) == 0 then return -1 end
local tasks = cjson.decode(ARGV[3])
if #tasks == 0 then return 1 end
local h = redis.call('HMGET', dk, 'event', 'action', 'repository', 'status', 'seq')
if h[4] ~= 'accepted' then
  redis.call('HSET', dk, 'status', 'accepted')
  redis.call('ZREM', base .. 'ix:d:status:' .. h[4], did)
  redis.call('ZADD', base .. 'ix:d:status:accepted', h[5], did)
end
insertTasks(did, h[1], h[2] or '', h[3] or '', tasks, redis.call('INCRBY', base .. 'seq', #tasks) - #tasks)
return 1
`;

/**
 * Decides each handed-out job. ARGV: base, now, owner, lease end, lost-attempt error JSON, then
 * (job id, lock token) pairs. Returns per job what `claimOne` (redis-lua.ts) decided.
 */
export const CLAIM = `${PRELUDE}
local now, owner, leaseUntil, lostErr = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local out = {}
for i = 6, #ARGV, 2 do
  out[#out + 1] = claimOne(ARGV[i], ARGV[i + 1], now, owner, leaseUntil, lostErr)
end
return out
`;

/**
 * Lapsed leases → lost attempts. ARGV: base, now, limit, lost-attempt error JSON, BullMQ job key
 * prefix (`<prefix>:<queue>:`). Returns {id, token ('' when claimed at creation), 'queued'|'failed',
 * name, deliveryId} per task. The lapsed lease's BullMQ lock, if still there, is deleted with it: the
 * lease is void, so its holder's late move of the job (a finish sent in one transaction with its
 * record change, redis-finish.ts) must find no lock and change nothing.
 */
export const RECOVER = `${PRELUDE}
local now, lostErr, jobs = ARGV[2], ARGV[4], ARGV[5]
local ids = redis.call('ZRANGEBYSCORE', kLeases, '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  local k = tkey(id)
  local t = redis.call('HMGET', k, 'state', 'attempts', 'maxAttempts', 'seq', 'startedAt', 'token', 'name', 'deliveryId')
  redis.call('ZREM', kLeases, id)
  if t[1] == 'running' then
    closeAttempt(id, t[2], t[5], now, 'lost', lostErr)
    unlease(id, k)
    if t[6] and redis.call('GET', jobs .. id .. ':lock') == t[6] then redis.call('DEL', jobs .. id .. ':lock') end
    local to = 'queued'
    if tonumber(t[2]) >= tonumber(t[3]) then
      to = 'failed'
      redis.call('ZREM', kDue, id)
    else
      redis.call('HSET', k, 'runAt', now)
      redis.call('ZADD', kDue, now, id)
    end
    redis.call('HSET', k, 'state', to, 'lastError', lostErr, 'updatedAt', now)
    moveState(id, 'running', to, t[4])
    out[#out + 1] = {id, t[6] or '', to, t[7], t[8]}
  end
end
return out
`;

/**
 * Renews leases. ARGV: base, owner, lease end, task ids. Returns per id nil (not held) or
 * {token ('' when claimed at creation), name, deliveryId}.
 */
export const EXTEND = `${PRELUDE}
local out = {}
for i = 4, #ARGV do
  local id = ARGV[i]
  local k = tkey(id)
  local t = redis.call('HMGET', k, 'state', 'owner', 'token', 'name', 'deliveryId')
  if t[1] == 'running' and t[2] == ARGV[2] then
    redis.call('HSET', k, 'leaseUntil', ARGV[3])
    redis.call('ZADD', kDue, ARGV[3], id)
    redis.call('ZADD', kLeases, ARGV[3], id)
    out[i - 3] = {t[3] or '', t[4], t[5]}
  else
    out[i - 3] = false
  end
end
return out
`;

/**
 * An attempt's end. ARGV: base, now, owner, task id, outcome, runAt, error JSON (or '').
 * Returns nil when the owner does not hold the task, else {token ('' when claimed at creation), name, deliveryId}.
 */
export const FINISH = `${PRELUDE}
local err = ARGV[7]
if err == '' then err = nil end
return finishOne(ARGV[4], ARGV[3], ARGV[2], ARGV[5], ARGV[6], err)
`;

/**
 * Attempts' ends (a turn's finishes), sent in one transaction after BullMQ's `moveToFinished` of
 * each one's job (with `fetchNext` where a claim is wanted), each of which may have fetched the
 * queue's next job under its own lock token. A fetch pushes the job it hands out at the head of
 * BullMQ's active list and locks it with the token, so the fetched jobs are found among the newest
 * active ones by their lock, and each is claimed here for the owner whose finish fetched it, its
 * lock set to last as long as the lease (and, when asked, its delivery's body and content type are
 * returned, read by the task as it starts).
 * ARGV: base, (unused), lost-attempt error JSON, BullMQ active list key, BullMQ job key prefix, '1' to
 * return bodies, then per finish: owner, task id, outcome, error JSON (or ''), lock token, lease end
 * of the next claim ('' for none), now. Returns per finish {finish reply (nil | {token, name,
 * deliveryId}), next job id | nil, claimOne's decision | nil, body | nil, content type | nil}.
 */
export const FINISH_NEXT = `${PRELUDE}
local lostErr, active, jobs, bodies = ARGV[3], ARGV[4], ARGV[5], ARGV[6] == '1'
local wanted = 0
for a = 7, #ARGV, 7 do if ARGV[a + 5] ~= '' then wanted = wanted + 1 end end
local fetched = {}
if wanted > 0 then
  for _, jid in ipairs(redis.call('LRANGE', active, 0, wanted - 1)) do
    local lock = redis.call('GET', jobs .. jid .. ':lock')
    if lock then fetched[lock] = jid end
  end
end
local out = {}
for a = 7, #ARGV, 7 do
  local owner, id, token, leaseUntil, now = ARGV[a], ARGV[a + 1], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6]
  local err = ARGV[a + 3]
  if err == '' then err = nil end
  local r = {finishOne(id, owner, now, ARGV[a + 2], '', err)}
  local next = leaseUntil ~= '' and fetched[token]
  if next and next ~= id then
    local d = claimOne(next, token, now, owner, leaseUntil, lostErr)
    r[2] = next
    r[3] = d
    -- the move locked the job for the worker's lock duration: the lock lasts as long as the lease
    if d[1] == 'claim' then redis.call('PEXPIRE', jobs .. next .. ':lock', tonumber(leaseUntil) - tonumber(now)) end
    if bodies and d[1] == 'claim' then
      r[4] = redis.call('GET', base .. 'body:' .. d[5]) or ''
      r[5] = redis.call('HGET', base .. 'd:' .. d[5], 'contentType') or ''
    end
  end
  out[#out + 1] = r
end
return out
`;

/** failed|cancelled → queued. ARGV: base, now, task id. Returns {'ok'} | {'missing'} | {'conflict', state}. */
export const RETRY = `${PRELUDE}
local now, id = ARGV[2], ARGV[3]
local k = tkey(id)
local t = redis.call('HMGET', k, 'state', 'seq')
if not t[1] then return {'missing'} end
if t[1] ~= 'failed' and t[1] ~= 'cancelled' then return {'conflict', t[1]} end
unlease(id, k)
redis.call('HSET', k, 'state', 'queued', 'attempts', 0, 'runAt', now, 'updatedAt', now)
moveState(id, t[1], 'queued', t[2])
redis.call('ZADD', kDue, now, id)
return {'ok'}
`;

/**
 * queued|retrying|running → cancelled. ARGV: base, now, task id. Returns {'ok', token ('' unless
 * it was running under a lock), name, deliveryId} | {'missing'} | {'conflict', state}.
 */
export const CANCEL = `${PRELUDE}
local now, id = ARGV[2], ARGV[3]
local k = tkey(id)
local t = redis.call('HMGET', k, 'state', 'token', 'attempts', 'startedAt', 'seq', 'name', 'deliveryId')
if not t[1] then return {'missing'} end
if t[1] ~= 'queued' and t[1] ~= 'retrying' and t[1] ~= 'running' then return {'conflict', t[1]} end
if t[1] == 'running' then closeAttempt(id, t[3], t[4], now, 'cancelled', nil) end
unlease(id, k)
redis.call('ZREM', kDue, id)
redis.call('HSET', k, 'state', 'cancelled', 'updatedAt', now)
moveState(id, t[1], 'cancelled', t[5])
return {'ok', t[2] or '', t[6], t[7]}
`;

/**
 * A record's compare-and-set (`putRecord`). ARGV: base, kind, key, value JSON, expected version,
 * now. The records of a kind are one hash (`r:<kind>`: fields `n:`, `s:`, `c:`, `u:` and `v:` + the
 * key hold version, seq, createdAt, updatedAt and value) and one sorted set (`rix:<kind>`: keys by
 * seq, for lists). Returns {'ok', version, createdAt} or, writing nothing, {'conflict', stored
 * version (0: none)}.
 */
export const PUT_RECORD = `
local base, kind, key, value, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[6]
local h = base .. 'r:' .. kind
local f = redis.call('HMGET', h, 'n:' .. key, 'c:' .. key)
local stored = tonumber(f[1] or '0')
if stored ~= tonumber(ARGV[5]) then return {'conflict', stored} end
local created = f[2] or now
if stored == 0 then
  local seq = redis.call('INCR', base .. 'seq')
  redis.call('ZADD', base .. 'rix:' .. kind, seq, key)
  redis.call('HSET', h, 's:' .. key, seq, 'c:' .. key, now)
end
redis.call('HSET', h, 'n:' .. key, stored + 1, 'u:' .. key, now, 'v:' .. key, value)
return {'ok', stored + 1, created}
`;

/** Script names and sources, registered on the ioredis client with `defineCommand`. */
export const SCRIPTS = {
  hookyardAccept: ACCEPT,
  hookyardAddTasks: ADD_TASKS,
  hookyardClaim: CLAIM,
  hookyardRecover: RECOVER,
  hookyardExtend: EXTEND,
  hookyardFinish: FINISH,
  hookyardFinishNext: FINISH_NEXT,
  hookyardRetry: RETRY,
  hookyardCancel: CANCEL,
  hookyardPutRecord: PUT_RECORD,
  hookyardPage: PAGE,
} as const;

export type ScriptName = keyof typeof SCRIPTS;

/** Registers every record script on `redis` (once: a connection that has them keeps them). */
export function defineScripts(redis: Redis): void {
  for (const [name, lua] of Object.entries(SCRIPTS)) {
    if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: 0, lua });
  }
}
