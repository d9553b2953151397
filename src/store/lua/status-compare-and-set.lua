-- KEYS: status hash, tracked zset, outbox hash.
-- ARGV: jobId, expected, next, now, by, terminal(0/1), transition JSON (seq is added by the reader),
-- seconds a finished job's status is kept.
-- Returns the new seq, or 0 when the status is no longer `expected` (another worker won).
if redis.call('HGET', KEYS[1], 'status') ~= ARGV[2] then return 0 end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('HSET', KEYS[1], 'status', ARGV[3], 'changedAt', ARGV[4], 'by', ARGV[5])
if ARGV[6] == '1' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('EXPIRE', KEYS[1], ARGV[8])
else
  redis.call('PERSIST', KEYS[1])
  redis.call('ZADD', KEYS[2], redis.call('HGET', KEYS[1], 'createdAt') or 0, ARGV[1])
end
redis.call('HSET', KEYS[3], ARGV[1] .. '.' .. seq, ARGV[7])
return seq
