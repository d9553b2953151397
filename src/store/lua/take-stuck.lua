-- KEYS: request hash, unfinished index. ARGV: id, now, cutoff. Takes over a request that has
-- been in the unfinished index since `cutoff` or earlier: approved but never executed or failed,
-- or executed/failed but nobody told. Its score becomes `now`, a lease, so no other process
-- takes it again until the grace has passed once more (and if this one dies too, the next
-- sweep after that does).
local f = redis.call('HMGET', KEYS[1], 'state', 'decidedAt')
if not f[1] then redis.call('ZREM', KEYS[2], ARGV[1]) return 'not_found' end
if f[1] ~= 'approved' and f[1] ~= 'executed' and f[1] ~= 'failed' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 'not_approved'
end
local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
-- An outcome outside the index has been reported: there is nothing left to finish.
if not score and f[1] ~= 'approved' then return 'not_unfinished' end
local since = tonumber(score or f[2] or 0)
if since > tonumber(ARGV[3]) then return 'not_due' end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('HINCRBY', KEYS[1], 'recoveries', 1)
return 'taken'
