-- KEYS: pace key. ARGV: ms. Keeps the channel closed for at least `ms` from now.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local want = now + tonumber(ARGV[1])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
if want > nxt then redis.call('SET', KEYS[1], want, 'PX', tonumber(ARGV[1]) + 1000) end
return 0
