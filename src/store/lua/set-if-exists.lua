-- KEYS: request hash. ARGV: field, value, field, value… Only touches a request that exists,
-- so a late write never leaves a hash without its TTL behind.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
