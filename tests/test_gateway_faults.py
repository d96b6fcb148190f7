"""Fault injection: upstreams on 127.0.0.1 that fail the way providers do (500, 429 with
retry-after, timeouts, connection resets and refusals, malformed JSON, a stream cut
before or after its first chunk, a prompt too long). Requests fall back to the next route,
every request leaves exactly one usage event, and a broken route's breaker opens."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx2
import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam

from gateway_fakes import FakeUpstream, reset_server, serving_upstreams
from gateway_world import Template, World, make_template, open_world
from local_server import free_port
from radiant.health.breaker import BreakerPolicy, CircuitState

HI: list[ChatCompletionMessageParam] = [{"role": "user", "content": "hi"}]


@pytest.fixture(scope="module")
def upstreams() -> Iterator[dict[str, FakeUpstream]]:
    with serving_upstreams() as fakes:
        yield fakes


@pytest.fixture(scope="module")
def template(
    tmp_path_factory: pytest.TempPathFactory, upstreams: dict[str, FakeUpstream]
) -> Iterator[Template]:
    urls = {name: fake.url for name, fake in upstreams.items()}  # type: ignore[attr-defined]
    with reset_server() as reset:
        urls["reset"] = f"http://127.0.0.1:{reset}/v1"
        urls["refused"] = f"http://127.0.0.1:{free_port()}/v1"  # nobody listens there
        yield make_template(tmp_path_factory.mktemp("faults"), urls)


@pytest.fixture
def world(
    template: Template, tmp_path: Path, upstreams: dict[str, FakeUpstream]
) -> Iterator[World]:
    for fake in upstreams.values():
        fake.heal()
        fake.calls.clear()
    breaker = BreakerPolicy(allowed_fails=3, window=60, cooldown=60)
    with open_world(template, tmp_path, upstreams, breaker=breaker) as w:
        yield w


@pytest.mark.parametrize("mode", ["500", "429", "slow", "badjson"])
def test_a_failing_route_falls_back_to_the_next(world: World, mode: str) -> None:
    world.upstreams["a"].fail(mode)
    started = time.monotonic()
    raw = world.client().chat.completions.with_raw_response.create(model="small", messages=HI)
    assert raw.headers["x-radiant-route"] == "chat-small@b"
    assert raw.parse().choices[0].message.content == "hello from b"
    # two tries of a (a 429 asking for 30 s is not waited for), then b
    assert len(world.upstreams["a"].calls) == (1 if mode == "429" else 2)
    # slow: two timeouts of 0.5 s, far under the 12 s two unbounded tries would take;
    # 429: its 30 s were not waited for (the bounds leave room for a loaded machine)
    assert time.monotonic() - started < (5 if mode == "slow" else 4)
    [event] = world.events()
    assert (event.status, event.route_id, event.platform_id) == ("success", "chat-small@b", "b")
    assert event.billed_price > 0


@pytest.mark.parametrize("model", ["chat-reset", "chat-refused"])
def test_connection_resets_and_refusals_fall_back(world: World, model: str) -> None:
    raw = world.client().chat.completions.with_raw_response.create(model=model, messages=HI)
    assert raw.headers["x-radiant-route"] == f"{model}@b"
    [event] = world.events()
    assert (event.status, event.route_id) == ("success", f"{model}@b")


def test_a_retryable_failure_is_retried_on_the_same_route_first(world: World) -> None:
    world.upstreams["a"].fail("500", times=1)
    raw = world.client().chat.completions.with_raw_response.create(model="small", messages=HI)
    assert raw.headers["x-radiant-route"] == "chat-small@a"
    assert len(world.upstreams["a"].calls) == 2 and world.upstreams["b"].calls == []


def test_a_stream_failing_before_its_first_chunk_falls_back(world: World) -> None:
    world.upstreams["a"].fail("early")
    stream = world.client().chat.completions.create(model="small", messages=HI, stream=True)
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text == "hello from b"
    [event] = world.events()
    assert (event.status, event.route_id) == ("success", "chat-small@b")


def test_a_stream_cut_midway_ends_with_an_error_event(world: World) -> None:
    world.upstreams["a"].fail("cut")
    stream = world.client().chat.completions.create(model="small", messages=HI, stream=True)
    received = []
    with pytest.raises(openai.APIError, match="broke off"):  # noqa: PT012 - the stream breaks while iterated
        for chunk in stream:
            received.append(chunk)
    assert received and world.upstreams["b"].calls == []  # no fallback after the 1st chunk
    [event] = world.events()
    assert (event.status, event.route_id, event.billed_price) == (
        "error",
        "chat-small@a",
        Decimal(0),
    )
    assert event.error_code is not None and event.base_cost > 0  # the upstream may bill us
    assert world.health.breaker("chat-small@a").failures


def test_a_prompt_too_long_moves_to_a_larger_context_model(world: World) -> None:
    world.upstreams["a"].fail("context")
    raw = world.client().chat.completions.with_raw_response.create(model="small", messages=HI)
    assert raw.headers["x-radiant-route"] == "chat-big@b"
    assert len(world.upstreams["a"].calls) == 1  # not retried: it would not fit again
    assert world.upstreams["b"].calls[-1]["model"] == "big-b"
    assert world.health.breaker("chat-small@a").failures == ()  # the route is fine


def test_when_every_route_fails_the_client_gets_502_and_it_is_recorded(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.upstreams["a"].fail("500")
    world.upstreams["b"].fail("500")
    with pytest.raises(openai.InternalServerError) as caught:
        world.client().chat.completions.create(model="small", messages=HI)
    assert caught.value.status_code == 502
    # the tenant learns what happened, not which of our routes failed nor what they said
    message = caught.value.message
    assert "the upstream provider failed; no other route could serve the model" in message
    assert "chat-small@" not in message and "boom" not in message
    assert "chat-small@a" in caplog.text and "chat-small@b" in caplog.text  # the log has it
    [event] = world.events()
    assert (event.status, event.error_code, event.billed_price) == (
        "error",
        "upstream_error",
        Decimal(0),
    )


def test_a_broken_routes_breaker_opens_and_the_route_is_skipped(world: World) -> None:
    world.upstreams["a"].fail("500")
    api = world.client()
    for _ in range(2):  # 2 tries each: the 3rd failure opens the breaker
        assert (
            api.chat.completions.with_raw_response.create(model="small", messages=HI).headers[
                "x-radiant-route"
            ]
            == "chat-small@b"
        )
    assert world.health.breaker("chat-small@a").state is CircuitState.OPEN
    calls = len(world.upstreams["a"].calls)
    assert calls == 3  # the second request stopped retrying a once its breaker opened
    raw = api.chat.completions.with_raw_response.create(model="small", messages=HI)
    assert raw.headers["x-radiant-route"] == "chat-small@b"
    assert len(world.upstreams["a"].calls) == calls  # skipped, not called
    assert len(world.events()) == 3


def test_no_usage_event_is_lost_under_concurrent_faults(world: World) -> None:
    world.upstreams["a"].fail("500", times=6)  # a's breaker opens on the way
    world.upstreams["b"].fail("500", times=2)

    async def run() -> list[httpx2.Response]:
        async with httpx2.AsyncClient(timeout=10) as http:
            headers = {"Authorization": f"Bearer {world.key}"}
            body = {"model": "small", "messages": HI}
            stream = {**body, "stream": True}
            return await asyncio.gather(
                *(
                    http.post(
                        f"{world.base}/chat/completions",
                        json=stream if i % 3 == 0 else body,
                        headers=headers,
                    )
                    for i in range(24)
                )
            )

    responses = asyncio.run(run())
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 502, 503} and statuses.count(200) >= 20
    events = world.events()
    assert sorted(e.request_id for e in events) == sorted(
        r.headers["x-request-id"] for r in responses
    )
    ok = {r.headers["x-request-id"] for r in responses if r.status_code == 200}
    assert {e.request_id for e in events if e.status == "success"} == ok


def test_a_client_that_leaves_mid_stream_stops_the_upstream_and_is_recorded(world: World) -> None:
    world.upstreams["a"].fail("drip")
    world.upstreams["a"].sent = 0
    with httpx2.stream(
        "POST",
        f"{world.base}/chat/completions",
        headers={"Authorization": f"Bearer {world.key}"},
        json={"model": "small", "stream": True, "messages": HI},
    ) as response:
        lines = response.iter_lines()
        assert next(lines).startswith("data: ")
    deadline = time.monotonic() + 3
    while not (events := world.events()) and time.monotonic() < deadline:
        time.sleep(0.05)
    [event] = events
    assert (event.status, event.error_code) == ("error", "client_closed_request")
    assert event.route_id == "chat-small@a"
    assert event.billed_price > 0 and event.usage_estimated  # billed for what it was sent
    time.sleep(0.2)
    assert world.upstreams["a"].sent < 20  # of 120: the gateway stopped reading


def test_when_every_route_is_rate_limited_upstream_the_client_gets_429(world: World) -> None:
    world.upstreams["a"].fail("429")
    world.upstreams["b"].fail("429")
    with pytest.raises(openai.RateLimitError) as caught:
        world.client().chat.completions.create(model="small", messages=HI)
    assert caught.value.response.headers["retry-after"] == "30"
    [event] = world.events()
    assert (event.status, event.error_code) == ("error", "upstream_rate_limited")


def test_a_prompt_too_long_for_every_model_is_the_clients_400(world: World) -> None:
    world.upstreams["a"].fail("context")
    world.upstreams["b"].fail("context")
    with pytest.raises(openai.BadRequestError, match="prompt is too long") as caught:
        world.client().chat.completions.create(model="small", messages=HI)
    assert caught.value.code == "context_length_exceeded"
    # chat-small's other route was not tried: the prompt would not fit it either
    assert [c["model"] for c in world.upstreams["b"].calls] == ["big-b"]
