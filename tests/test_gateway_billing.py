"""Every billable call is billed once, by an id the server makes: a caller's request id is
echoed and stored, never a key; a stream is billed for what it delivered, however it
ends. On SQLite and on PostgreSQL (a copy of one template database per test)."""

from __future__ import annotations

import json
import os
import socket
import time
import warnings
from collections.abc import Generator, Iterator
from decimal import Decimal
from pathlib import Path

import httpx2
import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam
from sqlalchemy import update
from sqlalchemy.orm import Session

from gateway_fakes import FakeUpstream, serving_upstreams
from gateway_world import Backend, World, make_backends, open_backend_world
from radiant.core.request_ids import new_request_id
from radiant.gateway.stream_usage import StreamTally, estimated_prompt_tokens
from radiant.store.billing_tables import UsageEventRow
from radiant.store.repository import bump_version
from radiant.store.tables import PlatformRow

HI: list[ChatCompletionMessageParam] = [{"role": "user", "content": "hi"}]


#: for a test whose point is not the storage: SQLite only (the others run on both)
SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture(scope="module")
def upstreams() -> Iterator[dict[str, FakeUpstream]]:
    with serving_upstreams() as fakes:
        yield fakes


@pytest.fixture(scope="module")
def backends(
    tmp_path_factory: pytest.TempPathFactory,
    upstreams: dict[str, FakeUpstream],
    module_postgres_db: str,
) -> dict[str, Backend]:
    return make_backends(tmp_path_factory.mktemp("billing"), upstreams, module_postgres_db)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, backends: dict[str, Backend]) -> Backend:
    chosen: Backend = backends[request.param]
    return chosen


@pytest.fixture
def world(backend: Backend, tmp_path: Path, upstreams: dict[str, FakeUpstream]) -> Iterator[World]:
    with open_backend_world(backend, tmp_path, upstreams) as w:
        yield w


def chat(world: World, request_id: str | None = None, key: str | None = None) -> httpx2.Response:
    headers = {"Authorization": f"Bearer {key or world.key}"}
    if request_id is not None:
        headers["x-request-id"] = request_id
    body = {"model": "small", "messages": HI}
    return httpx2.post(f"{world.base}/chat/completions", json=body, headers=headers, timeout=10)


def wait_for_events(world: World, count: int) -> list[UsageEventRow]:
    """The usage events once there are ``count`` (a stream's is written after it ends)."""
    deadline = time.monotonic() + 5
    while len(events := world.events()) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return events


# ---------------------------------------------------------------------- the event's key


def test_calls_sharing_a_request_id_are_each_billed(world: World) -> None:
    responses = [chat(world, "retry-me") for _ in range(20)]
    assert [r.status_code for r in responses] == [200] * 20
    assert {r.headers["x-request-id"] for r in responses} == {"retry-me"}  # echoed
    ours = [r.headers["x-radiant-request-id"] for r in responses]
    assert len(set(ours)) == 20 and "retry-me" not in ours
    events = world.events()
    assert len(events) == 20
    assert sorted(e.id for e in events) == sorted(ours)
    assert {e.request_id for e in events} == {"retry-me"}  # stored, never a key
    assert all(e.status == "success" and e.billed_price > 0 for e in events)
    total = sum((Decimal(r.headers["x-radiant-price"]) for r in responses), Decimal(0))
    assert sum((e.billed_price for e in events), Decimal(0)) == total


def test_a_429_and_its_successful_retry_with_one_request_id_are_both_recorded(
    world: World,
) -> None:
    world.upstreams["a"].fail("429")
    world.upstreams["b"].fail("429")
    assert chat(world, "attempt-7").status_code == 429
    world.upstreams["a"].heal()
    world.upstreams["b"].heal()
    retry = chat(world, "attempt-7")
    assert retry.status_code == 200
    events = world.events()
    assert [(e.status, e.request_id) for e in events] == [
        ("error", "attempt-7"),
        ("success", "attempt-7"),
    ]
    assert events[1].id == retry.headers["x-radiant-request-id"]
    assert events[1].billed_price == Decimal(retry.headers["x-radiant-price"]) > 0


