/**
 * Lua scripts that change Hookyard's records in Redis (key layout: redis-keys.ts). Each runs
 * atomically, so a record and its indexes never disagree. ARGV[1] is always the records' key base.
 * Timestamps arrive as decimal strings computed by the caller and are stored as given.
 */
import { PAGE } from "./redis-page.js";

/** Helpers shared by the scripts. */
const PRELUDE = `
local base = ARGV[1]
local function tkey(id) return base .. 't:' .. id end
local function hsetTable(key, t)
  local args = {}
  for k, v in pairs(t) do args[#args + 1] = k; args[#args + 1] = v end
  if #args > 0 then redis.call('HSET', key, unpack(args)) end
end
local function moveState(id, from, to, seq)
  if from then redis.call('ZREM', base .. 'ix:t:state:' .. from, id) end
  redis.call('ZADD', base .. 'ix:t:state:' .. to, seq, id)
end
-- an attempt's entry is written once, when it ends (the running one lives in the task hash)
local function closeAttempt(id, attempt, startedAt, now, outcome, err)
  redis.call('RPUSH', base .. 'att:' .. id, '{"attempt":' .. attempt .. ',"startedAt":' .. startedAt ..
    ',"endedAt":' .. now .. ',"outcome":"' .. outcome .. '","error":' .. (err or 'null') .. '}')
end
local function unlease(id, k)
  redis.call('HDEL', k, 'owner', 'token', 'leaseUntil', 'startedAt')
  redis.call('ZREM', base .. 'leases', id)
end
local function insertTasks(did, d, tasks)
  for _, t in ipairs(tasks) do
    local seq = redis.call('INCR', base .. 'seq')
    local f = t.f
    f.deliveryId = did; f.event = d.event; f.action = d.action; f.repository = d.repository; f.seq = seq
    hsetTable(tkey(t.id), f)
    redis.call('ZADD', base .. 'ix:t', seq, t.id)
    redis.call('ZADD', base .. 'ix:t:state:' .. f.state, seq, t.id)
    redis.call('ZADD', base .. 'ix:t:name:' .. f.name, seq, t.id)
    redis.call('ZADD', base .. 'ix:t:event:' .. d.event, seq, t.id)
    if d.repository then redis.call('ZADD', base .. 'ix:t:repo:' .. d.repository, seq, t.id) end
    redis.call('ZADD', base .. 'ix:t:delivery:' .. did, seq, t.id)
    redis.call('ZADD', base .. 'due', t.due, t.id)
    if f.state == 'running' then redis.call('ZADD', base .. 'leases', f.leaseUntil, t.id) end
  end
end
`;

/**
 * Dedup + delivery + tasks. ARGV: base, delivery id, body, delivery fields (JSON, strings, nulls
 * omitted), tasks (JSON [{id, due, f: fields}]). Returns 0 for a duplicate (nothing written), 1.
 */
export const ACCEPT = `${PRELUDE}
local did = ARGV[2]
if not redis.call('SET', base .. 'dedup:' .. did, '1', 'NX') then return 0 end
local d = cjson.decode(ARGV[4])
local seq = redis.call('INCR', base .. 'seq')
d.seq = seq
hsetTable(base .. 'd:' .. did, d)
redis.call('SET', base .. 'body:' .. did, ARGV[3])
redis.call('ZADD', base .. 'ix:d', seq, did)
redis.call('ZADD', base .. 'ix:d:event:' .. d.event, seq, did)
if d.action then redis.call('ZADD', base .. 'ix:d:action:' .. d.action, seq, did) end
if d.repository then redis.call('ZADD', base .. 'ix:d:repo:' .. d.repository, seq, did) end
redis.call('ZADD', base .. 'ix:d:status:' .. d.status, seq, did)
insertTasks(did, d, cjson.decode(ARGV[5]))
return 1
`;

