"""Rate limits per key, tenant (tier), grant and routing rule, in one process or shared
through Redis; where a request stands, as OpenAI's ``x-ratelimit-*`` headers say it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator, Sequence

import pytest
import redis

from local_server import free_port
from radiant.errors import ValidationError
from radiant.gateway.limits import (
    Bucket,
    Headroom,
    KeyLimits,
    LimitDecision,
    LocalRateLimiter,
    RateLimiter,
    buckets_for,
    duration,
)
from radiant.gateway.mount import limiter_from_settings
from radiant.gateway.redis_limits import RedisRateLimiter
from radiant.selection.rule_matching import RateLimit
from radiant.settings import Settings
from services import REDIS_URL


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def prefix() -> Iterator[str]:
    value = f"radiant-test:{uuid.uuid4().hex}:"
    yield value
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{value}*"))
    if keys:
        client.delete(*keys)
    client.close()


class Limiter:
    """A limiter driven from synchronous code, on one event loop for the whole test."""

    def __init__(self, made: RateLimiter) -> None:
        self.made = made
        self.runner = asyncio.Runner()

    def take(self, buckets: Sequence[Bucket], tokens: int, times: int = 1) -> list[LimitDecision]:
        async def go() -> list[LimitDecision]:
            return [await self.made.acquire(buckets, tokens) for _ in range(times)]

        return self.runner.run(go())

    def settle(self, buckets: Sequence[Bucket], delta: int) -> None:
        self.runner.run(self.made.settle(buckets, delta))

    def close(self) -> None:
        self.runner.run(self.made.close())
        self.runner.close()


@pytest.fixture(params=["local", "redis"])
def limiter(request: pytest.FixtureRequest, prefix: str) -> Iterator[Limiter]:
    """Each implementation: what holds for one holds for the other."""
    if request.param == "local":
        made: RateLimiter = LocalRateLimiter()
    else:
        made = RedisRateLimiter.from_url(REDIS_URL, prefix)
    driver = Limiter(made)
    yield driver
    driver.close()


def key(
    key_id: str = "k1",
    tenant: str = "t1",
    tier: int = 1,
    *,
    key: KeyLimits | None = None,
    model_id: str | None = None,
    grant: KeyLimits | None = None,
    rules: Sequence[RateLimit] = (),
) -> tuple[Bucket, ...]:
    """The buckets of a request of ``key_id`` (tenant ``t1``, tier 1 unless said)."""
    return buckets_for(key_id, tenant, tier, key, model_id=model_id, grant=grant, rules=rules)


# ---------------------------------------------------------------------- key and tenant


def test_a_tier_1_key_gets_60_requests_a_minute(clock: Clock) -> None:
    limiter = LocalRateLimiter(clock)
    decisions = [limiter.try_acquire(key(), 10) for _ in range(61)]
    assert all(d.allowed for d in decisions[:60])
    refused = decisions[60]
    assert not refused.allowed
    assert refused.which == "key_rpm" and refused.limit == 60
    assert refused.retry_after == pytest.approx(1.0)  # one request refills each second
    assert refused.retry_after_header == "1"
    clock.now += 1.0
    assert limiter.try_acquire(key(), 10).allowed


def test_a_key_override_and_its_retry_after(clock: Clock) -> None:
    limiter = LocalRateLimiter(clock)
    own = key(tier=3, key=KeyLimits(rpm=5))
    assert all(limiter.try_acquire(own, 1).allowed for _ in range(5))
    refused = limiter.try_acquire(own, 1)
    assert (refused.allowed, refused.which, refused.limit) == (False, "key_rpm", 5)
    assert refused.retry_after == pytest.approx(12.0)
    clock.now += 11.9
    assert not limiter.try_acquire(own, 1).allowed
    clock.now += 0.2
    assert limiter.try_acquire(own, 1).allowed
    # another key of the same tenant has the tier's limits
    assert limiter.try_acquire(key("k2", tier=3), 1).allowed


def test_the_tenant_limit_is_shared_by_its_keys(clock: Clock) -> None:
    limiter = LocalRateLimiter(clock)
    generous = KeyLimits(rpm=1000)
    for i in range(60):
        assert limiter.try_acquire(key(f"k{i % 3}", key=generous), 1).allowed
    refused = limiter.try_acquire(key("k-new", key=generous), 1)
    assert (refused.allowed, refused.which) == (False, "tenant_rpm")
    assert limiter.try_acquire(key("k-other", "t2"), 1).allowed  # another tenant is not touched


def test_tokens_per_minute_and_their_correction(clock: Clock) -> None:
    limiter = LocalRateLimiter(clock)
    assert limiter.try_acquire(key(), 60_000).allowed  # tier 1: 100,000 TPM
    refused = limiter.try_acquire(key(), 50_000)
    assert (refused.allowed, refused.which, refused.limit) == (False, "key_tpm", 100_000)
    assert refused.retry_after == pytest.approx(6.0)  # 10,000 tokens at 100,000 a minute
    # the answer was shorter than estimated: the difference is given back
    asyncio.run(limiter.settle(key(), 10_000 - 60_000))
    assert limiter.try_acquire(key(), 50_000).allowed


def test_a_refused_request_costs_nothing_and_a_huge_one_never_passes(clock: Clock) -> None:
    limiter = LocalRateLimiter(clock)
    assert not limiter.try_acquire(key(), 150_000).allowed  # above the whole TPM
    assert limiter.try_acquire(key(), 100_000).allowed  # nothing was counted


def test_an_unknown_tier_is_bad_input() -> None:
    with pytest.raises(ValidationError, match="tier"):
        key(tier=9)


# ---------------------------------------------------------------------- grants and rules


def test_a_grant_limit_holds_per_tenant_and_model(limiter: Limiter) -> None:
    """``tenants access grant ... --rpm 5``: the sixth request for the model is refused,
    the tenant's other models and another tenant's grant of the same model are not."""
    five = KeyLimits(rpm=5)
    gpt = key(model_id="gpt-4o", grant=five)
    answers = limiter.take(gpt, 1, times=6)
    assert [a.allowed for a in answers] == [True] * 5 + [False]
    refused = answers[5]
    assert (refused.which, refused.limit) == ("grant_rpm", 5)
    assert 9.0 < refused.retry_after <= 12.0  # a request refills every 12 s (Redis: less)
    assert refused.bucket is not None and "gpt-4o" in refused.bucket.describe()
    assert limiter.take(key(model_id="claude", grant=five), 1)[0].allowed
    assert limiter.take(key("k9", "t2", model_id="gpt-4o", grant=five), 1)[0].allowed


def test_a_grant_tpm_limit_and_its_settlement(limiter: Limiter) -> None:
    grant = key(model_id="m", grant=KeyLimits(tpm=1_000))
    assert limiter.take(grant, 800)[0].allowed
    refused = limiter.take(grant, 300)[0]
    assert (refused.allowed, refused.which, refused.limit) == (False, "grant_tpm", 1_000)
    limiter.settle(grant, 100 - 800)  # the answer used 100 tokens, not 800
    assert limiter.take(grant, 300)[0].allowed


def test_a_rule_limit_applies_per_tenant(limiter: Limiter) -> None:
    """A routing rule's ``rate_limit`` (rpm 3): every tenant it matches has its own 3."""
    rule = RateLimit("rule-1", "three a minute", rpm=3, tpm=None)
    answers = limiter.take(key(rules=[rule]), 1, times=4)
    assert [a.allowed for a in answers] == [True, True, True, False]
    assert (answers[3].which, answers[3].limit) == ("rule_rpm", 3)
    assert answers[3].bucket is not None and "three a minute" in answers[3].bucket.describe()
    assert limiter.take(key("k2", "t2", rules=[rule]), 1)[0].allowed
    assert limiter.take(key(), 1)[0].allowed  # a request the rule does not match


