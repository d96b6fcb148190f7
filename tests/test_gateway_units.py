"""The gateway's pieces on their own: what a body asks for, when to retry where, what an
upstream error becomes for the client, usage from OpenAI's usage objects, and the lean
HTTP/1.1 transport against servers that close, chunk and cut."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from decimal import Decimal

import httpx2
import pytest

from radiant.domain import Task
from radiant.errors import ModelNotFoundError, ProviderError
from radiant.gateway.client import GatewayClient
from radiant.gateway.errors import BadRequestError, error_parts
from radiant.gateway.requests import Endpoint, read_ask
from radiant.gateway.retry import RetryPolicy, RouteRefused
from radiant.gateway.usage import response_usage, tokens_usage
from radiant.pricing.usage import Usage
from radiant.providers.openai_wire import InvalidRequest


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

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def server(handler: Handler) -> AsyncIterator[str]:
    running: set[asyncio.Task[None]] = set()

    async def closing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        running.add(task)
        try:
            await handler(reader, writer)
        finally:
            writer.close()

    srv = await asyncio.start_server(closing, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.close()
        if running:  # let every handler see its client go, rather than be cancelled
            await asyncio.wait(running, timeout=2)
        await srv.wait_closed()


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return head + await reader.readexactly(length)


def test_a_connection_the_server_closed_while_idle_is_replaced_transparently() -> None:
    served: list[int] = []

    async def once_per_connection(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await read_request(reader)
        served.append(1)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()  # keep-alive promised, then closed: the client finds out on reuse

    async def run() -> list[str]:
        async with server(once_per_connection) as url, GatewayClient() as client:
            texts = []
            for _ in range(3):
                response = await client.post(f"{url}/x", json={"a": 1})
                texts.append(response.text)
                await asyncio.sleep(0.05)
            return texts

    assert asyncio.run(run()) == ["ok", "ok", "ok"]
    assert len(served) == 3


def test_a_post_on_a_connection_the_server_just_closed_is_sent_again() -> None:
    served: list[int] = []

    async def once_per_connection(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await read_request(reader)
        served.append(1)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()  # the next request is already on its way: no time to notice

    async def run() -> list[str]:
        async with server(once_per_connection) as url, GatewayClient() as client:
            return [(await client.post(f"{url}/x", json={"a": 1})).text for _ in range(5)]

    assert asyncio.run(run()) == ["ok"] * 5
    assert len(served) == 5


def test_chunked_bodies_arrive_chunk_by_chunk_and_the_connection_is_reused() -> None:
    connections: list[int] = []

    async def chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        while True:
            try:
                await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
            for part in (b"data: 1\n\n", b"data: 2\n\n"):
                writer.write(b"%x\r\n%s\r\n" % (len(part), part))
                await writer.drain()
                await asyncio.sleep(0.01)
            writer.write(b"0\r\n\r\n")
            await writer.drain()

    async def run() -> list[list[bytes]]:
        async with server(chunked) as url, GatewayClient() as client:
            seen = []
            for _ in range(2):
                async with client.stream("POST", f"{url}/s", json={}) as response:
                    seen.append([chunk async for chunk in response.aiter_raw()])
            return seen

    assert asyncio.run(run()) == [[b"data: 1\n\n", b"data: 2\n\n"]] * 2
    assert len(connections) == 1


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc", httpx2.RemoteProtocolError),
        (b"garbage\r\n\r\n", httpx2.RemoteProtocolError),
        (b"HTTP/1.1 200 OK\r\ncontent-length: x\r\n\r\n", httpx2.RemoteProtocolError),
        (b"", httpx2.RemoteProtocolError),
    ],
)
def test_cut_and_broken_answers_are_httpx2_errors(answer: bytes, error: type[Exception]) -> None:
    async def broken(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(answer)
        await writer.drain()
        writer.close()

    async def run() -> None:
        async with server(broken) as url, GatewayClient() as client:
            await client.post(f"{url}/x", json={})

    with pytest.raises(error):
        asyncio.run(run())


def test_timeouts_and_refusals_are_httpx2_errors() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await reader.read()  # answer nothing; return once the client gives up and closes

    async def run() -> None:
        async with server(silent) as url, GatewayClient() as client:
            await client.post(f"{url}/x", json={}, timeout=0.1)

    with pytest.raises(httpx2.ReadTimeout):
        asyncio.run(run())

    async def refused() -> None:
        async with GatewayClient() as client:
            await client.post("http://127.0.0.1:9/x", json={})

    with pytest.raises(httpx2.ConnectError):
        asyncio.run(refused())


def test_an_event_arrives_before_the_server_sends_the_next() -> None:
    first_seen = asyncio.Event()

    async def events(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n")
        writer.write(b"transfer-encoding: chunked\r\n\r\n")
        for part in (b"data: 1\n\n", b"data: 2\n\n"):
            writer.write(b"%x\r\n%s\r\n" % (len(part), part))
            await writer.drain()
            await asyncio.wait_for(first_seen.wait(), 2)  # the next only once this one is in
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    async def run() -> list[str]:
        async with (
            server(events) as url,
            GatewayClient() as client,
            client.stream("POST", f"{url}/s", json={}) as response,
        ):
            lines = []
            async for line in response.aiter_lines():
                if line:
                    lines.append(line)
                    first_seen.set()
            return lines

    assert asyncio.run(run()) == ["data: 1", "data: 2"]


def test_bodies_go_up_whole_or_streamed_and_come_down_decoded() -> None:
    import gzip

    received: list[bytes] = []
    packed = gzip.compress(b'{"ok": true}')

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while not reader.at_eof():
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return
            await answer(reader, writer, head)

    async def answer(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: bytes
    ) -> None:
        if b"chunked" in head.lower():
            body = b""
            while (size := int((await reader.readuntil(b"\r\n")).strip(), 16)) > 0:
                body += (await reader.readexactly(size + 2))[:-2]
            await reader.readuntil(b"\r\n")
        else:
            length = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")]  # fmt: skip
            body = await reader.readexactly(length[0])
        received.append(body)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\n")
        writer.write(b"content-length: %d\r\n\r\n%s" % (len(packed), packed))
        await writer.drain()

    async def parts() -> AsyncIterator[bytes]:
        yield b"hello, "
        yield b"world"

    async def run() -> list[object]:
        async with server(echo) as url, GatewayClient() as client:
            whole = await client.post(f"{url}/x", content=b"hello, world")
            streamed = await client.post(f"{url}/x", content=parts())
            return [whole.json(), streamed.json()]

    assert asyncio.run(run()) == [{"ok": True}, {"ok": True}]
    assert received == [b"hello, world", b"hello, world"]
