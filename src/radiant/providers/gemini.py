"""The Gemini wire: ``{base}/models/{model}:generateContent``,
``:streamGenerateContent?alt=sse``, ``:batchEmbedContents``, (Imagen) ``:predict`` and
(Veo) ``:predictLongRunning``, the key in ``x-goog-api-key``; OpenAI-format requests and
responses translated by :mod:`radiant.providers.gemini_translate` (chat) and
:mod:`radiant.providers.gemini_media` (images, videos).

Each stream event is a whole ``GenerateContentResponse`` (text so far in this event,
complete ``functionCall`` parts, ``usageMetadata`` so far); they become
``chat.completion.chunk`` dicts, and after the last a usage-only chunk. Gemini sends no
end marker: a stream that ends before any candidate's ``finishReason`` is a ``protocol``
error, as is a connection cut mid-way.
"""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import ClassVar, cast

from radiant.providers.adapter import WireAdapter
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.errors import protocol_error, stream_error
from radiant.providers.gemini_media import aspect_ratio, veo_request, video_object, video_uri
from radiant.providers.gemini_translate import Reply, choice_of, count_calls, to_gemini, usage_of
from radiant.providers.openai_format import chunk, completion, data_url, new_id
from radiant.providers.shapes.gemini import (
    BatchEmbedContentsRequest,
    Candidate,
    ContentEmbedding,
    EmbedContentRequest,
    GenerateContentResponse,
    ImagenRequest,
    ImagenResponse,
    InlineImage,
    Operation,
    UsageMetadata,
)
from radiant.providers.shapes.openai import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatParams,
    ChoiceDelta,
    CompletionChoice,
    CompletionMessage,
    Embedding,
    EmbeddingList,
    EmbeddingParams,
    FinishReason,
    ImageData,
    ImageParams,
    ImagesResponse,
    ToolCallDelta,
    Video,
    VideoParams,
)

__all__ = ["GeminiAdapter", "GeminiStream"]


def _call_ids(candidate: Candidate) -> list[str]:
    return [new_id("call") for _ in range(count_calls(candidate))]


def _message(reply: Reply) -> CompletionMessage:
    message: CompletionMessage = {"role": "assistant", "content": reply.content}
    if reply.tool_calls:
        message["tool_calls"] = reply.tool_calls
    if reply.reasoning_content:
        message["reasoning_content"] = reply.reasoning_content
    return message


def _candidates(answer: GenerateContentResponse) -> list[Candidate]:
    """An answer's candidates (an upstream's: only the objects among them)."""
    return [c for c in answer.get("candidates") or [] if isinstance(c, dict)]


class GeminiStream:
    """Turns Gemini stream events into OpenAI chunks (state: ids, tool-call indexes)."""

    def __init__(self, provider: str, model: str) -> None:
        self.provider = provider
        self.id = new_id()
        self.model = model
        self.meta: UsageMetadata = {}
        self.started: set[int] = set()
        self.calls: dict[int, int] = {}
        self.finished = False

    def feed(self, event: GenerateContentResponse) -> list[ChatCompletionChunk]:
        if "error" in event:
            raise stream_error(self.provider, event)
        self.id = str(event.get("responseId") or self.id)
        self.model = str(event.get("modelVersion") or self.model)
        self.meta = event.get("usageMetadata") or self.meta
        out = []
        for i, candidate in enumerate(_candidates(event)):
            index = int(candidate.get("index", i))
            delta, finish = self._delta(index, choice_of(candidate, _call_ids(candidate)))
            out.append(chunk(self.id, self.model, delta, finish, index=index))
        return out

    def _delta(self, index: int, reply: Reply) -> tuple[ChoiceDelta, FinishReason | None]:
        delta: ChoiceDelta = {}
        if index not in self.started:
            self.started.add(index)
            delta["role"] = "assistant"
        if reply.content is not None:
            delta["content"] = reply.content
        if reply.reasoning_content is not None:
            delta["reasoning_content"] = reply.reasoning_content
        if reply.tool_calls:
            offset = self.calls.get(index, 0)
            calls: list[ToolCallDelta] = [
                {
                    "index": offset + i,
                    "id": call["id"],
                    "type": "function",
                    "function": {**call["function"]},
                }
                for i, call in enumerate(reply.tool_calls)
            ]
            self.calls[index] = offset + len(calls)
            delta["tool_calls"] = calls
        finish = reply.finish_reason
        if finish == "stop" and self.calls.get(index):
            finish = "tool_calls"
        self.finished = self.finished or finish is not None
        return delta, finish