def test_the_strictest_limit_wins_and_the_headroom_reports_it(limiter: Limiter) -> None:
    rules = [RateLimit("r6", "six", 6, None), RateLimit("r9", "tokens", None, 9_000)]
    buckets = key(key=KeyLimits(rpm=10), model_id="m", grant=KeyLimits(rpm=4), rules=rules)
    answers = limiter.take(buckets, 1_000, times=5)
    assert [a.allowed for a in answers] == [True] * 4 + [False]
    rooms = [a.requests for a in answers[:4]]
    assert [(r.limit, r.remaining) for r in rooms if r] == [(4, 3), (4, 2), (4, 1), (4, 0)]
    tokens = answers[3].tokens
    # 4 x 1,000 of 9,000 taken (Redis's clock runs on: 150 tokens come back a second)
    assert tokens is not None and tokens.limit == 9_000 and 5_000 <= tokens.remaining < 5_300
    refused = answers[4]
    assert refused.which == "grant_rpm"
    assert refused.requests is not None and refused.requests.remaining == 0
    assert 0 < refused.requests.reset <= 60.0  # the grant's bucket is full again in a minute
    # nothing was taken by the refusal, from any bucket
    assert refused.tokens is not None and tokens.remaining <= refused.tokens.remaining < 5_300


def test_the_token_headroom_names_the_refusing_bucket(limiter: Limiter) -> None:
    buckets = key(model_id="m", grant=KeyLimits(tpm=2_000))
    refused = limiter.take(buckets, 5_000)[0]
    assert (refused.allowed, refused.which) == (False, "grant_tpm")
    assert refused.tokens == Headroom(2_000, 2_000, 0.0)  # untouched, and too small for it


