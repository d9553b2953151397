-- KEYS: request hash, pending index, unfinished index. ARGV: id, from, to, outcome, now, keep.
-- With keep = '1' (an approved request's outcome) the request stays in the unfinished index,
-- scored `now`, until markReported: the outcome is recorded but nobody has been told yet.
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'not_found' end
if state ~= ARGV[2] then return state end
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'outcome', ARGV[4], 'finishedAt', ARGV[5])
redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[6] == '1' then
  redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
else
  redis.call('ZREM', KEYS[3], ARGV[1])
end
return 'ok'
