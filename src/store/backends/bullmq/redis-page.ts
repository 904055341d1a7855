/** The paging script of the Redis records (registered with the others in redis-scripts.ts). */

/**
 * One page of ids, newest first, from the intersection of index sets. ARGV: base, cursor seq (or
 * ''), wanted count, max members to examine, index key suffixes. Walks the smallest set from the
 * cursor down and checks membership in the others (ZSCORE), so the work is bounded by the smallest
 * index, never by the whole keyspace. Returns {resume, id, seq, id, seq, …}: `resume` is the seq
 * to continue from when the examination limit stopped the walk early, else ''.
 */
export const PAGE = `
local base = ARGV[1]
local cursor = '+inf'
if ARGV[2] ~= '' then cursor = '(' .. ARGV[2] end
local want, budget = tonumber(ARGV[3]), tonumber(ARGV[4])
local keys = {}
for i = 5, #ARGV do keys[#keys + 1] = base .. ARGV[i] end
local best, bestCard = 1, nil
for i, key in ipairs(keys) do
  local c = redis.call('ZCARD', key)
  if bestCard == nil or c < bestCard then best, bestCard = i, c end
end
local out = {''}
if bestCard == 0 then return out end
local found, seen = 0, 0
while found < want do
  local chunk = redis.call('ZREVRANGEBYSCORE', keys[best], cursor, '-inf', 'WITHSCORES', 'LIMIT', 0, 100)
  if #chunk == 0 then return out end
  for j = 1, #chunk, 2 do
    local id, score = chunk[j], chunk[j + 1]
    local ok = true
    for i, key in ipairs(keys) do
      if i ~= best and not redis.call('ZSCORE', key, id) then ok = false; break end
    end
    if ok then
      out[#out + 1] = id; out[#out + 1] = score; found = found + 1
      if found >= want then return out end
    end
    seen = seen + 1
    cursor = '(' .. score
  end
  if #chunk < 200 then return out end
  if seen >= budget then out[1] = string.sub(cursor, 2); return out end
end
return out
`;
