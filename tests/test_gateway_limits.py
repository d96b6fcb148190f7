"""Every stored limit, enforced by the real gateway over HTTP against fake upstreams on
127.0.0.1: a grant's rpm, a routing rule's ``rate_limit`` (per tenant, and only for the
requests it matches, as ``rules evaluate`` says), OpenAI's ``x-ratelimit-*`` headers on
every answer, and ``retry-after`` on every 429 and 503 (a breaker-open 503 included)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import openai
import pytest
import redis
from openai.types.chat import ChatCompletionMessageParam

from gateway_fakes import FakeUpstream, serving_upstreams
from gateway_world import ADMIN, Template, World, make_template, open_world
from radiant.core.context import WriteContext
from radiant.errors import StoreError
from radiant.gateway.errors import DEFAULT_RETRY_AFTER, NoRouteError, error_parts
from radiant.gateway.limits import LocalRateLimiter, RateLimiter
from radiant.gateway.redis_limits import RedisRateLimiter
from radiant.health.breaker import (
    BreakerPolicy,
    BreakerState,
    CircuitState,
    on_failure,
    reopens_in,
    try_trial,
)
from radiant.selection.rule_admin import RoutingRules
from radiant.tenants import Tenants
from services import REDIS_URL

HI: list[ChatCompletionMessageParam] = [{"role": "user", "content": "hi"}]
LIMIT_HEADERS = (
    "x-ratelimit-limit-requests",
    "x-ratelimit-remaining-requests",
    "x-ratelimit-reset-requests",
    "x-ratelimit-limit-tokens",
    "x-ratelimit-remaining-tokens",
    "x-ratelimit-reset-tokens",
)


@pytest.fixture(scope="module")
def upstreams() -> Iterator[dict[str, FakeUpstream]]:
    with serving_upstreams() as fakes:
        yield fakes


@pytest.fixture(scope="module")
def template(
    tmp_path_factory: pytest.TempPathFactory, upstreams: dict[str, FakeUpstream]
) -> Template:
    urls = {name: fake.url for name, fake in upstreams.items()}  # type: ignore[attr-defined]
    return make_template(tmp_path_factory.mktemp("limits"), urls)


def _limiter(kind: str) -> Iterator[RateLimiter]:
    if kind == "local":
        yield LocalRateLimiter()
        return
    prefix = f"radiant-test:{uuid.uuid4().hex}:"
    yield RedisRateLimiter.from_url(REDIS_URL, prefix)  # the gateway closes it
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


def _open(
    kind: str,
    template: Template,
    tmp_path: Path,
    upstreams: dict[str, FakeUpstream],
    **gateway: Any,
) -> Iterator[World]:
    for fake in upstreams.values():
        fake.heal()
        fake.calls.clear()
    limiters = _limiter(kind)
    with open_world(template, tmp_path, upstreams, limiter=next(limiters), **gateway) as w:
        yield w
    next(limiters, None)


@pytest.fixture(params=["local", "redis"])
def world(
    request: pytest.FixtureRequest,
    template: Template,
    tmp_path: Path,
    upstreams: dict[str, FakeUpstream],
) -> Iterator[World]:
    """The gateway with the in-process limiter, then with the Redis one."""
    yield from _open(request.param, template, tmp_path, upstreams)


def post(world: World, key: str | None = None, **body: Any) -> httpx2.Response:
    payload = {"model": "small", "messages": HI, **body}
    headers = {"Authorization": f"Bearer {key or world.key}"}
    with httpx2.Client(timeout=10) as http:
        return http.post(f"{world.base}/chat/completions", json=payload, headers=headers)


def seconds(duration: str) -> float:
    """A reset header (``17ms``, ``59.986s``, ``1m0s``) in seconds."""
    found = re.fullmatch(r"(?:(\d+)m)?(?:([\d.]+)s)?|([\d.]+)ms", duration)
    assert found is not None, duration
    minutes, secs, millis = found.groups()
    if millis is not None:
        return float(millis) / 1000
    return int(minutes or 0) * 60 + float(secs or 0)


def second_tenant(world: World) -> str:
    """Another tenant (tier 2) with chat-small granted; its key."""
    tenants = Tenants.open(world.registry)
    tenants.tenants.create(ADMIN, name="Initech", slug="initech", tier=2)
    tenants.access.grant(ADMIN, "initech", "chat-small")
    return tenants.keys.issue(ADMIN, "initech", name="app").secret


def rule(world: World, **values: Any) -> None:
    RoutingRules(world.registry).create(WriteContext(ADMIN), {"action": "rate_limit", **values})


def evaluate(world: World, **request: Any) -> dict[str, Any]:
    result = RoutingRules(world.registry).evaluate(ADMIN, **request).as_dict()
    decision: dict[str, Any] = result["decision"]
    return decision


# ---------------------------------------------------------------------- grants


def test_a_grants_rpm_is_enforced(world: World) -> None:
    """``tenants access grant globex chat-small --rpm 5``: 5 answers, then 429s that name
    the grant, each with retry-after; the refused requests never reach the upstream and
    are recorded; the tenant's other models are not limited by it."""
    Tenants.open(world.registry).access.update(ADMIN, "globex", "chat-small", {"rate_limit_rpm": 5})
    answers = [post(world) for _ in range(7)]
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 2
    assert [a.headers["x-ratelimit-limit-requests"] for a in answers] == ["5"] * 7
    remaining = [a.headers["x-ratelimit-remaining-requests"] for a in answers]
    assert remaining == ["4", "3", "2", "1", "0", "0", "0"]
    refused = answers[5]
    # a request refills every 12 s, from the first one (less the time the 5 took)
    assert 8 <= int(refused.headers["retry-after"]) <= 12
    error = refused.json()["error"]
    assert error["code"] == "rate_limit_exceeded" and "grant_rpm (chat-small)" in error["message"]
    assert len(world.upstreams["a"].calls) == 5
    events = world.events()
    assert [e.status for e in events] == ["success"] * 5 + ["error"] * 2
    assert {e.error_code for e in events[5:]} == {"rate_limit_exceeded"}
    other = post(world, model="chat-big")
    assert other.status_code == 200
    assert other.headers["x-ratelimit-limit-requests"] == "200"  # the tier's, tier 2


