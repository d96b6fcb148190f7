"""List-models clients against fake upstream servers on 127.0.0.1 (real HTTP): pagination,
long listings, retries on 429 / 5xx / timeouts, and clear errors for bad answers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from typing import Any, TypeVar

import httpx2
import pytest

from discovery_fakes import (
    KEY,
    Trouble,
    Upstream,
    anthropic_model,
    gemini_model,
    openai_model,
    openrouter_model,
    serve,
)
from radiant.sync.discovery.clients import list_anthropic, list_gemini, list_openai_compatible
from radiant.sync.discovery.http import RetryPolicy, UpstreamError
from radiant.sync.discovery.openrouter import add_endpoints, list_openrouter

pytestmark = pytest.mark.slow
T = TypeVar("T")
FAST = RetryPolicy(attempts=3, initial=0.01, max_wait=5)


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    yield from serve(Upstream())


def run(call: Callable[[httpx2.AsyncClient], Awaitable[T]], timeout: float = 5) -> T:
    async def go() -> T:
        async with httpx2.AsyncClient(timeout=timeout) as client:
            return await call(client)

    return asyncio.run(go())


def test_anthropic_follows_has_more_and_last_id(upstream: Upstream) -> None:
    upstream.anthropic = [anthropic_model(f"claude-{i}") for i in range(5)]
    upstream.page_cap = 2
    pages: list[int] = []
    models, count = run(
        lambda c: list_anthropic(
            c, upstream.url("anthropic/v1"), KEY, policy=FAST, on_page=pages.append
        )
    )
    assert [m.upstream_id for m in models] == [f"claude-{i}" for i in range(5)]
    assert count == 3 and pages == [2, 2, 1]
    sent = [(h["anthropic-version"], q.get("after_id")) for _, h, q in upstream.requests]
    assert sent == [("2023-06-01", None), ("2023-06-01", "claude-1"), ("2023-06-01", "claude-3")]
    assert models[0].display_name == "Claude claude-0"


def test_gemini_follows_next_page_token(upstream: Upstream) -> None:
    upstream.gemini = [gemini_model(f"gemini-{i}", context=1000 * (i + 1)) for i in range(5)]
    upstream.page_cap = 2
    models, count = run(lambda c: list_gemini(c, upstream.url("gemini/v1beta"), KEY, policy=FAST))
    assert [m.upstream_id for m in models] == [f"gemini-{i}" for i in range(5)]
    assert count == 3
    assert [q.get("pageToken") for _, _, q in upstream.requests] == [None, "2", "4"]
    assert models[4].context_window == 5000 and models[4].capabilities == ["chat"]
    # the key travels in a header, never in the URL
    assert all(KEY not in str(q) for _, _, q in upstream.requests)


def test_an_upstream_listing_5000_models(upstream: Upstream) -> None:
    upstream.openai = [openai_model(f"model-{i:04d}") for i in range(5000)]
    models, _ = run(lambda c: list_openai_compatible(c, upstream.url("openai/v1"), KEY))
    assert len(models) == 5000 and models[-1].upstream_id == "model-4999"


def test_openrouter_prices_per_token_become_per_million(upstream: Upstream) -> None:
    upstream.openrouter = [
        openrouter_model("acme/fast", "0.0000005", "0.0000015"),
        openrouter_model("openrouter/auto", "-1", "-1"),
    ]
    models, _ = run(lambda c: list_openrouter(c, upstream.url("openrouter/api/v1"), KEY))
    fast, auto = models
    assert fast.input_per_1m == Decimal("0.5") and fast.output_per_1m == Decimal("1.5")
    assert fast.cached_input_per_1m == Decimal("0.3")
    assert fast.provider_hint == "acme" and "vision" in fast.capabilities
    assert fast.max_output_tokens == 8192 and fast.context_window == 200000
    assert auto.input_per_1m is None  # variable price: not a price


def test_openrouter_endpoints_name_the_providers_serving_a_model(upstream: Upstream) -> None:
    upstream.openrouter = [openrouter_model("acme/fast"), openrouter_model("acme/gone")]
    upstream.endpoints = {
        "acme/fast": [
            {
                "name": "Acme | acme/fast",
                "provider_name": "Acme",
                "context_length": 100000,
                "pricing": {"prompt": "0.000001", "completion": "0.000002"},
            }
        ]
    }

    async def go(client: httpx2.AsyncClient) -> tuple[Any, list[str]]:
        base = upstream.url("openrouter/api/v1")
        models, _ = await list_openrouter(client, base, KEY)
        errors = await add_endpoints(client, base, KEY, models, policy=FAST)
        return models, errors

    (fast, gone), errors = run(go)
    assert fast.endpoints == [
        {
            "name": "Acme | acme/fast",
            "provider_name": "Acme",
            "tag": None,
            "context_length": 100000,
            "max_completion_tokens": None,
            "quantization": None,
            "status": None,
            "input_per_1m": "1",
            "output_per_1m": "2",
            "cached_input_per_1m": None,
            "cache_write_per_1m": None,
        }
    ]
    assert gone.endpoints is None and len(errors) == 1 and "HTTP 404" in errors[0]


def test_429_waits_what_retry_after_asks_then_succeeds(upstream: Upstream) -> None:
    upstream.openai = [openai_model("one")]
    upstream.script["openai"] = [Trouble(status=429, retry_after="1")]
    started = time.monotonic()
    models, _ = run(
        lambda c: list_openai_compatible(c, upstream.url("openai/v1"), KEY, policy=FAST)
    )
    assert [m.upstream_id for m in models] == ["one"]
    assert upstream.hits("/openai/") == 2
    assert time.monotonic() - started >= 0.9  # it waited as asked, not its own 10 ms


def test_500_is_retried_then_succeeds(upstream: Upstream) -> None:
    upstream.gemini = [gemini_model("gemini-x")]
    upstream.script["gemini"] = [Trouble(status=500), Trouble(status=503)]
    models, _ = run(lambda c: list_gemini(c, upstream.url("gemini/v1beta"), KEY, policy=FAST))
    assert [m.upstream_id for m in models] == ["gemini-x"] and upstream.hits("gemini") == 3


def test_500_every_time_fails_after_bounded_attempts(upstream: Upstream) -> None:
    upstream.script["openai"] = [Trouble(status=500)] * 10
    with pytest.raises(UpstreamError, match=r"HTTP 500 \(after 3 attempts\)"):
        run(lambda c: list_openai_compatible(c, upstream.url("openai/v1"), KEY, policy=FAST))
    assert upstream.hits("/openai/") == 3


def test_a_timeout_is_retried_then_reported(upstream: Upstream) -> None:
    upstream.script["anthropic"] = [Trouble(delay=1.0)] * 2
    policy = RetryPolicy(attempts=2, initial=0.01)
    with pytest.raises(UpstreamError, match="timed out"):
        run(
            lambda c: list_anthropic(c, upstream.url("anthropic/v1"), KEY, policy=policy),
            timeout=0.2,
        )
    assert upstream.hits("anthropic") == 2


def test_malformed_json_is_a_clear_error_without_retries(upstream: Upstream) -> None:
    upstream.script["openrouter"] = [Trouble(body=b'{"data": [')]
    with pytest.raises(UpstreamError, match="not JSON"):
        run(lambda c: list_openrouter(c, upstream.url("openrouter/api/v1"), KEY, policy=FAST))
    assert upstream.hits("openrouter") == 1


@pytest.mark.parametrize(
    "body", [b'{"data": "nope"}', b'{"data": [1, 2]}', b'{"data": [{"name": "no id"}]}', b"[]"]
)
def test_an_unexpected_shape_is_a_clear_error(upstream: Upstream, body: bytes) -> None:
    upstream.script["anthropic"] = [Trouble(body=body)]
    with pytest.raises(UpstreamError, match="unexpected shape"):
        run(lambda c: list_anthropic(c, upstream.url("anthropic/v1"), KEY, policy=FAST))


def test_a_wrong_key_is_not_retried(upstream: Upstream) -> None:
    with pytest.raises(UpstreamError, match="HTTP 401"):
        run(lambda c: list_openai_compatible(c, upstream.url("openai/v1"), "wrong", policy=FAST))
    assert upstream.hits("/openai/") == 1


def test_a_server_that_is_not_there_is_a_connect_error(upstream: Upstream) -> None:
    with pytest.raises(UpstreamError, match="ConnectError"):
        run(lambda c: list_openai_compatible(c, "http://127.0.0.1:9/v1", KEY, policy=FAST))
