"""The gateway's pieces on their own: what a body asks for, when to retry where, what an
upstream error becomes for the client, usage from OpenAI's usage objects, and the upstream
client against servers that close, chunk and cut."""

from __future__ import annotations

import asyncio
import gzip
from decimal import Decimal

import pytest

from http_client_fakes import answer, eventually, raw_server, read_request, sockets_to
from local_server import free_port
from radiant.domain import Task
from radiant.errors import ModelNotFoundError, ProviderError
from radiant.gateway.charge import response_usage, tokens_usage
from radiant.gateway.client import gateway_client
from radiant.gateway.errors import BadRequestError, error_parts
from radiant.gateway.requests import Endpoint, read_ask
from radiant.gateway.retry import RetryPolicy, RouteRefused
from radiant.http.client import HttpClient
from radiant.pricing.usage import Usage
from radiant.providers.openai_wire import InvalidRequest
from radiant.providers.transport import Call as UpstreamCall


def ask(body: dict[str, object], endpoint: Endpoint = Endpoint.CHAT, size: int = 400):  # type: ignore[no-untyped-def]
    return read_ask(endpoint, body, size)


#: a chat's messages, so that a body is a chat request but for what a test changes
HI = [{"role": "user", "content": "hi"}]


# ---------------------------------------------------------------------- requests


def test_model_and_models_make_one_ordered_list_without_radiant_fields() -> None:
    found = ask({"model": "a", "models": ["b", "a", "c"], "messages": HI, "max_tokens": 100})
    assert found.models == ("a", "b", "c")
    assert "models" not in found.body and found.body["model"] == "a"
    assert found.estimated_tokens == 400 // 4 + 100


def test_an_output_cap_spelled_as_a_whole_float_counts() -> None:
    """JSON's ``100.0`` is the integer 100 (the body check reads it so): the rate-limit
    estimate counts it like ``100``."""
    found = ask({"model": "a", "messages": HI, "max_completion_tokens": 100.0})
    assert found.estimated_tokens == 400 // 4 + 100


def test_auto_takes_its_criteria_from_the_body_and_its_task_from_the_endpoint() -> None:
    found = ask(
        {"model": "auto", "input": "x", "selection": {"task": "chat", "min_context_window": 9}},
        Endpoint.EMBEDDINGS,
    )
    assert found.criteria is not None
    assert found.criteria.task is Task.EMBEDDING and found.criteria.min_context_window == 9
    assert "selection" not in found.body


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({}, None),
        ({"model": ""}, "model"),
        ({"model": 3}, "model"),
        ({"model": "a", "models": "b"}, "models"),
        ({"model": "a", "models": [f"m{i}" for i in range(9)]}, "models"),
        ({"model": "a", "stream": "yes"}, "stream"),
        ({"model": "a", "messages": HI, "max_tokens": -1}, "max_tokens"),
        ({"model": "a", "messages": HI, "stream": True, "stream_options": 1}, "stream_options"),
        ({"model": "auto", "messages": HI, "selection": {"tier": 9}}, "selection.tier"),
        ({"model": "auto", "messages": HI, "selection": []}, "selection"),
    ],
)
def test_bad_bodies_are_400_naming_the_field(body: dict[str, object], param: str | None) -> None:
    with pytest.raises((BadRequestError, InvalidRequest)) as caught:
        ask(body)
    assert caught.value.status == 400 and getattr(caught.value, "param", None) == param


def test_only_chat_streams() -> None:
    with pytest.raises(BadRequestError, match="does not stream"):
        ask({"model": "e", "input": "x", "stream": True}, Endpoint.EMBEDDINGS)
    streamed = ask(
        {"model": "a", "messages": HI, "stream": True, "stream_options": {"include_usage": True}}
    )
    assert streamed.stream and streamed.wants_stream_usage


# ---------------------------------------------------------------------- retries


