-- GCRA (the generic cell rate algorithm) for one limiter key, atomically, on the Redis
-- server's clock. The arithmetic is the same as `ratelimit::decide` in Rust.
-- KEYS[1]: the limiter's key (hash-tagged by store)
-- ARGV[1]: emission interval in microseconds (period / limit)
-- ARGV[2]: burst tolerance in microseconds (emission interval * (burst - 1))
-- Returns {allowed (0/1), remaining, microseconds until full, microseconds until allowed}.
local emission = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then
  tat = now
end
local new_tat = tat + emission
local allow_at = new_tat - emission - tolerance
if now < allow_at then
  return {0, 0, tat - now, allow_at - now}
end
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
return {1, math.floor((tolerance + emission - (new_tat - now)) / emission), new_tat - now, 0}
