"""Realtime is a plug-in: no wire that ships opens live sessions (that needs a WebSocket
client), so a wire refuses before any connection; an adapter registered for the wire
that declares ``realtime`` serves them through the same registry."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import pytest

from radiant.errors import UnsupportedError
from radiant.http.client import HttpClient
from radiant.providers import (
    ProviderCapabilities,
    RealtimeSession,
    UpstreamTarget,
    adapter_factory,
    adapter_for,
    register_adapter,
)
from radiant.providers.openai_compat import OpenAICompatibleAdapter


class EchoSession:
    def __init__(self, settings: dict[str, Any]) -> None:
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.queue.put_nowait({"type": "session.created", "session": settings})

    async def send(self, event: dict[str, Any]) -> None:
        await self.queue.put({"type": "echo", "event": event})

    async def events(self) -> AsyncIterator[dict[str, Any]]:
        while (event := await self.queue.get()) is not None:
            yield event

    async def close(self) -> None:
        await self.queue.put(None)


class RealtimeOpenAI(OpenAICompatibleAdapter):
    """The OpenAI wire plus live sessions (here an echo instead of a WebSocket)."""

    capabilities: ClassVar[ProviderCapabilities] = dataclasses.replace(
        OpenAICompatibleAdapter.capabilities, realtime=True
    )

    async def realtime(self, settings: dict[str, Any]) -> RealtimeSession:
        self.require("realtime")
        return EchoSession(settings)


TARGET = UpstreamTarget(
    platform_id="direct", wire="openai", base_url="http://127.0.0.1:9", model="gpt-realtime"
)


async def talk() -> list[dict[str, Any]]:
    async with HttpClient() as client:
        session = await adapter_for(TARGET, client).realtime({"voice": "alloy"})
        await session.send({"type": "input_text", "text": "hi"})
        await session.close()
        return [event async for event in session.events()]


def test_realtime_is_refused_until_an_adapter_offers_it() -> None:
    with pytest.raises(UnsupportedError, match="does not support realtime"):
        asyncio.run(talk())
    shipped = adapter_factory("openai")
    assert shipped is not None
    register_adapter("openai", RealtimeOpenAI)
    try:
        events = asyncio.run(talk())
    finally:
        register_adapter("openai", shipped)
    assert [e["type"] for e in events] == ["session.created", "echo"]
    assert events[0]["session"] == {"voice": "alloy"}
