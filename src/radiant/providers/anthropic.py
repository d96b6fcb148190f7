"""The Anthropic Messages wire: ``POST {base}/messages`` with ``x-api-key`` and
``anthropic-version``; OpenAI-format requests and responses translated by
:mod:`radiant.providers.anthropic_translate`, stream events by :class:`AnthropicStream`.

Stream events (``message_start``, ``content_block_start`` / ``_delta`` / ``_stop``,
``message_delta``, ``message_stop``, ``ping``, ``error``) become ``chat.completion.chunk``
dicts: text deltas as ``content``, ``input_json_delta`` as tool-call ``arguments``,
thinking as ``reasoning_content``; ``message_stop`` brings a last chunk with ``usage``.
An ``error`` event raises :class:`~radiant.errors.ProviderError`; a stream that ends
before ``message_stop`` raises a ``protocol`` error.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any, ClassVar

from radiant.providers.adapter import WireAdapter
from radiant.providers.anthropic_translate import (
    FINISH_REASONS,
    from_anthropic,
    to_anthropic,
    usage_of,
)
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.errors import protocol_error, stream_error
from radiant.providers.openai_format import chunk, new_id, with_signature

__all__ = ["ANTHROPIC_VERSION", "AnthropicAdapter", "AnthropicStream"]

ANTHROPIC_VERSION = "2023-06-01"


class AnthropicStream:
    """Turns one Anthropic event stream into OpenAI chunks (state: ids, tool indexes)."""

    def __init__(self, provider: str, model: str) -> None:
        self.provider = provider
        self.id = new_id()
        self.model = model
        self.usage: dict[str, Any] = {}
        self.finish: str | None = None
        self.done = False
        #: Anthropic content-block index -> OpenAI tool-call index
        self.tools: dict[int, int] = {}
        #: the signature of the thinking block, sent back with the first tool call
        self.signature: str | None = None

    def _chunk(self, delta: dict[str, Any] | None, finish: str | None = None) -> dict[str, Any]:
        return chunk(self.id, self.model, delta, finish)

    def feed(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        kind = event.get("type")
        if kind == "error":
            raise stream_error(self.provider, event)
        if kind == "message_start":
            message = event.get("message") or {}
            self.id = str(message.get("id") or self.id)
            self.model = str(message.get("model") or self.model)
            self.usage.update(message.get("usage") or {})
            return [self._chunk({"role": "assistant", "content": ""})]
        if kind == "content_block_start":
            return self._block_start(event)
        if kind == "content_block_delta":
            return self._block_delta(event)
        if kind == "message_delta":
            self.usage.update(
                {k: v for k, v in (event.get("usage") or {}).items() if v is not None}
            )
            reason = (event.get("delta") or {}).get("stop_reason")
            self.finish = FINISH_REASONS.get(str(reason), "stop")
            return [self._chunk({}, self.finish)]
        if kind == "message_stop":
            self.done = True
            return [self._chunk(None) | {"usage": usage_of(self.usage)}]
        return []  # ping, content_block_stop, unknown future events

    def _block_start(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        block = event.get("content_block") or {}
        if block.get("type") == "tool_use":
            index = self.tools[int(event.get("index", 0))] = len(self.tools)
            signature = self.signature if index == 0 else None
            call = {
                "index": index,
                "id": with_signature(str(block.get("id")), signature),
                "type": "function",
                "function": {"name": block.get("name"), "arguments": ""},
            }
            return [self._chunk({"tool_calls": [call]})]
        if block.get("type") == "text" and block.get("text"):
            return [self._chunk({"content": block["text"]})]
        return []

    def _block_delta(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        delta = event.get("delta") or {}
        kind = delta.get("type")
        if kind == "text_delta":
            return [self._chunk({"content": delta.get("text", "")})]
        if kind == "thinking_delta":
            return [self._chunk({"reasoning_content": delta.get("thinking", "")})]
        if kind == "signature_delta":
            self.signature = delta.get("signature") or self.signature
        if kind == "input_json_delta":
            index = self.tools.get(int(event.get("index", 0)), 0)
            call = {"index": index, "function": {"arguments": delta.get("partial_json", "")}}
            return [self._chunk({"tool_calls": [call]})]
        return []


class AnthropicAdapter(WireAdapter):
    wire: ClassVar[str] = "anthropic"
    capabilities: ClassVar[ProviderCapabilities] = ProviderCapabilities(
        chat=True,
        streaming=True,
        reasoning=True,
        function_calling=True,
        json_mode=True,
        image_input=True,
        citations=True,
    )

    @property
    def headers(self) -> dict[str, str]:
        headers = {"anthropic-version": self.target.api_version or ANTHROPIC_VERSION}
        headers.update(self.target.headers)
        if self.target.api_key:
            headers["x-api-key"] = self.target.api_key
        return headers

    @property
    def url(self) -> str:
        return f"{self.target.base_url}/messages"

    async def chat(self, body: dict[str, Any]) -> dict[str, Any]:
        self.require("chat")
        request = to_anthropic(body, self.target.model)
        message = await self.call.json("POST", self.url, headers=self.headers, json_body=request)
        if message.get("type") == "error":
            raise stream_error(self.name, message)
        if not isinstance(message.get("content"), list):
            raise protocol_error(self.name, "a message without content", str(message))
        return from_anthropic(message)

    async def chat_stream(self, body: dict[str, Any]) -> AsyncGenerator[dict[str, Any], None]:
        self.require("streaming")
        request = to_anthropic(body, self.target.model, stream=True)
        state = AnthropicStream(self.name, self.target.model)
        events = self.call.events(self.url, request, headers=self.headers)
        async with aclosing(events):
            async for _, event in events:
                if not isinstance(event, dict):
                    continue
                for out in state.feed(event):
                    yield out
                if state.done:
                    return
        raise protocol_error(self.name, "the stream ended before message_stop")
