"""Rate limits shared by every process through Redis (``RADIANT_REDIS_URL``).

The GCRA of :mod:`radiant.gateway.limits`, as two Lua scripts: each call checks and
takes every bucket of a request (key, tenant, grant, routing rules) atomically in one
round trip, and Redis ``TIME`` is the clock of every process. Each bucket is one key
holding its theoretical arrival time, expiring when the bucket is full again. The
acquire script answers with the clock and every bucket's TAT, from which
:func:`radiant.gateway.limits.judge` makes the decision and its ``x-ratelimit-*``
headroom, so the headers cost no second round trip. When Redis cannot be reached the
limiter falls back to limiting in this process (and logs it, at most every 10 s), rather
than refusing or admitting everything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import redis
from redis.asyncio import Redis

from radiant.gateway.limits import (
    PERIOD,
    Bucket,
    LimitDecision,
    LocalRateLimiter,
    RateLimiter,
    judge,
)

__all__ = ["RedisRateLimiter"]

log = logging.getLogger(__name__)

# KEYS: bucket keys; ARGV: period, then (limit, cost) per key. Returns one string (one
# reply to parse, not one per key): "<index of the refusing key, 0: admitted> <retry_after>
# <now> <TAT of every key>", the TATs after the request when admitted, before it when
# refused (nothing is taken then).
_ACQUIRE = """
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local period = tonumber(ARGV[1])
local worst, which, tats, news = 0, 0, {}, {}
for i = 1, #KEYS do
  local limit, cost = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  if tat < now then tat = now end
  local new = tat + cost * period / limit
  local excess = new - now - period
  if excess > 1e-9 and excess > worst then worst, which = excess, i end
  tats[i], news[i] = tat, new
end
local out = {tostring(which), string.format('%.6f', worst), string.format('%.6f', now)}
if which > 0 then news = tats end
for i = 1, #KEYS do
  if which == 0 and news[i] > tats[i] then
    local ttl = math.ceil((news[i] - now) * 1000) + 1000
    redis.call('SET', KEYS[i], string.format('%.6f', news[i]), 'PX', ttl)
  end
  out[i + 3] = string.format('%.6f', news[i])
end
return table.concat(out, ' ')
"""

# KEYS: token bucket keys; ARGV: period, then (limit, delta tokens) per key.
_ADJUST = """
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local period = tonumber(ARGV[1])
for i = 1, #KEYS do
  local limit, delta = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  if tat < now then tat = now end
  local new = tat + delta * period / limit
  if new <= now then
    redis.call('DEL', KEYS[i])
  else
    local ttl = math.ceil((new - now) * 1000) + 1000
    redis.call('SET', KEYS[i], string.format('%.6f', new), 'PX', ttl)
  end
end
return 0
"""


class RedisRateLimiter(RateLimiter):
    """Limits shared by every process through Redis (``RADIANT_REDIS_URL``)."""

    def __init__(self, client: Redis, prefix: str = "radiant:limits:") -> None:
        self.client = client
        self.prefix = prefix
        self._acquire = client.register_script(_ACQUIRE)
        self._adjust = client.register_script(_ADJUST)
        self.fallback = LocalRateLimiter()
        self._warned_at = 0.0

    @classmethod
    def from_url(cls, url: str, prefix: str = "radiant:limits:") -> RedisRateLimiter:
        return cls(Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0), prefix)

    def _unavailable(self, error: Exception) -> None:
        now = time.monotonic()
        if now - self._warned_at > 10:
            self._warned_at = now
            log.warning("Redis unavailable for rate limits, limiting per process: %s", error)

    async def acquire(self, buckets: Sequence[Bucket], tokens: int) -> LimitDecision:
        args: list[Any] = [PERIOD]
        for bucket in buckets:
            args += (bucket.limit, tokens if bucket.tokens else 1)
        keys = [self.prefix + b.key for b in buckets]
        try:
            answer = await self._acquire(keys=keys, args=args)
        except (redis.RedisError, OSError) as error:
            self._unavailable(error)
            return self.fallback.try_acquire(buckets, tokens)
        which, retry, now, *tats = answer.split()
        return judge(buckets, [float(t) for t in tats], float(now), int(which) - 1, float(retry))

    async def settle(self, buckets: Sequence[Bucket], delta_tokens: int) -> None:
        if not delta_tokens:
            return
        counted = [b for b in buckets if b.tokens]
        if not counted:
            return
        args: list[Any] = [PERIOD]
        for bucket in counted:
            args += (bucket.limit, delta_tokens)
        try:
            await self._adjust(keys=[self.prefix + b.key for b in counted], args=args)
        except (redis.RedisError, OSError) as error:
            self._unavailable(error)
            self.fallback.adjust(buckets, delta_tokens)

    async def close(self) -> None:
        await self.client.aclose()