def test_tenants_reusing_one_request_id_each_keep_their_event(
    world: World, backend: Backend
) -> None:
    mine = chat(world, "shared-id")
    theirs = chat(world, "shared-id", key=backend.other_key)
    assert mine.status_code == theirs.status_code == 200
    events = world.events()
    assert len(events) == 2 and {e.request_id for e in events} == {"shared-id"}
    assert len({e.tenant_id for e in events}) == 2
    assert all(e.billed_price > 0 for e in events)


@SQLITE_ONLY
def test_without_a_request_id_the_servers_is_echoed_and_a_bad_one_is_not_kept(
    world: World,
) -> None:
    plain = chat(world)
    assert plain.headers["x-request-id"] == plain.headers["x-radiant-request-id"]
    odd = chat(world, "x" * 101)  # longer than a request id may be: replaced, not stored
    assert odd.headers["x-request-id"] == odd.headers["x-radiant-request-id"]
    events = world.events()
    assert [(e.id, e.request_id) for e in events] == [
        (plain.headers["x-radiant-request-id"],) * 2,
        (odd.headers["x-radiant-request-id"],) * 2,
    ]


def test_our_request_ids_differ_in_a_forked_child() -> None:
    read, write = os.pipe()
    with warnings.catch_warnings():  # Python 3.12+ warns of a fork with threads running
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: its first id, then out
        os.write(write, new_request_id().encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read, "rb") as pipe:
        theirs = pipe.read().decode()
    mine = new_request_id()
    assert len(mine) == len(theirs) == 32 and mine[:20] != theirs[:20]
    assert new_request_id() != mine


# ---------------------------------------------------------------------- streams


def stream_lines(world: World, body: dict[str, object]) -> Generator[str, None, None]:
    with httpx2.stream(
        "POST",
        f"{world.base}/chat/completions",
        headers={"Authorization": f"Bearer {world.key}"},
        json={"model": "small", "stream": True, "messages": HI, **body},
        timeout=10,
    ) as response:
        assert response.status_code == 200
        yield from response.iter_lines()


def test_a_stream_closed_after_its_last_content_chunk_is_billed_for_what_it_delivered(
    world: World,
) -> None:
    world.upstreams["a"].fail("linger")  # a pause after the content, before finish + usage
    received = ""
    lines = stream_lines(world, {})
    while received.count('"content"') < 4:  # the role chunk and three words
        line = next(lines)
        if line.startswith("data: ") and '"content"' in line:
            received += line
    lines.close()  # the client has the whole answer and leaves
    world.upstreams["a"].gate.set()  # then the upstream goes on (a loaded machine aside)
    assert "hello" in received and " a" in received
    [event] = wait_for_events(world, 1)
    assert (event.status, event.error_code) == ("error", "client_closed_request")
    assert event.billed_price > 0 and event.base_cost > 0
    assert event.usage_estimated  # the upstream's usage never arrived: counted here
    assert event.output_tokens == 3  # "hello", " from", " a"
    assert event.input_tokens > 0


@SQLITE_ONLY
def _patient(world: World, platform_id: str) -> None:
    """Give ``platform_id`` a 5 s timeout (the test catalog's 0.5 s is for the timeout
    tests): a drip of chunks 50 ms apart must not time out on a loaded machine."""
    with Session(world.engine) as session, session.begin():
        session.execute(
            update(PlatformRow).where(PlatformRow.id == platform_id).values(meta={"timeout": 5})
        )
        bump_version(session)
    world.registry.refresh()


def test_a_client_that_leaves_mid_stream_is_billed_for_the_chunks_it_got(world: World) -> None:
    _patient(world, "a")
    world.upstreams["a"].fail("drip")
    world.upstreams["a"].sent = 0
    lines = stream_lines(world, {})
    got = [next(lines) for _ in range(5)]  # role chunk, 2 words (and blank separators)
    lines.close()
    assert sum('"content"' in line for line in got) == 3
    [event] = wait_for_events(world, 1)
    assert (event.status, event.error_code) == ("error", "client_closed_request")
    assert event.usage_estimated and 2 <= event.output_tokens < 20
    assert event.billed_price > 0
    assert world.upstreams["a"].sent < 20  # of 120: the gateway stopped reading