def test_redis_limits_are_shared_between_processes(prefix: str) -> None:
    async def go() -> None:
        one = RedisRateLimiter.from_url(REDIS_URL, prefix)
        two = RedisRateLimiter.from_url(REDIS_URL, prefix)  # as another process would
        rule = RateLimit("r", "four", 4, None)
        try:
            answers = [
                await (one, two)[i % 2].acquire(key(tier=2, rules=[rule]), 1) for i in range(5)
            ]
            assert [a.allowed for a in answers] == [True, True, True, True, False]
            assert answers[4].which == "rule_rpm"
            assert 12.0 < answers[4].retry_after <= 15.0
            # TPM with a correction made by the other process
            big = key("k2", tier=2)
            assert (await one.acquire(big, 400_000)).allowed  # tier 2: 500,000
            assert not (await two.acquire(big, 200_000)).allowed
            await two.settle(big, 100_000 - 400_000)
            assert (await one.acquire(big, 200_000)).allowed
        finally:
            await one.close()
            await two.close()

    asyncio.run(go())


def test_without_redis_the_limits_still_hold_in_the_process(prefix: str) -> None:
    async def go() -> None:
        limiter = RedisRateLimiter.from_url(f"redis://127.0.0.1:{free_port()}/0", prefix)
        try:
            grant = key(model_id="m", grant=KeyLimits(rpm=2))
            answers = [await limiter.acquire(grant, 1) for _ in range(3)]
            assert [a.allowed for a in answers] == [True, True, False]
            assert answers[2].which == "grant_rpm"
        finally:
            await limiter.close()

    asyncio.run(go())


def test_limiter_from_settings() -> None:
    assert isinstance(limiter_from_settings(Settings()), LocalRateLimiter)
    limiter = limiter_from_settings(Settings(redis_url=REDIS_URL))
    assert isinstance(limiter, RedisRateLimiter)
    asyncio.run(limiter.close())


# ---------------------------------------------------------------------- headers


def test_the_headers_are_openais(clock: Clock) -> None:
    limiter = LocalRateLimiter(clock)
    buckets = key(key=KeyLimits(rpm=2, tpm=1_000))
    first = dict(limiter.try_acquire(buckets, 100).headers())
    assert first == {
        b"x-ratelimit-limit-requests": b"2",
        b"x-ratelimit-remaining-requests": b"1",
        b"x-ratelimit-reset-requests": b"30s",
        b"x-ratelimit-limit-tokens": b"1000",
        b"x-ratelimit-remaining-tokens": b"900",
        b"x-ratelimit-reset-tokens": b"6s",
    }
    limiter.try_acquire(buckets, 100)
    refused = dict(limiter.try_acquire(buckets, 100).headers())
    assert refused[b"x-ratelimit-remaining-requests"] == b"0"
    assert refused[b"x-ratelimit-reset-requests"] == b"1m0s"
    assert refused[b"retry-after"] == b"30"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (0.017, "17ms"),
        (1, "1s"),
        (1.5, "1.5s"),
        (59.9994, "59.999s"),
        (60, "1m0s"),
        (90.25, "1m30.25s"),
        (360, "6m0s"),
    ],
)
def test_reset_times_read_as_go_durations(seconds: float, text: str) -> None:
    assert duration(seconds) == text
