"""The upstream client (radiant.http.client through the adapters' ``Call``) against raw
servers on 127.0.0.1: informational answers under concurrent callers, a POST sent once
when its pooled connection dies, callers cancelled mid-call, connection limits per
origin, a timeout per route, no cookie carried from one call to the next; and the
server-sent-event decoder the streams go through."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from contextlib import aclosing, suppress

import pytest

from http_client_fakes import Handler, answer, raw_server, read_request, sockets_to
from radiant.errors import ProviderError
from radiant.http.client import HttpClient, TransportError
from radiant.http.config import HttpConfig
from radiant.http.sse import ServerSentEvent, server_sent_events
from radiant.providers.transport import Call

# ---------------------------------------------------------------------- informational answers


def test_early_hints_before_every_answer_leave_each_of_40_callers_its_own_answer() -> None:
    async def hinting(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            _, body = await read_request(reader)
            caller = json.loads(body)["caller"]
            writer.write(b"HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload\r\n\r\n")
            await writer.drain()
            await asyncio.sleep(0)  # the hint and the answer in separate packets, mostly
            writer.write(answer(json.dumps({"for": caller}).encode()))
            await writer.drain()

    async def run() -> list[list[object]]:
        async with raw_server(hinting) as server, HttpClient() as client:
            call = Call(client, "hints", timeout=5)

            async def one(caller: int) -> object:
                done = await call.json(
                    "POST", f"{server.url}/v1/x", headers={}, json_body={"caller": caller}
                )
                return done["for"]

            rounds = []
            for _ in range(3):  # later rounds reuse the pooled connections
                rounds.append(list(await asyncio.gather(*(one(i) for i in range(40)))))
            assert server.accepted <= 40
            return rounds

    assert asyncio.run(run()) == [list(range(40))] * 3


def test_100_continue_then_an_error_is_the_error() -> None:
    async def continuing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        writer.write(answer(b'{"error": {"message": "bad model"}}', b"400 Bad Request"))
        await writer.drain()

    async def run() -> None:
        async with raw_server(continuing) as server, HttpClient() as client:
            await Call(client, "p", 5).json("POST", f"{server.url}/x", headers={}, json_body={})

    with pytest.raises(ProviderError) as caught:
        asyncio.run(run())
    assert caught.value.status == 400 and "bad model" in str(caught.value)


# ---------------------------------------------------------------------- sent once


def test_a_post_whose_pooled_connection_dies_under_it_reaches_the_upstream_once() -> None:
    """The server answers the first request, takes the second and closes without an
    answer: the client must report it, not send it again on a new connection."""
    seen: list[bytes] = []

    async def dies_on_the_second(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        _, body = await read_request(reader)
        seen.append(body)
        writer.write(answer(b'{"n": 1}'))
        await writer.drain()
        _, body = await read_request(reader)
        seen.append(body)  # taken, maybe processed (a chat call was billed) ... and dropped

    async def run() -> None:
        async with raw_server(dies_on_the_second) as server, HttpClient() as client:
            call = Call(client, "p", 5)
            url = f"{server.url}/v1/chat/completions"
            assert await call.json("POST", url, headers={}, json_body={"n": 1}) == {"n": 1}
            await call.json("POST", url, headers={}, json_body={"n": 2})

    with pytest.raises(ProviderError) as caught:
        asyncio.run(run())
    assert caught.value.kind == "protocol"
    assert seen == [b'{"n":1}', b'{"n":2}']  # the second once, not twice


# ---------------------------------------------------------------------- cancelled callers


def _holding(received: asyncio.Event, left: asyncio.Event, first: bytes = b"") -> Handler:
    """Answers ``/fine``; anything else gets ``first`` (if any) and then nothing."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head, _ = await read_request(reader)
        if b"/fine" in head.split(b"\r\n")[0]:
            writer.write(answer(b'{"ok": true}'))
            await writer.drain()
            await reader.read()
            return
        if first:
            writer.write(first)
            await writer.drain()
        received.set()
        await reader.read()  # never answers; returns once the client has closed its end
        left.set()

    return handler


@pytest.mark.parametrize("where", ["waiting for the head", "reading a stream"])
def test_a_caller_cancelled_mid_call_leaves_no_socket_behind(where: str) -> None:
    streamed = where == "reading a stream"
    first = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n"

    async def run() -> tuple[list[str], object]:
        received, left = asyncio.Event(), asyncio.Event()
        handler = _holding(received, left, first if streamed else b"")
        async with raw_server(handler) as server, HttpClient() as client:
            call = Call(client, "p", 30)

            async def caller() -> None:
                if streamed:
                    async for _ in call.stream_bytes(f"{server.url}/s", {}, headers={}):
                        pass
                else:
                    await call.json("POST", f"{server.url}/x", headers={}, json_body={})

            task = asyncio.create_task(caller())
            await asyncio.wait_for(received.wait(), 5)
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
            await asyncio.wait_for(left.wait(), 5)  # the upstream saw our end close
            leaked = sockets_to(server.port)
            fine = await call.json("POST", f"{server.url}/fine", headers={}, json_body={})
            return leaked, fine

    leaked, fine = asyncio.run(run())
    assert leaked == []  # nothing ESTABLISHED nor in CLOSE_WAIT
    assert fine == {"ok": True}  # and the pool still serves


