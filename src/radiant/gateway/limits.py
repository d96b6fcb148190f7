"""Rate limits: requests and tokens per minute, per API key and per tenant, by tier.

Each limit is a GCRA (generic cell rate algorithm), i.e. a token bucket that holds one
minute's allowance and refills continuously: a key of tier 1 (60 RPM) may send 60
requests at once, then one a second. One number per limit is kept, the *theoretical
arrival time* (TAT); a request of cost ``c`` under a limit of ``L`` per minute moves it
by ``c * 60 / L`` seconds and is refused when it would move it more than 60 s past now.
The refusal says exactly when the request would pass: ``retry_after`` seconds.

Four limits apply to every request: the key's RPM and TPM (the tier's, unless the key
has its own ``rate_limit_rpm`` / ``rate_limit_tpm``: :class:`KeyLimits`) and the
tenant's RPM and TPM (the tier's, shared by all its keys; seed ``TIER_LIMITS`` in
:mod:`radiant.pricing.billing_rules`). A request is admitted when all four allow it, and
then counts against all four; a refused request counts against none.

Tokens are counted when admitted from the caller's estimate (prompt plus ``max_tokens``);
:meth:`RateLimiter.settle` corrects the TPM buckets by ``actual - estimated`` once the
usage is known. A request whose estimate alone exceeds a TPM limit is always refused.

Two implementations share this logic:

* :class:`LocalRateLimiter`: in this process (a dict; about 2-3 µs per ``acquire``);
* :class:`RedisRateLimiter`: shared by every process, one Lua script per call (atomic,
  one round trip, Redis ``TIME`` as the clock). When Redis cannot be reached it falls
  back to limiting in this process (and logs it), rather than refusing or admitting all.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from radiant.pricing.billing_rules import TIER_LIMITS, tier_limits

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = [
    "KeyLimits",
    "LimitDecision",
    "LocalRateLimiter",
    "RateLimiter",
    "RedisRateLimiter",
    "limiter_from_settings",
]

log = logging.getLogger(__name__)
PERIOD = 60.0
_EPSILON = 1e-9
KEY_RPM, KEY_TPM, TENANT_RPM, TENANT_TPM = "key_rpm", "key_tpm", "tenant_rpm", "tenant_tpm"


@dataclass(frozen=True, slots=True)
class KeyLimits:
    """A key's own limits (``None``: the tier's)."""

    rpm: int | None = None
    tpm: int | None = None


@dataclass(frozen=True, slots=True)
class LimitDecision:
    allowed: bool
    #: seconds until the same request would be admitted (0 when allowed)
    retry_after: float = 0.0
    #: the limit that refused it: ``key_rpm``, ``key_tpm``, ``tenant_rpm``, ``tenant_tpm``
    which: str | None = None
    #: that limit, per minute
    limit: int | None = None

    @property
    def retry_after_header(self) -> str:
        """Whole seconds for an HTTP ``Retry-After`` header (at least 1)."""
        return str(max(1, math.ceil(self.retry_after)))


ALLOWED = LimitDecision(True)

#: (name, bucket key, limit per minute, cost)
_Check = tuple[str, str, int, int]


def _checks(
    key_id: str, tenant_id: str, tier: int, tokens: int, overrides: KeyLimits | None
) -> tuple[_Check, ...]:
    limits = TIER_LIMITS.get(tier) or tier_limits(tier)  # raises ValidationError
    key_rpm = overrides.rpm if overrides and overrides.rpm is not None else limits.rpm
    key_tpm = overrides.tpm if overrides and overrides.tpm is not None else limits.tpm
    return (
        (KEY_RPM, "k:r:" + key_id, key_rpm, 1),
        (KEY_TPM, "k:t:" + key_id, key_tpm, tokens),
        (TENANT_RPM, "t:r:" + tenant_id, limits.rpm, 1),
        (TENANT_TPM, "t:t:" + tenant_id, limits.tpm, tokens),
    )


class RateLimiter:
    """What the gateway uses; see the module docstring for the rules."""

    async def acquire(
        self,
        key_id: str,
        tenant_id: str,
        tier: int,
        tokens: int,
        overrides: KeyLimits | None = None,
    ) -> LimitDecision:
        raise NotImplementedError

    async def settle(
        self,
        key_id: str,
        tenant_id: str,
        tier: int,
        estimated_tokens: int,
        actual_tokens: int,
        overrides: KeyLimits | None = None,
    ) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        return None


class LocalRateLimiter(RateLimiter):
    """Limits within this process. ``clock`` (seconds) is for tests."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._tat: dict[str, float] = {}
        self._lock = threading.Lock()
        self._purged_at = clock()

    def try_acquire(
        self,
        key_id: str,
        tenant_id: str,
        tier: int,
        tokens: int,
        overrides: KeyLimits | None = None,
    ) -> LimitDecision:
        checks = _checks(key_id, tenant_id, tier, tokens, overrides)
        now = self._clock()
        worst = 0.0
        refused: _Check | None = None
        with self._lock:
            tats = self._tat
            news: list[tuple[str, float]] = []
            for check in checks:
                _, bucket, limit, cost = check
                if limit <= 0 or cost <= 0:
                    continue
                tat = tats.get(bucket, now)
                new = (tat if tat > now else now) + cost * PERIOD / limit
                excess = new - now - PERIOD
                if excess > _EPSILON:
                    if excess > worst:
                        worst, refused = excess, check
                else:
                    news.append((bucket, new))
            if refused is not None:
                return LimitDecision(False, worst, refused[0], refused[2])
            for bucket, new in news:
                tats[bucket] = new
            if now - self._purged_at > PERIOD:
                self._purge(now)
        return ALLOWED

    def _purge(self, now: float) -> None:
        """Forget full buckets (a TAT in the past means a full bucket)."""
        self._tat = {k: v for k, v in self._tat.items() if v > now}
        self._purged_at = now

    def adjust(
        self,
        key_id: str,
        tenant_id: str,
        tier: int,
        delta_tokens: int,
        overrides: KeyLimits | None = None,
    ) -> None:
        """Move the TPM buckets by ``delta_tokens`` (negative: give tokens back)."""
        if not delta_tokens:
            return
        now = self._clock()
        checks = _checks(key_id, tenant_id, tier, delta_tokens, overrides)
        with self._lock:
            for name, bucket, limit, cost in checks:
                if name in (KEY_TPM, TENANT_TPM) and limit > 0:
                    tat = max(self._tat.get(bucket, now), now)
                    self._tat[bucket] = tat + cost * PERIOD / limit

    async def acquire(
        self,
        key_id: str,
        tenant_id: str,
        tier: int,
        tokens: int,
        overrides: KeyLimits | None = None,
    ) -> LimitDecision:
        return self.try_acquire(key_id, tenant_id, tier, tokens, overrides)

    async def settle(
        self,
        key_id: str,
        tenant_id: str,
        tier: int,
        estimated_tokens: int,
        actual_tokens: int,
        overrides: KeyLimits | None = None,
    ) -> None:
        self.adjust(key_id, tenant_id, tier, actual_tokens - estimated_tokens, overrides)


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

        checks = [c for c in _checks(key_id, tenant_id, tier, tokens, overrides) if c[2] > 0]
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
            for c in _checks(key_id, tenant_id, tier, delta, overrides)
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


def limiter_from_settings(settings: Any) -> RateLimiter:
    """Redis-backed when ``settings.redis_url`` is set, in this process otherwise."""
    url = getattr(settings, "redis_url", None)
    if url:
        return RedisRateLimiter.from_url(url)
    return LocalRateLimiter()
