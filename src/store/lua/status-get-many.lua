-- KEYS: status hashes. ARGV: none.
-- Returns five strings per key (status, seq, changedAt, createdAt, by), '' for what is absent:
-- one reply for a thousand jobs instead of a thousand, so a sweep allocates little per job.
local out = {}
for _, key in ipairs(KEYS) do
  local v = redis.call('HMGET', key, 'status', 'seq', 'changedAt', 'createdAt', 'by')
  for j = 1, 5 do out[#out + 1] = v[j] or '' end
end
return out