def test_leaving_an_event_stream_early_closes_its_connection() -> None:
    async def run() -> list[str]:
        received, left = asyncio.Event(), asyncio.Event()
        event = b'data: {"a": 1}\n\n'
        first = (
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            b"transfer-encoding: chunked\r\n\r\n%x\r\n%s\r\n" % (len(event), event)
        )
        handler = _holding(received, left, first)
        async with raw_server(handler) as server, HttpClient() as client:
            events = Call(client, "p", 30).events(f"{server.url}/s", {}, headers={})
            async with aclosing(events):
                assert await anext(events) == ("message", {"a": 1})
            await asyncio.wait_for(left.wait(), 5)
            return sockets_to(server.port)

    assert asyncio.run(run()) == []


# ---------------------------------------------------------------------- limits and timeouts


def test_calls_beyond_the_limit_per_origin_wait_for_a_free_connection() -> None:
    async def slowish(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await read_request(reader)
            await asyncio.sleep(0.02)
            writer.write(answer(b"{}"))
            await writer.drain()

    async def run() -> tuple[int, int]:
        config = HttpConfig(connections_per_origin=2)
        async with raw_server(slowish) as server, HttpClient(config) as client:
            call = Call(client, "p", 5)
            await asyncio.gather(
                *(call.json("POST", server.url, headers={}, json_body={}) for _ in range(8))
            )
            return server.most_open, server.accepted

    assert asyncio.run(run()) == (2, 2)


def test_each_route_has_its_own_timeout_on_the_shared_client() -> None:
    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await read_request(reader)
            await asyncio.sleep(0.3)
            writer.write(answer(b'{"late": true}'))
            await writer.drain()

    async def run() -> tuple[object, object]:
        async with raw_server(slow) as server, HttpClient() as client:
            impatient, patient = Call(client, "quick", 0.05), Call(client, "slow", 5)
            results = await asyncio.gather(
                impatient.json("POST", server.url, headers={}, json_body={}),
                patient.json("POST", server.url, headers={}, json_body={}),
                return_exceptions=True,
            )
            return results[0], results[1]

    timed_out, answered = asyncio.run(run())
    assert isinstance(timed_out, ProviderError) and timed_out.kind == "timeout"
    assert timed_out.problem_status == 504
    assert answered == {"late": True}


# ---------------------------------------------------------------------- isolation


def test_a_cookie_an_upstream_sets_is_never_sent_on_a_later_call() -> None:
    cookies: list[bytes] = []

    async def setting(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head, _ = await read_request(reader)
            lines = head.split(b"\r\n")
            cookies.extend(line for line in lines if line.lower().startswith(b"cookie"))
            writer.write(answer(b"{}", headers=b"set-cookie: session=tenant-a; Path=/\r\n"))
            await writer.drain()

    async def run() -> None:
        async with raw_server(setting) as server, HttpClient() as client:
            call = Call(client, "p", 5)
            for _ in range(2):
                await call.json("POST", f"{server.url}/v1/x", headers={}, json_body={})

    asyncio.run(run())
    assert cookies == []


# ---------------------------------------------------------------------- event streams


def test_server_sent_events_are_decoded_across_chunks_and_line_endings() -> None:
    raw = (
        b": a comment\r\n"
        b'event: message_start\r\ndata: {"a":\r\n\r\n'
        b"data: line one\ndata: line two\n\n"
        b"data: [DONE]\n\n"
        b"data: dropped, no blank line after it"
    )

    async def chunks() -> AsyncGenerator[bytes, None]:
        for at in range(0, len(raw), 7):  # cut anywhere, a CRLF included
            yield raw[at : at + 7]

    async def run() -> list[ServerSentEvent]:
        return [event async for event in server_sent_events(chunks())]

    assert asyncio.run(run()) == [
        ServerSentEvent("message_start", '{"a":'),
        ServerSentEvent("message", "line one\nline two"),
        ServerSentEvent("message", "[DONE]"),
    ]


def test_a_stream_line_that_is_not_utf8_is_a_protocol_error() -> None:
    async def chunks() -> AsyncGenerator[bytes, None]:
        yield b"data: \xff\xfe\n\n"

    async def run() -> None:
        async for _ in server_sent_events(chunks()):
            pass

    with pytest.raises(TransportError) as caught:
        asyncio.run(run())
    assert caught.value.kind == "protocol"
