"""Rate limits: requests and tokens per minute, wherever a limit is stored.

Each limit is a GCRA (generic cell rate algorithm), i.e. a token bucket that holds one
minute's allowance and refills continuously: a key of tier 1 (60 RPM) may send 60
requests at once, then one a second. One number per bucket is kept, the *theoretical
arrival time* (TAT); a request of cost ``c`` under a limit of ``L`` per minute moves it
by ``c * 60 / L`` seconds and is refused when it would move it more than 60 s past now.
The refusal says exactly when the request would pass: ``retry_after`` seconds.

The buckets a request touches (:func:`buckets_for`), a requests (RPM) and a tokens (TPM)
bucket for each limit that is set:

* ``key_*``: the key's ``rate_limit_rpm`` / ``_tpm``, else its tenant's tier
  (``TIER_LIMITS`` of :mod:`radiant.pricing.billing_rules`), per key;
* ``tenant_*``: the tenant's tier, shared by all its keys;
* ``grant_*``: the tenant's grant of the model the request goes to first (``tenants
  access grant ... --rpm``), per tenant and model;
* ``rule_*``: each ``rate_limit`` routing rule the request matches, per rule and tenant
  (a global rule too: every tenant has the rule's allowance to itself).

A request is admitted when every bucket allows it, and then counts against all of them;
a refused request counts against none. So the strictest limit wins, and a refusal names
it (``which``). Tokens are counted when admitted from the caller's estimate (prompt plus
``max_tokens``); :meth:`RateLimiter.settle` corrects the token buckets by
``actual - estimated`` once the usage is known. A request whose estimate alone exceeds a
TPM limit is always refused.

Every decision also says where the request stands (:class:`Headroom`), as OpenAI's
``x-ratelimit-*`` headers report it: per dimension (requests, tokens) the bucket closest
to being exhausted, i.e. with the fewest left (the refusing bucket on a refusal).

Two implementations share this logic:

* :class:`LocalRateLimiter`: in this process (a dict; a few µs per ``acquire``);
* :class:`radiant.gateway.redis_limits.RedisRateLimiter`: shared by every process, one
  Lua script per call that checks and takes every bucket of the request atomically (one
  round trip, Redis ``TIME`` as the clock). When Redis cannot be reached it falls back to
  limiting in this process (and logs it), rather than refusing or admitting all.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import NamedTuple

from radiant.pricing.billing_rules import TIER_LIMITS, tier_limits
from radiant.selection.rule_matching import RateLimit

__all__ = [
    "Bucket",
    "Headroom",
    "KeyLimits",
    "LimitDecision",
    "LocalRateLimiter",
    "RateLimiter",
    "buckets_for",
    "decision_headers",
    "duration",
    "judge",
]

PERIOD = 60.0
_EPSILON = 1e-9
#: seconds a TAT may be off by (Redis keeps microseconds; an epoch double, ~0.2 µs)
_SLACK = 1e-6
KEY_RPM, KEY_TPM, TENANT_RPM, TENANT_TPM = "key_rpm", "key_tpm", "tenant_rpm", "tenant_tpm"
GRANT_RPM, GRANT_TPM, RULE_RPM, RULE_TPM = "grant_rpm", "grant_tpm", "rule_rpm", "rule_tpm"


class KeyLimits(NamedTuple):
    """A key's (or a grant's) own limits per minute; ``None``: not set."""

    rpm: int | None = None
    tpm: int | None = None


class Bucket(NamedTuple):
    """One limit a request counts against."""

    #: what it is: ``key_rpm``, ``tenant_tpm``, ``grant_rpm``, ``rule_tpm``, ...
    name: str
    #: where its state is kept (its Redis key, after the limiter's prefix)
    key: str
    #: per minute
    limit: int
    #: counts tokens (else requests)
    tokens: bool
    #: whose limit, for the refusal's message: a model id, a rule's name ("" for key/tenant)
    about: str = ""

    def describe(self) -> str:
        unit = "tokens" if self.tokens else "requests"
        about = f" ({self.about})" if self.about else ""
        return f"{self.name}{about}: {self.limit} {unit} per minute"


class Headroom(NamedTuple):
    """Where a request leaves one bucket: what is left, its limit, and in how many
    seconds it is full again (``reset``)."""

    remaining: int
    limit: int
    reset: float


class LimitDecision(NamedTuple):
    allowed: bool
    #: seconds until the same request would be admitted (0 when allowed)
    retry_after: float = 0.0
    #: the refusing bucket (None when allowed)
    bucket: Bucket | None = None
    #: the requests bucket closest to its limit (None: no requests limit applies)
    requests: Headroom | None = None
    #: the tokens bucket closest to its limit (None: no tokens limit applies)
    tokens: Headroom | None = None

    @property
    def which(self) -> str | None:
        """The limit that refused it: ``key_rpm``, ``tenant_tpm``, ``grant_rpm``, ..."""
        return None if self.bucket is None else self.bucket.name

    @property
    def limit(self) -> int | None:
        """That limit, per minute."""
        return None if self.bucket is None else self.bucket.limit

    @property
    def retry_after_header(self) -> str:
        """Whole seconds for an HTTP ``Retry-After`` header (at least 1)."""
        return str(max(1, math.ceil(self.retry_after)))

    def headers(self) -> list[tuple[bytes, bytes]]:
        """OpenAI's ``x-ratelimit-*`` headers (plus ``retry-after`` on a refusal)."""
        out: list[tuple[bytes, bytes]] = []
        room = self.requests
        if room is not None:
            out += (
                (b"x-ratelimit-limit-requests", b"%d" % room.limit),
                (b"x-ratelimit-remaining-requests", b"%d" % room.remaining),
                (b"x-ratelimit-reset-requests", duration(room.reset).encode()),
            )
        room = self.tokens
        if room is not None:
            out += (
                (b"x-ratelimit-limit-tokens", b"%d" % room.limit),
                (b"x-ratelimit-remaining-tokens", b"%d" % room.remaining),
                (b"x-ratelimit-reset-tokens", duration(room.reset).encode()),
            )
        if not self.allowed:
            out.append((b"retry-after", self.retry_after_header.encode()))
        return out


