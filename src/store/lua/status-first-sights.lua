-- KEYS: tracked zset, then one status hash per job.
-- ARGV: seconds a finished job's status is kept, then six per job in KEYS' order:
-- jobId, status, now, createdAt, by, terminal(0/1).
-- Records each job not known yet; returns 1 for each it recorded, 0 for each known already.
local out = {}
for i = 2, #KEYS do
  local a = 2 + (i - 2) * 6
  if redis.call('EXISTS', KEYS[i]) == 1 then
    out[#out + 1] = 0
  else
    redis.call('HSET', KEYS[i], 'status', ARGV[a + 1], 'seq', 0, 'changedAt', ARGV[a + 2],
      'createdAt', ARGV[a + 3], 'by', ARGV[a + 4])
    if ARGV[a + 5] == '1' then
      redis.call('ZREM', KEYS[1], ARGV[a])
      redis.call('EXPIRE', KEYS[i], ARGV[1])
    else
      redis.call('ZADD', KEYS[1], ARGV[a + 3], ARGV[a])
    end
    out[#out + 1] = 1
  end
end
return out