def failure(status: int | None = None, kind: str = "http", **kw: object) -> ProviderError:
    return ProviderError("x", provider="p", kind=kind, status=status, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "same", "next_route"),
    [
        (failure(500), True, True),
        (failure(503), True, True),
        (failure(kind="connect"), True, True),
        (failure(kind="timeout"), True, True),
        (failure(kind="protocol"), True, True),
        (failure(429, retry_after=0.5), True, True),
        (failure(429, retry_after=30.0), False, True),  # moves on rather than wait
        (failure(400, code="context_length_exceeded"), False, False),  # a bigger model
        (failure(400), False, False),
        (failure(404), False, False),
    ],
)
def test_which_failures_retry_the_route_and_which_move_on(
    error: ProviderError, same: bool, next_route: bool
) -> None:
    policy = RetryPolicy()
    assert policy.same_route(error) is same
    assert policy.next_route(error) is next_route


def test_an_open_breaker_moves_on_and_is_never_retried() -> None:
    policy = RetryPolicy()
    assert policy.next_route(RouteRefused("open")) and not policy.same_route(RouteRefused("x"))


def test_retries_are_bounded_and_back_off() -> None:
    policy = RetryPolicy(attempts_per_route=3, initial_backoff=0.01, max_backoff=0.02)
    calls: list[float] = []

    async def run() -> None:
        loop = asyncio.get_running_loop()
        async for attempt in policy.retrying(after=failure(502)):
            with attempt:
                calls.append(loop.time())
                raise failure(502)

    with pytest.raises(ProviderError):
        asyncio.run(run())
    assert len(calls) == 2  # the first call was made before the loop
    assert calls[1] - calls[0] >= 0.01


# ---------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (failure(400), 400),  # the request's fault: the client sees the upstream's answer
        (failure(422), 422),
        (failure(401), 502),  # our credentials, not the client's
        (failure(429), 502),
        (failure(500), 502),
        (failure(kind="timeout"), 504),
        (ModelNotFoundError("x", ["y"]), 404),
        (RuntimeError("boom"), 500),
    ],
)
def test_what_an_error_becomes_for_the_client(error: Exception, status: int) -> None:
    assert error_parts(error)[0] == status


# ---------------------------------------------------------------------- usage


def test_openai_usage_is_split_into_parts_that_do_not_overlap() -> None:
    usage = tokens_usage(
        {
            "prompt_tokens": 100,
            "completion_tokens": 50,
            "prompt_tokens_details": {"cached_tokens": 30},
            "completion_tokens_details": {"reasoning_tokens": 20},
        }
    )
    assert usage == Usage(
        input_tokens=70, cached_input_tokens=30, output_tokens=30, reasoning_tokens=20
    )
    assert tokens_usage({"prompt_tokens": -5, "completion_tokens": "7"}) == Usage()


def test_usage_of_images_speech_and_transcriptions() -> None:
    assert response_usage(Endpoint.IMAGES, {"data": [{}, {}, {}]}, {}).images == 3
    assert response_usage(Endpoint.SPEECH, None, {"input": "héllo"}).input_tokens == 5
    heard = response_usage(Endpoint.TRANSCRIPTION, {"text": "x", "duration": 12.5}, {})
    assert heard.seconds == Decimal("12.5")


# ---------------------------------------------------------------------- transport
# the gateway's upstream client (radiant.http.client, through the adapters' Call); more in
# tests/test_http_client*.py: 1xx answers, a POST sent once, cancellation, TLS, proxies


def _call(client: HttpClient, timeout: float = 5) -> UpstreamCall:
    return UpstreamCall(client, "up", timeout)


