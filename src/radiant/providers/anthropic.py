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
from typing import ClassVar

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
from radiant.providers.shapes.anthropic import (
    USAGE_COUNTS,
    ContentBlockDeltaEvent,
    ContentBlockStartEvent,
    StreamEvent,
    Usage,
    event_of,
    message_of,
)
from radiant.providers.shapes.openai import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatParams,
    ChoiceDelta,
    FinishReason,
    ToolCallDelta,
)

__all__ = ["ANTHROPIC_VERSION", "AnthropicAdapter", "AnthropicStream"]

ANTHROPIC_VERSION = "2023-06-01"


class AnthropicStream:
    """Turns one Anthropic event stream into OpenAI chunks (state: ids, tool indexes)."""

    def __init__(self, provider: str, model: str) -> None:
        self.provider = provider
        self.id = new_id()
        self.model = model
        self.usage: Usage = {}
        self.finish: FinishReason | None = None
        self.done = False
        #: Anthropic content-block index -> OpenAI tool-call index
        self.tools: dict[int, int] = {}
        #: the signature of the thinking block, sent back with the first tool call
        self.signature: str | None = None

    def _chunk(
        self, delta: ChoiceDelta | None, finish: FinishReason | None = None
    ) -> ChatCompletionChunk:
        return chunk(self.id, self.model, delta, finish)

    def feed(self, event: StreamEvent) -> list[ChatCompletionChunk]:
        if event["type"] == "error":
            raise stream_error(self.provider, event)
        if event["type"] == "message_start":
            message = event.get("message") or {}
            self.id = str(message.get("id") or self.id)
            self.model = str(message.get("model") or self.model)
            self.usage.update(message.get("usage") or {})
            return [self._chunk({"role": "assistant", "content": ""})]
        if event["type"] == "content_block_start":
            return self._block_start(event)
        if event["type"] == "content_block_delta":
            return self._block_delta(event)
        if event["type"] == "message_delta":
            self._count(event.get("usage") or {})
            reason = (event.get("delta") or {}).get("stop_reason")
            self.finish = FINISH_REASONS.get(str(reason), "stop")
            return [self._chunk({}, self.finish)]
        if event["type"] == "message_stop":
            self.done = True
            return [self._chunk(None) | {"usage": usage_of(self.usage)}]
        return []  # ping, content_block_stop, unknown future events

    def _count(self, counts: Usage) -> None:
        """Take the counts a ``message_delta`` reports (cumulative; None: not counted)."""
        for key in USAGE_COUNTS:
            if counts.get(key) is not None:
                self.usage[key] = counts[key]

    def _block_start(self, event: ContentBlockStartEvent) -> list[ChatCompletionChunk]:
        block = event.get("content_block")
        if not isinstance(block, dict) or "type" not in block:
            return []
        if block["type"] == "tool_use":
            index = self.tools[int(event.get("index", 0))] = len(self.tools)
            signature = self.signature if index == 0 else None
            call: ToolCallDelta = {
                "index": index,
                "id": with_signature(str(block.get("id")), signature),
                "type": "function",
                "function": {"name": block.get("name"), "arguments": ""},
            }
            return [self._chunk({"tool_calls": [call]})]
        if block["type"] == "text" and block.get("text"):
            return [self._chunk({"content": block["text"]})]
        return []

    def _block_delta(self, event: ContentBlockDeltaEvent) -> list[ChatCompletionChunk]:
        delta = event.get("delta")
        if not isinstance(delta, dict) or "type" not in delta:
            return []
        if delta["type"] == "text_delta":
            return [self._chunk({"content": delta.get("text", "")})]
        if delta["type"] == "thinking_delta":
            return [self._chunk({"reasoning_content": delta.get("thinking", "")})]
        if delta["type"] == "signature_delta":
            self.signature = delta.get("signature") or self.signature
        if delta["type"] == "input_json_delta":
            index = self.tools.get(int(event.get("index", 0)), 0)
            call: ToolCallDelta = {
                "index": index,
                "function": {"arguments": delta.get("partial_json", "")},
            }
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

    async def chat(self, body: ChatParams) -> ChatCompletion:
        self.require("chat")
        request = to_anthropic(body, self.target.model)
        payload = await self.call.json("POST", self.url, headers=self.headers, json_body=request)
        message = message_of(payload)
        if message is None:
            raise protocol_error(self.name, "a message without content", str(payload))
        if message["type"] == "error":
            raise stream_error(self.name, message)
        return from_anthropic(message)

    async def chat_stream(self, body: ChatParams) -> AsyncGenerator[ChatCompletionChunk, None]:
        self.require("streaming")
        request = to_anthropic(body, self.target.model, stream=True)
        state = AnthropicStream(self.name, self.target.model)
        events = self.call.events(self.url, request, headers=self.headers)
        async with aclosing(events):
            async for _, data in events:
                event = event_of(data)
                if event is None:
                    continue
                for out in state.feed(event):
                    yield out
                if state.done:
                    return
        raise protocol_error(self.name, "the stream ended before message_stop")
