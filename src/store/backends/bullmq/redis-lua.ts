/**
 * The Lua shared by the record scripts (redis-scripts.ts): key helpers and the task transitions
 * that more than one script runs (a claim's decision, an attempt's end). ARGV[1] is always the
 * records' key base.
 */

/** Helpers and transitions; every script starts with this. */
export const PRELUDE = `
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
  if #tasks == 0 then return end
  local seq = redis.call('INCRBY', base .. 'seq', #tasks) - #tasks
  for _, t in ipairs(tasks) do
    seq = seq + 1
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
-- What a claim does with the job 'id' handed out under lock 'token': {'claim', attempt, maxAttempts,
-- name, deliveryId, event, action|nil, backoff, timeoutMs} | {'discard'} | {'fail', name, deliveryId}
-- | {'defer', runAt, name, deliveryId}.
local function claimOne(id, token, now, owner, leaseUntil, lostErr)
  local k = tkey(id)
  local t = redis.call('HMGET', k, 'state', 'attempts', 'maxAttempts', 'runAt', 'seq', 'startedAt', 'name', 'deliveryId',
    'event', 'action', 'backoff', 'timeoutMs')
  local state = t[1]
  if not state or state == 'completed' or state == 'failed' or state == 'cancelled' then return {'discard'} end
  if state == 'retrying' and tonumber(t[4]) > tonumber(now) then return {'defer', t[4], t[7], t[8]} end
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
      return {'fail', t[7], t[8]}
    end
  end
  attempts = attempts + 1
  redis.call('HSET', k, 'state', 'running', 'attempts', attempts, 'owner', owner, 'token', token,
    'leaseUntil', leaseUntil, 'startedAt', now, 'updatedAt', now)
  if state ~= 'running' then moveState(id, state, 'running', t[5]) end
  redis.call('ZADD', base .. 'due', leaseUntil, id)
  redis.call('ZADD', base .. 'leases', leaseUntil, id)
  return {'claim', attempts, t[3], t[7], t[8], t[9], t[10], t[11], t[12]}
end
-- An attempt's end, when 'owner' holds the task: false when it does not, else {token ('' when
-- claimed at creation), name, deliveryId}. 'runAt' is '' unless retrying/interrupted; 'err' nil or JSON.
local function finishOne(id, owner, now, outcome, runAt, err)
  local k = tkey(id)
  local t = redis.call('HMGET', k, 'state', 'owner', 'token', 'attempts', 'startedAt', 'seq', 'name', 'deliveryId')
  if t[1] ~= 'running' or t[2] ~= owner then return false end
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
    redis.call('HSET', k, 'runAt', runAt, 'lastError', err)
    redis.call('ZADD', base .. 'due', runAt, id)
  else
    -- interrupted: queued again (due now, or at runAt after a rate limit), the attempt does not count
    to = 'queued'
    local at = runAt ~= '' and runAt or now
    redis.call('HSET', k, 'attempts', tonumber(t[4]) - 1, 'runAt', at, 'lastError', err)
    redis.call('ZADD', base .. 'due', at, id)
  end
  redis.call('HSET', k, 'state', to, 'updatedAt', now)
  moveState(id, 'running', to, t[6])
  return {t[3] or '', t[7], t[8]}
end
`;
