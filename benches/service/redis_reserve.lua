-- The reference for qm serve's reserve: check a SKU's free units, move them to reserved, record
-- the hold with its TTL, all in one Lua call (KEYS[1] the stock hash, KEYS[2] the hold).
local free = tonumber(redis.call('HGET', KEYS[1], 'free') or '0')
local units = tonumber(ARGV[1])
if free >= units then
  redis.call('HINCRBY', KEYS[1], 'free', -units)
  redis.call('HINCRBY', KEYS[1], 'reserved', units)
  redis.call('SET', KEYS[2], units, 'EX', 900)
  return 1
end
return 0
