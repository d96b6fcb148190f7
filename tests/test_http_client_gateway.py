"""The upstream client under the gateway, end to end: 40 callers at once through
``/v1/chat/completions`` to an upstream that sends ``103 Early Hints`` before every
answer (each caller gets the completion made for it, each call is billed once); and a
caller that leaves a stream mid-way (the gateway closes its upstream connection)."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from gateway_world import Template, World, make_template, open_world
from http_client_fakes import (
    RawServer,
    answer,
    eventually,
    raw_server_thread,
    read_request,
    sockets_to,
)

pytestmark = pytest.mark.slow

CALLERS = 40


#: what the streaming upstream saw: chunks it sent, and that its caller went away
STREAMED: dict[str, Any] = {"chunks": 0, "left": threading.Event()}


async def hinting_chat(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A chat completions upstream that echoes the last message, after an early hint; a
    stream goes on (a chunk every 10 ms, up to 10 s) until its caller closes."""
    while True:
        _, body = await read_request(reader)
        if json.loads(body).get("stream"):
            await _stream(reader, writer)
            return
        said = json.loads(body)["messages"][-1]["content"]
        writer.write(b"HTTP/1.1 103 Early Hints\r\nlink: </hint.css>; rel=preload\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(0)
        completion = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1,
            "model": "small-a",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": f"echo {said}"},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
        }
        writer.write(answer(json.dumps(completion).encode()))
        await writer.drain()


async def _stream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n")
    writer.write(b"transfer-encoding: chunked\r\n\r\n")
    chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "small-a"}
    event = {**chunk, "choices": [{"index": 0, "delta": {"content": "la"}}]}
    data = b"data: " + json.dumps(event).encode() + b"\n\n"
    closed = asyncio.ensure_future(reader.read())  # b"" once the gateway has closed
    try:
        for _ in range(1000):
            writer.write(b"%x\r\n%s\r\n" % (len(data), data))
            await writer.drain()
            STREAMED["chunks"] += 1
            done, _ = await asyncio.wait([closed], timeout=0.01)
            if done:
                break
    finally:
        closed.cancel()
        STREAMED["left"].set()


@pytest.fixture(scope="module")
def upstream() -> Iterator[RawServer]:
    with raw_server_thread(hinting_chat) as server:
        yield server


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, upstream: RawServer) -> Template:
    urls = {"a": f"{upstream.url}/v1", "b": f"{upstream.url}/v1"}
    return make_template(tmp_path_factory.mktemp("hints"), urls)


@pytest.fixture
def world(template: Template, tmp_path: Path) -> Iterator[World]:
    with open_world(template, tmp_path, {}) as w:
        yield w


def test_early_hints_never_hand_one_callers_answer_to_another(world: World) -> None:
    async def run() -> list[tuple[int, str]]:
        headers = {"authorization": f"Bearer {world.key}"}
        async with httpx2.AsyncClient(base_url=world.base, headers=headers, timeout=30) as http:

            async def one(caller: int) -> tuple[int, str]:
                body = {"model": "small", "messages": [{"role": "user", "content": f"c{caller}"}]}
                response = await http.post("/chat/completions", json=body)
                if response.status_code != 200:
                    return response.status_code, response.text
                return 200, response.json()["choices"][0]["message"]["content"]

            results = []
            for _ in range(2):  # the second round on the gateway's pooled connections
                results += await asyncio.gather(*(one(i) for i in range(CALLERS)))
            return results

    results = asyncio.run(run())
    assert results == [(200, f"echo c{i}") for i in range(CALLERS)] * 2
    events = world.events()
    assert len(events) == 2 * CALLERS
    assert {e.status for e in events} == {"success"}
    assert {e.route_id for e in events} == {"chat-small@a"}


def test_a_caller_that_leaves_a_stream_makes_the_gateway_close_its_upstream_call(
    world: World, upstream: RawServer
) -> None:
    body = json.dumps(
        {"model": "small", "stream": True, "messages": [{"role": "user", "content": "x"}]}
    )
    port = int(world.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as caller:
        caller.sendall(
            (
                "POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\n"
                f"authorization: Bearer {world.key}\r\ncontent-type: application/json\r\n"
                f"content-length: {len(body)}\r\n\r\n{body}"
            ).encode()
        )
        seen = b""
        while b"data: " not in seen:  # the stream has started
            seen += caller.recv(65536)
    # the caller is gone: the gateway stops reading the upstream and closes that connection
    assert STREAMED["left"].wait(10)
    assert STREAMED["chunks"] < 1000
    asyncio.run(eventually(lambda: not sockets_to(upstream.port)))
    [event] = world.events()
    assert (event.status, event.error_code) == ("error", "client_closed_request")
