-- KEYS: card hash. ARGV: seq. Raises the card's shown seq, never lowers it.
local cur = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
if tonumber(ARGV[1]) > cur then redis.call('HSET', KEYS[1], 'seq', ARGV[1]) return 1 end
return 0
