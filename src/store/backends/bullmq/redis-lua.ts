/**
 * The Lua shared by the record scripts (redis-scripts.ts): key helpers and the task transitions
 * that more than one script runs (a claim's decision, an attempt's end). ARGV[1] is always the
 * records' key base.
 */

/** Helpers and transitions; every script starts with this. */
export const PRELUDE = `
local base = ARGV[1]
local kDue, kLeases = base .. 'due', base .. 'leases'
local function tkey(id) return base .. 't:' .. id end
-- '<base><prefix><value>', built once per script call
local keyCache = {}
local function key(prefix, v)
  local c = keyCache[prefix]
  if not c then c = {}; keyCache[prefix] = c end
  local k = c[v]
  if not k then k = base .. prefix .. v; c[v] = k end
  return k
end
local function moveState(id, from, to, seq)
  if from then redis.call('ZREM', key('ix:t:state:', from), id) end
  redis.call('ZADD', key('ix:t:state:', to), seq, id)
end
-- an attempt's entry is written once, when it ends (the running one lives in the task hash)
local function closeAttempt(id, attempt, startedAt, now, outcome, err)
  redis.call('RPUSH', base .. 'att:' .. id, '{"attempt":' .. attempt .. ',"startedAt":' .. startedAt ..
    ',"endedAt":' .. now .. ',"outcome":"' .. outcome .. '","error":' .. (err or 'null') .. '}')
end
local function unlease(id, k)
  redis.call('HDEL', k, 'owner', 'token', 'leaseUntil', 'startedAt')
  redis.call('ZREM', kLeases, id)
end
-- Inserts the tasks of delivery 'did' (event 'ev', action and repository or ''), numbered after
-- 'seq'; a task is {id, due, name, state, lease end or '', {field, value, …}}. Returns the last seq.
local function insertTasks(did, ev, action, repo, tasks, seq)
  local common = {'deliveryId', did, 'event', ev}
  if action ~= '' then common[#common + 1] = 'action'; common[#common + 1] = action end
  if repo ~= '' then common[#common + 1] = 'repository'; common[#common + 1] = repo end
  local ixt, byDelivery = base .. 'ix:t', base .. 'ix:t:delivery:' .. did
  local byEvent = key('ix:t:event:', ev)
  local byRepo = repo ~= '' and key('ix:t:repo:', repo)
  for _, t in ipairs(tasks) do
    seq = seq + 1
    local id, f = t[1], t[6]
    for _, v in ipairs(common) do f[#f + 1] = v end
    redis.call('HSET', tkey(id), 'seq', seq, unpack(f))
    redis.call('ZADD', ixt, seq, id)
    redis.call('ZADD', key('ix:t:state:', t[4]), seq, id)
    redis.call('ZADD', key('ix:t:name:', t[3]), seq, id)
    redis.call('ZADD', byEvent, seq, id)
    if byRepo then redis.call('ZADD', byRepo, seq, id) end
    redis.call('ZADD', byDelivery, seq, id)
    redis.call('ZADD', kDue, t[2], id)
    if t[5] ~= '' then redis.call('ZADD', kLeases, t[5], id) end
  end
  return seq
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
      redis.call('ZREM', kDue, id)
      return {'fail', t[7], t[8]}
    end
  end
  attempts = attempts + 1
  redis.call('HSET', k, 'state', 'running', 'attempts', attempts, 'owner', owner, 'token', token,
    'leaseUntil', leaseUntil, 'startedAt', now, 'updatedAt', now)
  if state ~= 'running' then moveState(id, state, 'running', t[5]) end
  redis.call('ZADD', kDue, leaseUntil, id)
  redis.call('ZADD', kLeases, leaseUntil, id)
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
    redis.call('ZREM', kDue, id)
    redis.call('HSET', k, 'state', to, 'updatedAt', now)
  elseif outcome == 'failed' then
    to = 'failed'
    redis.call('ZREM', kDue, id)
    redis.call('HSET', k, 'state', to, 'updatedAt', now, 'lastError', err)
  elseif outcome == 'retrying' then
    to = 'retrying'
    redis.call('HSET', k, 'state', to, 'updatedAt', now, 'runAt', runAt, 'lastError', err)
    redis.call('ZADD', kDue, runAt, id)
  else
    -- interrupted: queued again (due now, or at runAt after a rate limit), the attempt does not count
    to = 'queued'
    local at = runAt ~= '' and runAt or now
    redis.call('HSET', k, 'state', to, 'updatedAt', now, 'attempts', tonumber(t[4]) - 1, 'runAt', at, 'lastError', err)
    redis.call('ZADD', kDue, at, id)
  end
  moveState(id, 'running', to, t[6])
  return {t[3] or '', t[7], t[8]}
end
`;
