-- KEYS: request hash, votes set, pending index, approved index.
-- ARGV: id, clicker, vote, now, required, L, then L voters whose votes lapsed (checked just now
-- and no longer approvers: their votes are taken out and noted in `lapsed`), then voters whose
-- role could not be checked just now (their votes stay but are not counted for this decision).
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
local lapsedCount = tonumber(ARGV[6] or '0')
for i = 7, 6 + lapsedCount do
  if redis.call('SREM', KEYS[2], ARGV[i]) == 1 then
    local was = redis.call('HGET', KEYS[1], 'lapsed')
    redis.call('HSET', KEYS[1], 'lapsed', (was and was ~= '') and (was .. ',' .. ARGV[i]) or ARGV[i])
  end
end
local added = redis.call('SADD', KEYS[2], ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
local n = redis.call('SCARD', KEYS[2])
for i = 7 + lapsedCount, #ARGV do
  if redis.call('SISMEMBER', KEYS[2], ARGV[i]) == 1 then n = n - 1 end
end
if n >= tonumber(ARGV[5]) then
  redis.call('HSET', KEYS[1], 'state', 'approved', 'decidedBy', ARGV[2], 'decidedAt', ARGV[4])
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
  return {'approved', n}
end
if added == 0 then return {'duplicate', n} end
return {'recorded', n}
