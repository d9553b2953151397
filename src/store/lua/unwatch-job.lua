-- KEYS: the channel's subscriptions hash, the job's watchers hash, the watched-jobs set.
-- ARGV: job ID, channel.
-- Removes one explicit job watch, and the job from the watched set when nobody is left.
local removed = redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[2])
if redis.call('HLEN', KEYS[2]) == 0 then redis.call('SREM', KEYS[3], ARGV[1]) end
return removed
