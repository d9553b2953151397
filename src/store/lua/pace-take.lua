-- KEYS: pace key. ARGV: interval ms. Returns 0 when the slot was taken, else ms to wait.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
if now < nxt then return nxt - now end
local interval = tonumber(ARGV[1])
if interval > 0 then redis.call('SET', KEYS[1], now + interval, 'PX', interval + 1000) end
return 0
