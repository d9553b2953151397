-- KEYS: status hash, tracked zset. ARGV: jobId, status, now, createdAt, by, terminal(0/1),
-- seconds a finished job's status is kept.
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'seq', 0, 'changedAt', ARGV[3], 'createdAt', ARGV[4], 'by', ARGV[5])
if ARGV[6] == '1' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('EXPIRE', KEYS[1], ARGV[7])
else redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1]) end
return 1
