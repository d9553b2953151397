-- KEYS: request hash, pending index. ARGV: id, now.
local f = redis.call('HMGET', KEYS[1], 'state', 'expiresAt')
if not f[1] then redis.call('ZREM', KEYS[2], ARGV[1]) return 'not_found' end
if f[1] ~= 'pending' then redis.call('ZREM', KEYS[2], ARGV[1]) return 'not_pending' end
if tonumber(ARGV[2]) < tonumber(f[2]) then return 'not_due' end
redis.call('HSET', KEYS[1], 'state', 'expired', 'decidedAt', ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[1])
return 'expired'
