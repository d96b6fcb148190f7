"""Rate limits per key and per tenant, by tier, in one process or shared through Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
import redis

from local_server import free_port
from radiant.errors import ValidationError
from radiant.gateway.limits import (
    KeyLimits,
    LimitDecision,
    LocalRateLimiter,
    RateLimiter,
    limiter_from_settings,
)
from radiant.gateway.redis_limits import RedisRateLimiter
from radiant.settings import Settings

REDIS_URL = "redis://127.0.0.1:6379/0"


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


def run(limiter: RateLimiter, *calls: tuple[str, str, int, int]) -> list[LimitDecision]:
    async def go() -> list[LimitDecision]:
        return [await limiter.acquire(*call) for call in calls]

    return asyncio.run(go())


def test_a_tier_1_key_gets_60_requests_a_minute(clock: Clock) -> None:
    limiter = LocalRateLimiter(clock)
    decisions = [limiter.try_acquire("k1", "t1", 1, 10) for _ in range(61)]
    assert all(d.allowed for d in decisions[:60])
    refused = decisions[60]
    assert not refused.allowed
    assert refused.which == "key_rpm" and refused.limit == 60
    assert refused.retry_after == pytest.approx(1.0)  # one request refills each second
    assert refused.retry_after_header == "1"
    clock.now += 1.0
    assert limiter.try_acquire("k1", "t1", 1, 10).allowed


def test_a_key_override_and_its_retry_after(clock: Clock) -> None:
    limiter = LocalRateLimiter(clock)
    own = KeyLimits(rpm=5)
    assert all(limiter.try_acquire("k1", "t1", 3, 1, own).allowed for _ in range(5))
    refused = limiter.try_acquire("k1", "t1", 3, 1, own)
    assert (refused.allowed, refused.which, refused.limit) == (False, "key_rpm", 5)
    assert refused.retry_after == pytest.approx(12.0)
    clock.now += 11.9
    assert not limiter.try_acquire("k1", "t1", 3, 1, own).allowed
    clock.now += 0.2
    assert limiter.try_acquire("k1", "t1", 3, 1, own).allowed
    # another key of the same tenant has the tier's limits
    assert limiter.try_acquire("k2", "t1", 3, 1).allowed


def test_the_tenant_limit_is_shared_by_its_keys(clock: Clock) -> None:
    limiter = LocalRateLimiter(clock)
    generous = KeyLimits(rpm=1000)
    for i in range(60):
        assert limiter.try_acquire(f"k{i % 3}", "t1", 1, 1, generous).allowed
    refused = limiter.try_acquire("k-new", "t1", 1, 1, generous)
    assert (refused.allowed, refused.which) == (False, "tenant_rpm")
    assert limiter.try_acquire("k-other", "t2", 1, 1).allowed  # another tenant is not touched


def test_tokens_per_minute_and_their_correction(clock: Clock) -> None:
    limiter = LocalRateLimiter(clock)
    assert limiter.try_acquire("k1", "t1", 1, 60_000).allowed  # tier 1: 100,000 TPM
    refused = limiter.try_acquire("k1", "t1", 1, 50_000)
    assert (refused.allowed, refused.which, refused.limit) == (False, "key_tpm", 100_000)
    assert refused.retry_after == pytest.approx(6.0)  # 10,000 tokens at 100,000 a minute
    # the answer was shorter than estimated: the difference is given back
    asyncio.run(limiter.settle("k1", "t1", 1, estimated_tokens=60_000, actual_tokens=10_000))
    assert limiter.try_acquire("k1", "t1", 1, 50_000).allowed


def test_a_refused_request_costs_nothing_and_a_huge_one_never_passes(clock: Clock) -> None:
    limiter = LocalRateLimiter(clock)
    assert not limiter.try_acquire("k1", "t1", 1, 150_000).allowed  # above the whole TPM
    assert limiter.try_acquire("k1", "t1", 1, 100_000).allowed  # nothing was counted


def test_an_unknown_tier_is_bad_input() -> None:
    with pytest.raises(ValidationError, match="tier"):
        LocalRateLimiter().try_acquire("k1", "t1", 9, 1)


def test_redis_limits_are_shared_between_processes(prefix: str) -> None:
    async def go() -> None:
        one = RedisRateLimiter.from_url(REDIS_URL, prefix)
        two = RedisRateLimiter.from_url(REDIS_URL, prefix)  # as another process would
        own = KeyLimits(rpm=4)
        try:
            answers = [await (one, two)[i % 2].acquire("k1", "t1", 2, 1, own) for i in range(5)]
            assert [a.allowed for a in answers] == [True, True, True, True, False]
            assert answers[4].which == "key_rpm"
            assert 14.0 < answers[4].retry_after <= 15.0
            # TPM with a correction made by the other process
            assert (await one.acquire("k2", "t1", 2, 400_000)).allowed  # tier 2: 500,000
            assert not (await two.acquire("k2", "t1", 2, 200_000)).allowed
            await two.settle("k2", "t1", 2, 400_000, 100_000)
            assert (await one.acquire("k2", "t1", 2, 200_000)).allowed
        finally:
            await one.close()
            await two.close()

    asyncio.run(go())


def test_without_redis_the_limits_still_hold_in_the_process(prefix: str) -> None:
    async def go() -> None:
        limiter = RedisRateLimiter.from_url(f"redis://127.0.0.1:{free_port()}/0", prefix)
        try:
            own = KeyLimits(rpm=2)
            answers = [await limiter.acquire("k1", "t1", 1, 1, own) for _ in range(3)]
            assert [a.allowed for a in answers] == [True, True, False]
        finally:
            await limiter.close()

    asyncio.run(go())


def test_limiter_from_settings() -> None:
    assert isinstance(limiter_from_settings(Settings()), LocalRateLimiter)
    limiter = limiter_from_settings(Settings(redis_url=REDIS_URL))
    assert isinstance(limiter, RedisRateLimiter)
    asyncio.run(limiter.close())