def duration(seconds: float) -> str:
    """A reset time as OpenAI writes it (Go durations): ``0s``, ``17ms``, ``1.5s``, ``6m0s``."""
    if seconds < 0.0005:
        return "0s"
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    if seconds < 60:
        return f"{seconds:.3f}".rstrip("0").rstrip(".") + "s"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}m" + (f"{rest:.3f}".rstrip("0").rstrip(".") or "0") + "s"


@lru_cache(maxsize=16_384)
def _pair(
    scope: str, ident: str, rpm: int | None, tpm: int | None, about: str = ""
) -> tuple[Bucket, ...]:
    """The requests and tokens buckets of one limit (cached: the hot path builds none)."""
    names = _NAMES[scope]
    out: tuple[Bucket, ...] = ()
    if rpm is not None and rpm > 0:
        out += (Bucket(names[0], f"{scope}:r:{ident}", rpm, False, about),)
    if tpm is not None and tpm > 0:
        out += (Bucket(names[1], f"{scope}:t:{ident}", tpm, True, about),)
    return out


_NAMES = {
    "k": (KEY_RPM, KEY_TPM),
    "t": (TENANT_RPM, TENANT_TPM),
    "g": (GRANT_RPM, GRANT_TPM),
    "u": (RULE_RPM, RULE_TPM),
}


def buckets_for(
    key_id: str,
    tenant_id: str,
    tier: int,
    key: KeyLimits | None = None,
    *,
    model_id: str | None = None,
    grant: KeyLimits | None = None,
    rules: Sequence[RateLimit] = (),
) -> tuple[Bucket, ...]:
    """Every bucket a request of ``key_id`` counts against (see the module docstring);
    ``key`` is the key's own limits, ``grant`` those of the tenant's grant of
    ``model_id``, ``rules`` the ``rate_limit`` rules the request matches."""
    tiered = TIER_LIMITS.get(tier) or tier_limits(tier)  # raises ValidationError
    rpm, tpm = tiered.rpm, tiered.tpm
    if key is not None:
        rpm = tiered.rpm if key.rpm is None else key.rpm
        tpm = tiered.tpm if key.tpm is None else key.tpm
    out = _pair("k", key_id, rpm, tpm) + _pair("t", tenant_id, tiered.rpm, tiered.tpm)
    if grant is not None and model_id is not None:
        out += _pair("g", f"{tenant_id}:{model_id}", grant.rpm, grant.tpm, model_id)
    for rule in rules:
        about = f"routing rule {rule.rule_name!r}"
        out += _pair("u", f"{rule.rule_id}:{tenant_id}", rule.rpm, rule.tpm, about)
    return out


