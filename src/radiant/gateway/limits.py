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
* :class:`radiant.gateway.redis_limits.RedisRateLimiter`: shared by every process, one
  Lua script per call (atomic, one round trip, Redis ``TIME`` as the clock). When Redis
  cannot be reached it falls back to limiting in this process (and logs it), rather than
  refusing or admitting all.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from radiant.pricing.billing_rules import TIER_LIMITS, tier_limits

__all__ = [
    "KeyLimits",
    "LimitDecision",
    "LocalRateLimiter",
    "RateLimiter",
    "limiter_from_settings",
]

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
Check = tuple[str, str, int, int]


def checks_for(
    key_id: str, tenant_id: str, tier: int, tokens: int, overrides: KeyLimits | None
) -> tuple[Check, ...]:
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
        checks = checks_for(key_id, tenant_id, tier, tokens, overrides)
        now = self._clock()
        worst = 0.0
        refused: Check | None = None
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
        checks = checks_for(key_id, tenant_id, tier, delta_tokens, overrides)
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


def limiter_from_settings(settings: Any) -> RateLimiter:
    """Redis-backed when ``settings.redis_url`` is set, in this process otherwise."""
    url = getattr(settings, "redis_url", None)
    if url:
        from radiant.gateway.redis_limits import RedisRateLimiter

        return RedisRateLimiter.from_url(url)
    return LocalRateLimiter()


def __getattr__(name: str) -> Any:
    """``RedisRateLimiter`` is importable from here too (it lives in ``redis_limits``)."""
    if name == "RedisRateLimiter":
        from radiant.gateway.redis_limits import RedisRateLimiter

        return RedisRateLimiter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
