-- KEYS: the modal reference. ARGV: the user submitting it.
-- GET, and DEL only when the reference belongs to ARGV[1].
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local ok, ref = pcall(cjson.decode, raw)
if not ok or type(ref) ~= 'table' or ref.user ~= ARGV[1] then return false end
redis.call('DEL', KEYS[1])
return raw
