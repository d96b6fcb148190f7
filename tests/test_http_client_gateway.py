"""The upstream client under the gateway, end to end: 40 tenants' callers at once through
``/v1/chat/completions`` to an upstream that sends ``103 Early Hints`` before every
answer; each caller gets the completion made for it, and each call is billed once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from gateway_world import Template, World, make_template, open_world
from http_client_fakes import RawServer, answer, raw_server_thread, read_request

pytestmark = pytest.mark.slow

CALLERS = 40


async def hinting_chat(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A chat completions upstream that echoes the last message, after an early hint."""
    while True:
        _, body = await read_request(reader)
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