@SQLITE_ONLY
def test_a_client_that_leaves_before_the_first_chunk_is_billed_its_prompt_once(
    world: World,
) -> None:
    world.upstreams["a"].fail("late")  # the first chunk comes after 300 ms
    body = json.dumps({"model": "small", "stream": True, "messages": HI}).encode()
    host, port = world.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nhost: gateway\r\n"
            + f"authorization: Bearer {world.key}\r\n".encode()
            + b"content-type: application/json\r\n"
            + f"content-length: {len(body)}\r\n\r\n".encode()
            + body
        )
        deadline = time.monotonic() + 5
        while not world.upstreams["a"].calls and time.monotonic() < deadline:
            time.sleep(0.01)  # the gateway waits for the upstream's first chunk: leave
    [event] = wait_for_events(world, 1)
    assert (event.status, event.error_code) == ("error", "client_closed_request")
    assert event.usage_estimated and event.output_tokens == 0 and event.input_tokens > 0
    assert event.billed_price > 0  # the upstream read the prompt: that much is billed
    time.sleep(0.3)  # nothing else comes of it
    assert len(world.events()) == 1


@SQLITE_ONLY
def test_a_stream_the_upstream_breaks_is_recorded_once_at_its_cost_and_not_billed(
    world: World,
) -> None:
    world.upstreams["a"].fail("cut")
    stream = world.client().chat.completions.create(model="small", messages=HI, stream=True)
    with pytest.raises(openai.APIError, match="broke off"):
        for _ in stream:
            pass
    [event] = wait_for_events(world, 1)
    assert (event.status, event.billed_price) == ("error", Decimal(0))
    assert event.usage_estimated and event.base_cost > 0
    assert event.output_tokens == 1  # "hello" reached the client before the cut


@SQLITE_ONLY
def test_a_whole_stream_is_billed_from_the_upstreams_usage(world: World) -> None:
    lines = [line for line in stream_lines(world, {}) if line]
    assert lines[-1] == "data: [DONE]"
    [event] = wait_for_events(world, 1)
    assert (event.status, event.usage_estimated) == ("success", False)
    assert (event.input_tokens, event.output_tokens) == (12, 5)  # the upstream's numbers
    price = next(line for line in lines if line.startswith(": x-radiant-price"))
    assert Decimal(price.split()[-1]) == event.billed_price > 0


# ---------------------------------------------------------------------- the count


def test_a_streams_count_is_about_four_characters_a_token_and_a_token_a_chunk() -> None:
    tally = StreamTally()
    tally.delivered({"choices": [{"delta": {"role": "assistant", "content": ""}}]})
    for word in ("Hello", " there", ",", " friend"):
        tally.delivered({"choices": [{"delta": {"content": word}}]})
    tally.delivered({"choices": [{"delta": {}, "finish_reason": "stop"}]})
    assert (tally.chunks, tally.chars, tally.output_tokens) == (4, 19, 5)
    tally.delivered({"choices": [{"delta": {"content": "x" * 400}}]})  # a chunk of many
    assert tally.output_tokens == round(419 / 4)
    calling = StreamTally()
    arguments = '{"city": "Paris"}'
    calling.delivered(
        {"choices": [{"delta": {"tool_calls": [{"function": {"arguments": arguments}}]}}]}
    )
    calling.delivered({"choices": [{"delta": {"reasoning_content": "hmm"}}]})
    assert calling.chars == len(arguments) + 3


def test_a_stream_is_estimated_only_when_the_upstream_reported_no_usage() -> None:
    body = {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "What is 2 + 2?"}]},
        ]
    }
    assert estimated_prompt_tokens(body) == round((9 + 14) / 4) + 2 * 4 + 3
    tally = StreamTally()
    tally.delivered({"choices": [{"delta": {"content": "4"}}]})
    usage, estimated = tally.usage(body)
    assert estimated and (usage.input_tokens, usage.output_tokens) == (17, 1)
    tally.reported({"prompt_tokens": 20, "completion_tokens": 2})
    usage, estimated = tally.usage(body)
    assert not estimated and (usage.input_tokens, usage.output_tokens) == (20, 2)