def test_a_grants_tpm_is_enforced(world: World) -> None:
    """A grant's tpm: a request whose estimate (prompt + max_tokens) cannot fit is refused
    and takes nothing; one that fits is answered, and the headers count its tokens."""
    Tenants.open(world.registry).access.update(
        ADMIN, "globex", "chat-small", {"rate_limit_tpm": 1_000}
    )
    refused = post(world, max_tokens=2_000)
    assert refused.status_code == 429
    assert "grant_tpm (chat-small)" in refused.json()["error"]["message"]
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["x-ratelimit-limit-tokens"] == "1000"
    assert refused.headers["x-ratelimit-remaining-tokens"] == "1000"
    answered = post(world, max_tokens=600)
    assert answered.status_code == 200
    assert answered.headers["x-ratelimit-limit-tokens"] == "1000"
    # 1,000 less the estimate (600 + the prompt), plus ~17 tokens refilled a second
    assert 300 < int(answered.headers["x-ratelimit-remaining-tokens"]) < 460
    assert world.upstreams["a"].calls and len(world.upstreams["a"].calls) == 1


def test_a_grant_limits_auto_requests_whose_first_choice_is_its_model(world: World) -> None:
    Tenants.open(world.registry).access.update(ADMIN, "globex", "chat-big", {"rate_limit_rpm": 1})
    selection = {"min_context_window": 100_000}  # only chat-big has that
    first = post(world, model="auto", selection=selection)
    assert (first.status_code, first.headers["x-radiant-model"]) == (200, "chat-big")
    refused = post(world, model="auto", selection=selection)
    assert refused.status_code == 429
    assert "grant_rpm (chat-big)" in refused.json()["error"]["message"]
    assert post(world).status_code == 200  # chat-small's grant has no limit


# ---------------------------------------------------------------------- routing rules


