"""The wire adapter contract: OpenAI-shaped dicts in and out, whatever the upstream speaks.

An adapter is made per call from an :class:`~radiant.providers.target.UpstreamTarget`
and an injected ``HttpClient`` (cheap: no I/O at construction). Methods a wire
does not offer raise :class:`~radiant.errors.UnsupportedError` before any request, as its
:class:`ProviderCapabilities` say.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Any, ClassVar

from radiant.http.client import HttpClient
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.target import UpstreamTarget
from radiant.providers.transport import Call

__all__ = ["AdapterFactory", "TextAdapter", "WireAdapter"]


class WireAdapter:
    """Base of every wire adapter; each endpoint it does not override is unsupported."""

    wire: ClassVar[str] = ""
    capabilities: ClassVar[ProviderCapabilities] = ProviderCapabilities()

    def __init__(self, target: UpstreamTarget, client: HttpClient) -> None:
        self.target = target
        self.client = client
        self.call = Call(client, target.name, target.timeout)

    @property
    def name(self) -> str:
        return self.target.name

    def require(self, capability: str) -> None:
        self.capabilities.require(capability, self.name)

    async def chat(self, body: dict[str, Any]) -> dict[str, Any]:
        """A ``chat.completion`` (with ``usage``) for a chat completions request body."""
        self.require("chat")
        raise AssertionError("unreachable")  # pragma: no cover

    def chat_stream(self, body: dict[str, Any]) -> AsyncGenerator[dict[str, Any], None]:
        """``chat.completion.chunk`` dicts; the last one carries ``usage``."""
        self.require("streaming")
        raise AssertionError("unreachable")  # pragma: no cover

    async def embeddings(self, body: dict[str, Any]) -> dict[str, Any]:
        self.require("embeddings")
        raise AssertionError("unreachable")  # pragma: no cover

    async def images(self, body: dict[str, Any]) -> dict[str, Any]:
        self.require("image_generation")
        raise AssertionError("unreachable")  # pragma: no cover

    async def speech(self, body: dict[str, Any]) -> tuple[bytes, str]:
        """Audio bytes and their content type."""
        self.require("speech")
        raise AssertionError("unreachable")  # pragma: no cover

    def speech_stream(self, body: dict[str, Any]) -> AsyncGenerator[bytes, None]:
        """Audio bytes as the upstream sends them."""
        self.require("speech")
        raise AssertionError("unreachable")  # pragma: no cover

    async def transcription(
        self, file: bytes, filename: str, fields: dict[str, Any]
    ) -> dict[str, Any]:
        self.require("transcription")
        raise AssertionError("unreachable")  # pragma: no cover


#: the contract name the gateway uses
TextAdapter = WireAdapter

AdapterFactory = Callable[[UpstreamTarget, HttpClient], WireAdapter]