def judge(
    buckets: Sequence[Bucket], tats: Sequence[float], now: float, refused: int, retry: float
) -> LimitDecision:
    """The decision, from each bucket's TAT after the request (before it, when refused) and
    the index of the refusing bucket (-1: admitted). Shared by both limiters."""
    window = now + PERIOD + _SLACK
    # per dimension, the bucket with the fewest left (compared unscaled: x * limit)
    requests = tokens = -1
    least_r = least_t = 0.0
    for i, bucket in enumerate(buckets):
        left = (window - tats[i]) * bucket.limit
        if bucket.tokens:
            if tokens < 0 or left < least_t:
                tokens, least_t = i, left
        elif requests < 0 or left < least_r:
            requests, least_r = i, left
    if refused >= 0:  # a refusal reports the refusing bucket in its dimension
        if buckets[refused].tokens:
            tokens = refused
        else:
            requests = refused
    r = None if requests < 0 else _room(buckets[requests], tats[requests], now, window)
    t = None if tokens < 0 else _room(buckets[tokens], tats[tokens], now, window)
    if refused < 0:
        return LimitDecision(True, 0.0, None, r, t)
    return LimitDecision(False, retry, buckets[refused], r, t)


def _room(bucket: Bucket, tat: float, now: float, window: float) -> Headroom:
    limit = bucket.limit
    left = int((window - tat) * limit / PERIOD)
    return Headroom(0 if left < 0 else limit if left > limit else left, limit, tat - now)


class RateLimiter:
    """What the gateway uses; see the module docstring for the rules."""

    async def acquire(self, buckets: Sequence[Bucket], tokens: int) -> LimitDecision:
        """Take one request and ``tokens`` from every bucket, or from none."""
        raise NotImplementedError

    async def settle(self, buckets: Sequence[Bucket], delta_tokens: int) -> None:
        """Move the token buckets by ``delta_tokens`` (actual - estimated; negative gives
        tokens back)."""
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

    def try_acquire(self, buckets: Sequence[Bucket], tokens: int) -> LimitDecision:
        now = self._clock()
        worst = 0.0
        refused = -1
        with self._lock:
            stored = self._tat
            tats: list[float] = []
            news: list[float] = []
            for i, bucket in enumerate(buckets):
                tat = stored.get(bucket.key, now)
                if tat < now:
                    tat = now
                new = tat + (tokens if bucket.tokens else 1) * PERIOD / bucket.limit
                excess = new - now - PERIOD
                if excess > _EPSILON and excess > worst:
                    worst, refused = excess, i
                tats.append(tat)
                news.append(new)
            if refused >= 0:
                return judge(buckets, tats, now, refused, worst)
            for bucket, new in zip(buckets, news, strict=True):
                stored[bucket.key] = new
            if now - self._purged_at > PERIOD:
                self._purge(now)
        return judge(buckets, news, now, -1, 0.0)

    def _purge(self, now: float) -> None:
        """Forget full buckets (a TAT in the past means a full bucket)."""
        self._tat = {k: v for k, v in self._tat.items() if v > now}
        self._purged_at = now

    def adjust(self, buckets: Sequence[Bucket], delta_tokens: int) -> None:
        if not delta_tokens:
            return
        now = self._clock()
        with self._lock:
            for bucket in buckets:
                if bucket.tokens:
                    tat = max(self._tat.get(bucket.key, now), now)
                    self._tat[bucket.key] = tat + delta_tokens * PERIOD / bucket.limit

    async def acquire(self, buckets: Sequence[Bucket], tokens: int) -> LimitDecision:
        return self.try_acquire(buckets, tokens)

    async def settle(self, buckets: Sequence[Bucket], delta_tokens: int) -> None:
        self.adjust(buckets, delta_tokens)


def decision_headers(decision: LimitDecision) -> Mapping[str, str]:
    """:meth:`LimitDecision.headers` as text (for an error's headers)."""
    return {k.decode(): v.decode() for k, v in decision.headers()}
