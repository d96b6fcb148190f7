"""The Cohere API v2 wire: ``POST {base}/v2/chat`` (also streamed), ``/v2/embed`` and
``/v2/rerank`` with ``Authorization: Bearer`` (the base is ``https://api.cohere.com``);
chat bodies translated by :mod:`radiant.providers.cohere_translate`, stream events by
:class:`CohereStream`.

Stream events become ``chat.completion.chunk`` dicts: ``content-delta`` text as
``content``, ``tool-call-start`` / ``tool-call-delta`` as tool calls and their
``arguments``; ``message-end`` brings the finish reason and a last chunk with ``usage``
(Cohere's billed units). A ``message-end`` whose ``finish_reason`` is ``ERROR`` raises
:class:`~radiant.errors.ProviderError`; a stream that ends before ``message-end`` raises
a ``protocol`` error.

Embeddings: OpenAI's texts go as ``texts`` with ``embedding_types: ["float"]`` and an
``input_type`` (``search_document`` unless the route's ``wire_options`` name another);
``usage.prompt_tokens`` are the billed input tokens. Rerank passes through Cohere's own
shape, which is Radiant's; ``meta.billed_units.search_units`` is what Cohere bills.
"""

from __future__ import annotations

import math
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any, ClassVar, cast

from radiant.providers.adapter import WireAdapter
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.cohere_translate import FINISH_REASONS, from_cohere, to_cohere, usage_of
from radiant.providers.embedding_format import embedding_list, texts_of
from radiant.providers.errors import protocol_error, stream_error
from radiant.providers.openai_format import chunk, new_id
from radiant.providers.shapes import cohere as wire
from radiant.providers.shapes.openai import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatParams,
    ChoiceDelta,
    EmbeddingList,
    EmbeddingParams,
    FinishReason,
    ToolCallDelta,
)
from radiant.providers.shapes.radiant import RerankParams, RerankResponse, RerankResult

__all__ = ["CohereAdapter", "CohereStream", "DEFAULT_INPUT_TYPE"]

#: what Cohere's v3+ embedding models are told the texts are, unless the route says
DEFAULT_INPUT_TYPE = "search_document"
#: Cohere bills one search unit per query and up to this many documents
DOCUMENTS_PER_SEARCH_UNIT = 100


class CohereStream:
    """Turns one Cohere v2 event stream into OpenAI chunks (state: id, tool indexes)."""

    def __init__(self, provider: str, model: str) -> None:
        self.provider = provider
        self.model = model
        self.id = new_id()
        self.done = False
        #: Cohere's tool-call index -> OpenAI's
        self.tools: dict[int, int] = {}

    def _chunk(
        self, delta: ChoiceDelta | None, finish: FinishReason | None = None
    ) -> ChatCompletionChunk:
        return chunk(self.id, self.model, delta, finish)

    def feed(self, event: wire.StreamEvent) -> list[ChatCompletionChunk]:
        kind = event["type"]
        delta = event.get("delta") or {}
        message = delta.get("message") or {}
        if kind == "message-start":
            self.id = str(event.get("id") or self.id)
            return [self._chunk({"role": "assistant", "content": ""})]
        if kind == "content-delta":
            text = (message.get("content") or {}).get("text")
            return [self._chunk({"content": str(text)})] if text else []
        if kind in ("tool-call-start", "tool-call-delta"):
            return self._tool(kind, int(event.get("index", 0)), message.get("tool_calls") or {})
        if kind == "message-end":
            return self._end(delta)
        return []  # content-start/-end, tool-plan-delta, citations, debug, future events

    def _tool(self, kind: str, index: int, call: wire.ToolCall) -> list[ChatCompletionChunk]:
        function = call.get("function") or {}
        if kind == "tool-call-start":
            position = self.tools[index] = len(self.tools)
            out: ToolCallDelta = {
                "index": position,
                "id": str(call.get("id") or new_id("call")),
                "type": "function",
                "function": {
                    "name": str(function.get("name", "")),
                    "arguments": str(function.get("arguments") or ""),
                },
            }
            return [self._chunk({"tool_calls": [out]})]
        arguments = function.get("arguments")
        if not arguments:
            return []
        more: ToolCallDelta = {
            "index": self.tools.get(index, 0),
            "function": {"arguments": str(arguments)},
        }
        return [self._chunk({"tool_calls": [more]})]

    def _end(self, delta: wire.StreamDelta) -> list[ChatCompletionChunk]:
        reason = str(delta.get("finish_reason") or "COMPLETE")
        if reason == "ERROR":
            problem = delta.get("error") or "the model stopped with finish_reason ERROR"
            raise stream_error(self.provider, {"message": problem, "finish_reason": reason})
        self.done = True
        finish = FINISH_REASONS.get(reason, "stop")
        return [
            self._chunk({}, finish),
            self._chunk(None) | {"usage": usage_of(delta.get("usage"))},
        ]


