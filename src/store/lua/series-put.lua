-- KEYS: series hash. ARGV: expected version, ttl seconds, then field, value pairs.
-- Writes the fields and bumps the version only if the version is still the one read
-- (compare-and-set), so two readers merging at once never lose each other's points.
-- Returns the new version, or -1 when another write came first.
local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if v ~= tonumber(ARGV[1]) then return -1 end
redis.call('HSET', KEYS[1], 'v', v + 1, unpack(ARGV, 3))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
return v + 1
