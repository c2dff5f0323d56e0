-- One request's rate limit and metering, atomically, on the Redis server's clock. The GCRA
-- arithmetic is the same as `ratelimit::decide` in Rust. Every key carries the same hash tag
-- (the store's, or the credential's), so a Redis Cluster runs it on one shard.
-- KEYS[1]: the limiter's key            ARGV[1]: emission interval in us (0: no rate limit)
-- KEYS[2]: the day's usage hash         ARGV[2]: burst tolerance in us (emission * (burst - 1))
-- KEYS[3]: the month's totals hash      ARGV[3]: the day's field ('' : nothing metered)
--                                       ARGV[4]: the month's field, ARGV[5]: units to count
--                                       ARGV[6]: the monthly allowance (-1: unlimited)
--                                       ARGV[7]: 1 when the allowance is hard (refused past it)
--                                       ARGV[8]: seconds the day hash lives, ARGV[9]: the month's
-- Returns {allowed (0/1), remaining, us until full, us until allowed, quota refused (0/1),
--          the month's total after this request (-1 when nothing is metered)}.
local emission = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local remaining, reset, new_tat = 0, 0, nil
if emission > 0 then
  local tat = tonumber(redis.call('GET', KEYS[1]) or now)
  if tat < now then
    tat = now
  end
  new_tat = tat + emission
  local allow_at = new_tat - emission - tolerance
  if now < allow_at then
    return {0, 0, tat - now, allow_at - now, 0, -1}
  end
  remaining = math.floor((tolerance + emission - (new_tat - now)) / emission)
  reset = new_tat - now
end
local used = -1
if ARGV[3] ~= '' then
  local units = tonumber(ARGV[5])
  local allowance = tonumber(ARGV[6])
  used = tonumber(redis.call('HGET', KEYS[3], ARGV[4]) or '0')
  if ARGV[7] == '1' and allowance >= 0 and used + units > allowance then
    return {1, remaining, reset, 0, 1, used}
  end
  used = redis.call('HINCRBY', KEYS[3], ARGV[4], units)
  redis.call('EXPIRE', KEYS[3], ARGV[9])
  redis.call('HINCRBY', KEYS[2], ARGV[3], units)
  redis.call('EXPIRE', KEYS[2], ARGV[8])
end
if new_tat then
  redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
end
return {1, remaining, reset, 0, 0, used}
