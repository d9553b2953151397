-- KEYS: request hash, votes set, pending index, approved index.
-- ARGV: id, clicker, vote, now, required.
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'not_found'} end
if state ~= 'pending' then return {'already_decided', state} end
local f = redis.call('HMGET', KEYS[1], 'expiresAt', 'requester')
if tonumber(ARGV[4]) >= tonumber(f[1]) then
  redis.call('HSET', KEYS[1], 'state', 'expired', 'decidedAt', ARGV[4])
  redis.call('ZREM', KEYS[3], ARGV[1])
  return {'expired'}
end
if ARGV[2] == f[2] then return {'is_requester'} end
if ARGV[3] == 'deny' then
  redis.call('HSET', KEYS[1], 'state', 'denied', 'decidedBy', ARGV[2], 'decidedAt', ARGV[4])
  redis.call('ZREM', KEYS[3], ARGV[1])
  return {'denied'}
end
local added = redis.call('SADD', KEYS[2], ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
local n = redis.call('SCARD', KEYS[2])
if n >= tonumber(ARGV[5]) then
  redis.call('HSET', KEYS[1], 'state', 'approved', 'decidedBy', ARGV[2], 'decidedAt', ARGV[4])
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
  return {'approved', n}
end
if added == 0 then return {'duplicate', n} end
return {'recorded', n}
