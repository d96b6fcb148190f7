"""Rate limits shared by every process through Redis (``RADIANT_REDIS_URL``).

The GCRA of :mod:`radiant.gateway.limits`, as two Lua scripts: each call is atomic and
one round trip, and Redis ``TIME`` is the clock of every process. Each bucket is one
key holding its theoretical arrival time, expiring when the bucket is full again. When
Redis cannot be reached the limiter falls back to limiting in this process (and logs
it, at most every 10 s), rather than refusing or admitting everything.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from radiant.gateway.limits import (
    ALLOWED,
    KEY_TPM,
    PERIOD,
    TENANT_TPM,
    KeyLimits,
    LimitDecision,
    LocalRateLimiter,
    RateLimiter,
    checks_for,
)

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["RedisRateLimiter"]

log = logging.getLogger(__name__)

# KEYS: bucket keys; ARGV: period, then (limit, cost) per key. Returns {0, "0"} when
# admitted, else {index of the refusing key, retry_after seconds as a string}.
_ACQUIRE = """
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local period = tonumber(ARGV[1])
local worst, which, news = 0, 0, {}
for i = 1, #KEYS do
  local limit, cost = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  if tat < now then tat = now end
  local new = tat + cost * period / limit
  local excess = new - now - period
  if excess > 1e-9 and excess > worst then worst, which = excess, i end
  news[i] = new
end
if which > 0 then return {which, string.format('%.6f', worst)} end
for i = 1, #KEYS do
  local ttl = math.ceil((news[i] - now) * 1000) + 1000
  redis.call('SET', KEYS[i], string.format('%.6f', news[i]), 'PX', ttl)
end
return {0, '0'}
"""

# KEYS: TPM bucket keys; ARGV: period, then (limit, delta tokens) per key.
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
        from redis.asyncio import Redis

        return cls(Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0), prefix)

    def _unavailable(self, error: Exception) -> None:
        now = time.monotonic()
        if now - self._warned_at > 10:
            self._warned_at = now
            log.warning("Redis unavailable for rate limits, limiting per process: %s", error)

    async def acquire(
        self,
        key_id: str,
        tenant_id: str,
        tier: int,
        tokens: int,
        overrides: KeyLimits | None = None,
    ) -> LimitDecision:
        import redis

        checks = [c for c in checks_for(key_id, tenant_id, tier, tokens, overrides) if c[2] > 0]
        checks = [c for c in checks if c[3] > 0]
        args: list[Any] = [PERIOD]
        for _, _, limit, cost in checks:
            args += [limit, cost]
        try:
            which, retry = await self._acquire(keys=[self.prefix + c[1] for c in checks], args=args)
        except (redis.RedisError, OSError) as error:
            self._unavailable(error)
            return self.fallback.try_acquire(key_id, tenant_id, tier, tokens, overrides)
        if not int(which):
            return ALLOWED
        name, _, limit, _ = checks[int(which) - 1]
        return LimitDecision(False, float(retry), name, limit)

    async def settle(
        self,
        key_id: str,
        tenant_id: str,
        tier: int,
        estimated_tokens: int,
        actual_tokens: int,
        overrides: KeyLimits | None = None,
    ) -> None:
        import redis

        delta = actual_tokens - estimated_tokens
        if not delta:
            return
        checks = [
            c
            for c in checks_for(key_id, tenant_id, tier, delta, overrides)
            if c[0] in (KEY_TPM, TENANT_TPM) and c[2] > 0
        ]
        args: list[Any] = [PERIOD]
        for _, _, limit, cost in checks:
            args += [limit, cost]
        try:
            await self._adjust(keys=[self.prefix + c[1] for c in checks], args=args)
        except (redis.RedisError, OSError) as error:
            self._unavailable(error)
            self.fallback.adjust(key_id, tenant_id, tier, delta, overrides)

    async def close(self) -> None:
        await self.client.aclose()