def _event(data: Any) -> wire.StreamEvent | None:
    if isinstance(data, dict) and isinstance(data.get("type"), str):
        return cast("wire.StreamEvent", data)
    return None


def _count(value: object) -> int:
    return int(value) if isinstance(value, int | float) else 0


class CohereAdapter(WireAdapter):
    wire: ClassVar[str] = "cohere"
    capabilities: ClassVar[ProviderCapabilities] = ProviderCapabilities(
        chat=True,
        streaming=True,
        function_calling=True,
        json_mode=True,
        embeddings=True,
        rerank=True,
    )

    def url(self, endpoint: str) -> str:
        return f"{self.target.base_url}/v2/{endpoint}"

    async def chat(self, body: ChatParams) -> ChatCompletion:
        self.require("chat")
        request = to_cohere(body, self.target.model)
        payload = await self.call.json(
            "POST", self.url("chat"), headers=self.headers, json_body=request
        )
        if not isinstance(payload.get("message"), dict):
            raise protocol_error(self.name, "a chat answer without a message", str(payload))
        return from_cohere(cast("wire.ChatResponse", payload), self.target.model)

    async def chat_stream(self, body: ChatParams) -> AsyncGenerator[ChatCompletionChunk, None]:
        self.require("streaming")
        request = to_cohere(body, self.target.model, stream=True)
        state = CohereStream(self.name, self.target.model)
        events = self.call.events(self.url("chat"), request, headers=self.headers)
        async with aclosing(events):
            async for _, data in events:
                event = _event(data)
                if event is None:
                    continue
                for out in state.feed(event):
                    yield out
                if state.done:
                    return
        raise protocol_error(self.name, "the stream ended before message-end")

    async def embeddings(self, body: EmbeddingParams) -> EmbeddingList:
        self.require("embeddings")
        request: wire.EmbedRequest = {
            "model": self.target.model,
            "texts": texts_of(body, self.name),
            "input_type": str(self.target.options.get("input_type") or DEFAULT_INPUT_TYPE),
            "embedding_types": ["float"],
        }
        if body.get("dimensions") is not None:
            request["output_dimension"] = int(body["dimensions"] or 0)
        payload = await self.call.json(
            "POST", self.url("embed"), headers=self.headers, json_body=request
        )
        embeddings = payload.get("embeddings")
        vectors = embeddings.get("float") if isinstance(embeddings, dict) else None
        if not isinstance(vectors, list) or len(vectors) != len(request["texts"]):
            problem = "an embed answer without float embeddings"
            raise protocol_error(self.name, problem, str(payload)[:500])
        units = (payload.get("meta") or {}).get("billed_units") or {}
        return embedding_list(
            self.target.model,
            vectors,
            _count(units.get("input_tokens")),
            body.get("encoding_format"),
        )

    async def rerank(self, body: RerankParams) -> RerankResponse:
        self.require("rerank")
        request: wire.RerankRequest = {
            "model": self.target.model,
            "query": body["query"],
            "documents": list(body["documents"]),
        }
        if body.get("top_n") is not None:
            request["top_n"] = int(body["top_n"])
        if body.get("max_tokens_per_doc") is not None:
            request["max_tokens_per_doc"] = int(body["max_tokens_per_doc"])
        payload = await self.call.json(
            "POST", self.url("rerank"), headers=self.headers, json_body=request
        )
        raw = payload.get("results")
        if not isinstance(raw, list):
            raise protocol_error(self.name, "a rerank answer without results", str(payload)[:500])
        results: list[RerankResult] = [
            {"index": int(r["index"]), "relevance_score": float(r["relevance_score"])}
            for r in raw
            if isinstance(r, dict) and "index" in r and "relevance_score" in r
        ]
        units = (payload.get("meta") or {}).get("billed_units") or {}
        searches = _count(units.get("search_units")) or math.ceil(
            max(len(request["documents"]), 1) / DOCUMENTS_PER_SEARCH_UNIT
        )
        return {
            "id": str(payload.get("id") or new_id("rerank")),
            "results": results,
            "meta": {"billed_units": {"search_units": searches}},
        }