def test_a_connection_the_server_closed_while_idle_leaves_the_pool_and_is_replaced() -> None:
    served: list[int] = []

    async def once_per_connection(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await read_request(reader)
        served.append(1)
        writer.write(answer(b'"ok"'))
        await writer.drain()
        # returns: the connection is closed, keep-alive promised all the same

    async def run() -> list[str]:
        async with raw_server(once_per_connection) as server, gateway_client() as client:
            texts = []
            for _ in range(3):
                response = await _call(client).send("POST", f"{server.url}/x", headers={})
                texts.append(response.json())
                # the pool lets go of the closed connection (no CLOSE_WAIT kept)
                await eventually(lambda: not sockets_to(server.port))
            return texts

    assert asyncio.run(run()) == ["ok", "ok", "ok"]
    assert len(served) == 3


def test_chunked_bodies_arrive_chunk_by_chunk_and_the_connection_is_reused() -> None:
    async def chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await read_request(reader)
            writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
            for part in (b"data: 1\n\n", b"data: 2\n\n"):
                writer.write(b"%x\r\n%s\r\n" % (len(part), part))
                await writer.drain()
                await asyncio.sleep(0.01)
            writer.write(b"0\r\n\r\n")
            await writer.drain()

    async def run() -> tuple[list[list[bytes]], int]:
        async with raw_server(chunked) as server, gateway_client() as client:
            seen = []
            for _ in range(2):
                pieces = _call(client).stream_bytes(f"{server.url}/s", {}, headers={})
                seen.append([piece async for piece in pieces])
            return seen, server.accepted

    assert asyncio.run(run()) == ([[b"data: 1\n\n", b"data: 2\n\n"]] * 2, 1)


@pytest.mark.parametrize(
    "answer_bytes",
    [
        b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc",
        b"garbage\r\n\r\n",
        b"HTTP/1.1 200 OK\r\ncontent-length: x\r\n\r\n",
        b"",
    ],
)
def test_cut_and_broken_answers_are_protocol_errors(answer_bytes: bytes) -> None:
    async def broken(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(answer_bytes)
        await writer.drain()

    async def run() -> None:
        async with raw_server(broken) as server, gateway_client() as client:
            await _call(client).send("POST", f"{server.url}/x", headers={}, json_body={})

    with pytest.raises(ProviderError) as caught:
        asyncio.run(run())
    assert caught.value.kind == "protocol" and caught.value.retryable


def test_timeouts_and_refusals_are_their_own_kinds() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await reader.read()  # answer nothing; return once the client gives up and closes

    async def run() -> None:
        async with raw_server(silent) as server, gateway_client() as client:
            await _call(client, 0.1).send("POST", f"{server.url}/x", headers={}, json_body={})

    with pytest.raises(ProviderError) as caught:
        asyncio.run(run())
    assert caught.value.kind == "timeout"

    async def refused() -> None:
        async with gateway_client() as client:
            await _call(client).send("POST", f"http://127.0.0.1:{free_port()}/x", headers={})

    with pytest.raises(ProviderError) as caught:
        asyncio.run(refused())
    assert caught.value.kind == "connect" and "cannot connect" in str(caught.value)


def test_an_event_arrives_before_the_server_sends_the_next() -> None:
    first_seen = asyncio.Event()

    async def events(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n")
        writer.write(b"transfer-encoding: chunked\r\n\r\n")
        for part in (b'data: {"n": 1}\n\n', b'data: {"n": 2}\n\n'):
            writer.write(b"%x\r\n%s\r\n" % (len(part), part))
            await writer.drain()
            await asyncio.wait_for(first_seen.wait(), 2)  # the next only once this one is in
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    async def run() -> list[object]:
        async with raw_server(events) as server, gateway_client() as client:
            seen = []
            async for _, data in _call(client).events(f"{server.url}/s", {}, headers={}):
                seen.append(data)
                first_seen.set()
            return seen

    assert asyncio.run(run()) == [{"n": 1}, {"n": 2}]


def test_bodies_go_up_whole_and_come_down_decoded() -> None:
    received: list[bytes] = []
    packed = gzip.compress(b'{"ok": true}')

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            _, body = await read_request(reader)
            received.append(body)
            headers = b"content-encoding: gzip\r\n"
            writer.write(answer(packed, headers=headers))
            await writer.drain()

    async def run() -> list[object]:
        async with raw_server(echo) as server, gateway_client() as client:
            call = _call(client)
            url = f"{server.url}/x"
            raw = await call.json("POST", url, headers={}, content=b"hello, world")
            encoded = await call.json("POST", url, headers={}, json_body={"héllo": [1, 2]})
            return [raw, encoded]

    assert asyncio.run(run()) == [{"ok": True}, {"ok": True}]
    assert received == [b"hello, world", '{"héllo":[1,2]}'.encode()]