/** Tasks onto a stored delivery (replay). ARGV: base, delivery id, tasks JSON. -1 when there is no such delivery. */
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
insertTasks(did, { event = h[1], action = h[2] or nil, repository = h[3] or nil }, tasks)
return 1
`;

/**
 * Decides each handed-out job. ARGV: base, now, owner, lease end, lost-attempt error JSON, then
 * (job id, lock token) pairs. Returns per job: {'claim', attempt, maxAttempts, name, deliveryId,
 * event, action|nil, backoff, timeoutMs} | {'discard'} | {'fail', name, deliveryId} | {'defer', runAt, name, deliveryId}.
 */
export const CLAIM = `${PRELUDE}
local now, owner, leaseUntil, lostErr = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local out = {}
for i = 6, #ARGV, 2 do
  local id, token = ARGV[i], ARGV[i + 1]
  local k = tkey(id)
  local t = redis.call('HMGET', k, 'state', 'attempts', 'maxAttempts', 'runAt', 'seq', 'startedAt', 'name', 'deliveryId',
    'event', 'action', 'backoff', 'timeoutMs')
  local state = t[1]
  local r
  if not state or state == 'completed' or state == 'failed' or state == 'cancelled' then
    r = {'discard'}
  elseif state == 'retrying' and tonumber(t[4]) > tonumber(now) then
    r = {'defer', t[4], t[7], t[8]}
  else
    local attempts = tonumber(t[2])
    if state == 'running' then
      -- the job surfaced again while the record still shows a lease: that lease lapsed
      closeAttempt(id, t[2], t[6], now, 'lost', lostErr)
      redis.call('HSET', k, 'lastError', lostErr, 'updatedAt', now)
      if attempts >= tonumber(t[3]) then
        unlease(id, k)
        redis.call('HSET', k, 'state', 'failed')
        moveState(id, 'running', 'failed', t[5])
        redis.call('ZREM', base .. 'due', id)
        r = {'fail', t[7], t[8]}
      end
    end
    if not r then
      attempts = attempts + 1
      redis.call('HSET', k, 'state', 'running', 'attempts', attempts, 'owner', owner, 'token', token,
        'leaseUntil', leaseUntil, 'startedAt', now, 'updatedAt', now)
      if state ~= 'running' then moveState(id, state, 'running', t[5]) end
      redis.call('ZADD', base .. 'due', leaseUntil, id)
      redis.call('ZADD', base .. 'leases', leaseUntil, id)
      r = {'claim', attempts, t[3], t[7], t[8], t[9], t[10], t[11], t[12]}
    end
  end
  out[#out + 1] = r
end
return out
`;

/**
 * Lapsed leases → lost attempts. ARGV: base, now, limit, lost-attempt error JSON. Returns
 * {id, token ('' when claimed at creation), 'queued'|'failed', name, deliveryId} per task.
 */
export const RECOVER = `${PRELUDE}
local now, lostErr = ARGV[2], ARGV[4]
local ids = redis.call('ZRANGEBYSCORE', base .. 'leases', '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  local k = tkey(id)
  local t = redis.call('HMGET', k, 'state', 'attempts', 'maxAttempts', 'seq', 'startedAt', 'token', 'name', 'deliveryId')
  redis.call('ZREM', base .. 'leases', id)
  if t[1] == 'running' then
    closeAttempt(id, t[2], t[5], now, 'lost', lostErr)
    unlease(id, k)
    local to = 'queued'
    if tonumber(t[2]) >= tonumber(t[3]) then
      to = 'failed'
      redis.call('ZREM', base .. 'due', id)
    else
      redis.call('HSET', k, 'runAt', now)
      redis.call('ZADD', base .. 'due', now, id)
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
    redis.call('ZADD', base .. 'due', ARGV[3], id)
    redis.call('ZADD', base .. 'leases', ARGV[3], id)
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
local now, id, outcome = ARGV[2], ARGV[4], ARGV[5]
local err = ARGV[7]
if err == '' then err = nil end
local k = tkey(id)
local t = redis.call('HMGET', k, 'state', 'owner', 'token', 'attempts', 'startedAt', 'seq', 'name', 'deliveryId')
if t[1] ~= 'running' or t[2] ~= ARGV[3] then return false end
closeAttempt(id, t[4], t[5], now, outcome, err)
unlease(id, k)
local to
if outcome == 'completed' then
  to = 'completed'
  redis.call('ZREM', base .. 'due', id)
elseif outcome == 'failed' then
  to = 'failed'
  redis.call('ZREM', base .. 'due', id)
  redis.call('HSET', k, 'lastError', err)
elseif outcome == 'retrying' then
  to = 'retrying'
  redis.call('HSET', k, 'runAt', ARGV[6], 'lastError', err)
  redis.call('ZADD', base .. 'due', ARGV[6], id)
else
  -- interrupted: queued again (due now, or at ARGV[6] after a rate limit), the attempt does not count
  to = 'queued'
  local at = ARGV[6] ~= '' and ARGV[6] or now
  redis.call('HSET', k, 'attempts', tonumber(t[4]) - 1, 'runAt', at, 'lastError', err)
  redis.call('ZADD', base .. 'due', at, id)
end
redis.call('HSET', k, 'state', to, 'updatedAt', now)
moveState(id, 'running', to, t[6])
return {t[3] or '', t[7], t[8]}
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
redis.call('ZADD', base .. 'due', now, id)
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
redis.call('ZREM', base .. 'due', id)
redis.call('HSET', k, 'state', 'cancelled', 'updatedAt', now)
moveState(id, t[1], 'cancelled', t[5])
return {'ok', t[2] or '', t[6], t[7]}
`;

/** Script names and sources, registered on the ioredis client with `defineCommand`. */
export const SCRIPTS = {
  hookyardAccept: ACCEPT,
  hookyardAddTasks: ADD_TASKS,
  hookyardClaim: CLAIM,
  hookyardRecover: RECOVER,
  hookyardExtend: EXTEND,
  hookyardFinish: FINISH,
  hookyardRetry: RETRY,
  hookyardCancel: CANCEL,
  hookyardPage: PAGE,
} as const;

export type ScriptName = keyof typeof SCRIPTS;