class GeminiAdapter(WireAdapter):
    wire: ClassVar[str] = "gemini"
    capabilities: ClassVar[ProviderCapabilities] = ProviderCapabilities(
        chat=True,
        streaming=True,
        reasoning=True,
        function_calling=True,
        json_mode=True,
        image_input=True,
        audio_input=True,
        file_input=True,
        embeddings=True,
        image_generation=True,
        video_generation=True,
        image_to_video=True,
    )

    @property
    def headers(self) -> dict[str, str]:
        headers = dict(self.target.headers)
        if self.target.api_key:
            headers["x-goog-api-key"] = self.target.api_key
        return headers

    @property
    def model(self) -> str:
        return self.target.model.removeprefix("models/")

    def url(self, method: str) -> str:
        return f"{self.target.base_url}/models/{self.model}:{method}"

    async def chat(self, body: ChatParams) -> ChatCompletion:
        self.require("chat")
        payload = await self.call.json(
            "POST", self.url("generateContent"), headers=self.headers, json_body=to_gemini(body)
        )
        if "error" in payload:
            raise stream_error(self.name, payload)
        response = cast("GenerateContentResponse", payload)  # its members: read leniently
        choices: list[CompletionChoice] = []
        for i, candidate in enumerate(_candidates(response)):
            reply = choice_of(candidate, _call_ids(candidate))
            choices.append(
                {
                    "index": int(candidate.get("index", i)),
                    "message": _message(reply),
                    "finish_reason": reply.finish_reason or "stop",
                }
            )
        if not choices and (response.get("promptFeedback") or {}).get("blockReason"):
            blocked: CompletionMessage = {"role": "assistant", "content": None}
            choices = [{"index": 0, "message": blocked, "finish_reason": "content_filter"}]
        if not choices:
            raise protocol_error(self.name, "a response without candidates", str(response))
        model = str(response.get("modelVersion") or self.model)
        completion_id = str(response.get("responseId") or new_id())
        return completion(
            completion_id, model, choices, usage_of(response.get("usageMetadata") or {})
        )

    async def chat_stream(self, body: ChatParams) -> AsyncGenerator[ChatCompletionChunk, None]:
        self.require("streaming")
        state = GeminiStream(self.name, self.model)
        events = self.call.events(
            self.url("streamGenerateContent"),
            to_gemini(body),
            headers=self.headers,
            params={"alt": "sse"},
        )
        async with aclosing(events):
            async for _, event in events:
                if isinstance(event, dict):  # each one a whole answer: read leniently
                    for out in state.feed(cast("GenerateContentResponse", event)):
                        yield out
        if not state.finished:
            raise protocol_error(self.name, "the stream ended before a finishReason")
        yield chunk(state.id, state.model, None, use=usage_of(state.meta))

    async def images(self, body: ImageParams) -> ImagesResponse:
        """OpenAI image generation on Imagen (``:predict``): ``n`` images of ``size``."""
        self.require("image_generation")
        width, _, height = str(body.get("size") or "1024x1024").partition("x")
        ratio = aspect_ratio(int(width or 1024), int(height or 1024))
        request: ImagenRequest = {
            "instances": [{"prompt": str(body.get("prompt", ""))}],
            "parameters": {"sampleCount": int(body.get("n") or 1), "aspectRatio": ratio},
        }
        done = cast(
            "ImagenResponse",
            await self.call.json(
                "POST", self.url("predict"), headers=self.headers, json_body=request
            ),
        )
        images: list[ImageData] = [
            {"b64_json": p["bytesBase64Encoded"]}
            for p in done.get("predictions") or []
            if p.get("bytesBase64Encoded")
        ]
        if not images:
            raise protocol_error(self.name, "an answer without images", str(done)[:500])
        return {"created": int(time.time()), "data": images}

    async def embeddings(self, body: EmbeddingParams) -> EmbeddingList:
        self.require("embeddings")
        inputs = body.get("input")
        texts = [inputs] if isinstance(inputs, str) else list(inputs or [])
        requests: list[EmbedContentRequest] = []
        for text in texts:
            request: EmbedContentRequest = {
                "model": f"models/{self.model}",
                "content": {"parts": [{"text": str(text)}]},
            }
            if dimensions := body.get("dimensions"):
                request["outputDimensionality"] = int(dimensions)
            requests.append(request)
        batch: BatchEmbedContentsRequest = {"requests": requests}
        response = await self.call.json(
            "POST", self.url("batchEmbedContents"), headers=self.headers, json_body=batch
        )
        vectors = response.get("embeddings")
        if not isinstance(vectors, list):
            raise protocol_error(self.name, "an answer without embeddings", str(response))
        embedded = cast("list[ContentEmbedding]", vectors)  # its members: read leniently
        data: list[Embedding] = [
            {"object": "embedding", "index": i, "embedding": v.get("values", [])}
            for i, v in enumerate(embedded)
        ]
        # batchEmbedContents reports no token counts
        return {
            "object": "list",
            "data": data,
            "model": self.model,
            "usage": {"prompt_tokens": 0, "total_tokens": 0},
        }

    async def video_create(self, body: VideoParams) -> Video:
        """An OpenAI ``POST /videos`` body on Veo; the video's id is the operation name."""
        self.require("video_generation")
        reference = body.get("input_reference")
        image = None
        if isinstance(reference, dict) and reference.get("image_url"):
            self.require("image_to_video")
            image = await self._inline_image(str(reference["image_url"]))
        operation = await self.call.json(
            "POST",
            self.url("predictLongRunning"),
            headers=self.headers,
            json_body=veo_request(body, image),
        )
        return video_object(cast("Operation", operation), self.model)

    async def video_status(self, video_id: str) -> Video:
        self.require("video_generation")
        return video_object(await self._operation(video_id), self.model)

    async def video_content(self, video_id: str) -> tuple[bytes, str]:
        self.require("video_generation")
        operation = await self._operation(video_id)
        uri = video_uri(operation)
        if uri is None:
            raise protocol_error(self.name, "no finished video with a URI", str(operation)[:500])
        response = await self.call.send("GET", uri, headers=self.headers, follow_redirects=True)
        return response.content, response.headers.get("content-type", "video/mp4")

    async def _operation(self, name: str) -> Operation:
        """An operation (its members read leniently: :mod:`~.gemini_media`)."""
        url = f"{self.target.base_url}/{self.job_id(name)}"
        return cast("Operation", await self.call.json("GET", url, headers=self.headers))

    async def _inline_image(self, url: str) -> InlineImage:
        inline = data_url(url)
        if inline is not None:
            return {"mimeType": inline[0], "bytesBase64Encoded": inline[1]}
        response = await self.call.send("GET", url, headers={}, follow_redirects=True)
        media_type = response.headers.get("content-type", "image/png").split(";")[0]
        return {
            "mimeType": media_type,
            "bytesBase64Encoded": base64.b64encode(response.content).decode(),
        }