def test_a_rules_rate_limit_is_enforced_per_tenant(world: World) -> None:
    """A global rule ``rate_limit`` rpm 3 on chat-small: ``rules evaluate`` says rpm 3,
    and each tenant gets 3 requests a minute for that model (the rule's scope is per
    tenant); a request the rule does not match is not limited by it."""
    rule(world, name="three a minute", conditions={"models": ["chat-small"]}, rate_limit_rpm=3)
    assert evaluate(world, tenant="globex", model="small")["rate_limit_rpm"] == 3
    answers = [post(world) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["x-ratelimit-remaining-requests"] for a in answers] == ["2", "1", "0", "0"]
    assert "routing rule 'three a minute'" in answers[3].json()["error"]["message"]
    assert 16 <= int(answers[3].headers["retry-after"]) <= 20  # one refills every 20 s
    other = second_tenant(world)
    assert [post(world, other).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert post(world, model="chat-big").status_code == 200
    assert evaluate(world, tenant="globex", model="chat-big")["rate_limit_rpm"] is None
    assert len(world.upstreams["a"].calls) == 6


def test_a_rule_limits_only_the_requests_it_matches(world: World) -> None:
    """A size condition is judged on each request's own estimate (prompt + max_tokens),
    as ``rules evaluate --tokens`` judges it; a tenant rule limits only its tenant."""
    rule(
        world,
        name="large requests",
        tenant_id="globex",
        conditions={"min_estimated_tokens": 1_000},
        rate_limit_rpm=1,
    )
    assert (
        evaluate(world, tenant="globex", model="small", estimated_tokens=2_010)["rate_limit_rpm"]
        == 1
    )
    assert (
        evaluate(world, tenant="globex", model="small", estimated_tokens=10)["rate_limit_rpm"]
        is None
    )
    assert [post(world, max_tokens=2_000).status_code for _ in range(2)] == [200, 429]
    assert [post(world, max_tokens=5).status_code for _ in range(3)] == [200] * 3
    other = second_tenant(world)
    assert [post(world, other, max_tokens=2_000).status_code for _ in range(2)] == [200, 200]


# ---------------------------------------------------------------------- headers


def test_every_answer_carries_the_rate_limit_headers(world: World) -> None:
    api = world.client()
    raw = api.chat.completions.with_raw_response.create(model="small", messages=HI)
    assert all(name in raw.headers for name in LIMIT_HEADERS)
    assert raw.headers["x-ratelimit-limit-tokens"] == "500000"  # tier 2
    streamed = api.chat.completions.with_raw_response.create(
        model="small", messages=HI, stream=True
    )
    assert all(name in streamed.headers for name in LIMIT_HEADERS)
    assert raw.headers["x-ratelimit-remaining-requests"] == "199"  # tier 2: 200 a minute
    assert streamed.headers["x-ratelimit-limit-requests"] == "200"
    for _ in streamed.parse():
        pass
    world.upstreams["a"].fail("bad")  # an upstream 400, passed through
    failed = post(world)
    assert failed.status_code == 400
    assert all(name in failed.headers for name in LIMIT_HEADERS)


@pytest.fixture
def fragile(
    template: Template, tmp_path: Path, upstreams: dict[str, FakeUpstream]
) -> Iterator[World]:
    """A gateway whose breakers open on the second failure and stay open 45 s."""
    breaker = BreakerPolicy(allowed_fails=2, window=60, cooldown=45)
    yield from _open("local", template, tmp_path, upstreams, breaker=breaker)


def test_a_breaker_open_503_says_when_to_retry(fragile: World) -> None:
    world = fragile
    for fake in world.upstreams.values():
        fake.fail("500")
    assert post(world).status_code == 502  # both routes tried (and retried): both open
    for route in ("chat-small@a", "chat-small@b"):
        assert world.health.breaker(route).state is CircuitState.OPEN
    refused = post(world)
    assert refused.status_code == 503
    assert refused.json()["error"]["code"] == "no_route"
    assert 40 <= int(refused.headers["retry-after"]) <= 45  # the rest of the cooldown
    assert all(name in refused.headers for name in LIMIT_HEADERS)
    assert len(world.events()) == 2


def test_an_upstream_429_everywhere_is_a_429_with_retry_after(world: World) -> None:
    for fake in world.upstreams.values():
        fake.fail("429")
    refused = post(world)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "upstream_rate_limited"
    assert int(refused.headers["retry-after"]) >= 1
    assert all(name in refused.headers for name in LIMIT_HEADERS)


def test_the_openai_client_reads_a_refusal(world: World) -> None:
    Tenants.open(world.registry).access.update(ADMIN, "globex", "chat-small", {"rate_limit_rpm": 1})
    api = world.client()
    api.chat.completions.create(model="small", messages=HI)
    with pytest.raises(openai.RateLimitError) as caught:
        api.chat.completions.create(model="small", messages=HI)
    headers = caught.value.response.headers
    assert headers["x-ratelimit-remaining-requests"] == "0"
    # the grant's bucket is full again a minute after the first request
    assert 50 < seconds(headers["x-ratelimit-reset-requests"]) <= 60
    assert int(headers["retry-after"]) == 60


# ---------------------------------------------------------------------- retry-after


def test_a_503_or_429_that_knows_no_better_time_still_says_when() -> None:
    for error in (NoRouteError("no usable route"), StoreError("the database is down")):
        status, _, _, headers = error_parts(error)
        assert (status, headers["retry-after"]) == (503, str(DEFAULT_RETRY_AFTER))
    _, _, _, headers = error_parts(NoRouteError("breakers open", retry_after=41.2))
    assert headers["retry-after"] == "42"


def test_the_breaker_says_when_it_lets_a_call_through() -> None:
    policy = BreakerPolicy(allowed_fails=1, window=60, cooldown=30)
    opened = on_failure(BreakerState(), 1000.0, policy)
    assert opened.state is CircuitState.OPEN
    assert reopens_in(opened, 1010.0, policy) == pytest.approx(20.0)
    assert reopens_in(opened, 1031.0, policy) == 0.0  # the trial is free: call now
    trial, granted = try_trial(opened, 1031.0, policy)
    assert granted and reopens_in(trial, 1031.5, policy) == 1.0  # its outcome decides
    assert reopens_in(BreakerState(), 1000.0, policy) == 0.0
