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
from typing import Any, ClassVar

from radiant.providers.adapter import WireAdapter
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.errors import protocol_error, stream_error
from radiant.providers.gemini_media import aspect_ratio, veo_request, video_object, video_uri
from radiant.providers.gemini_translate import choice_of, count_calls, to_gemini, usage_of
from radiant.providers.openai_format import chunk, completion, data_url, new_id

__all__ = ["GeminiAdapter", "GeminiStream"]


def _call_ids(candidate: dict[str, Any]) -> list[str]:
    return [new_id("call") for _ in range(count_calls(candidate))]


def _message(choice: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": choice["content"]}
    if choice["tool_calls"]:
        message["tool_calls"] = [
            {k: v for k, v in call.items() if k != "index"} for call in choice["tool_calls"]
        ]
    if choice["reasoning_content"]:
        message["reasoning_content"] = choice["reasoning_content"]
    return message


class GeminiStream:
    """Turns Gemini stream events into OpenAI chunks (state: ids, tool-call indexes)."""

    def __init__(self, provider: str, model: str) -> None:
        self.provider = provider
        self.id = new_id()
        self.model = model
        self.meta: dict[str, Any] = {}
        self.started: set[int] = set()
        self.calls: dict[int, int] = {}
        self.finished = False

    def feed(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        if "error" in event:
            raise stream_error(self.provider, event)
        self.id = str(event.get("responseId") or self.id)
        self.model = str(event.get("modelVersion") or self.model)
        self.meta = event.get("usageMetadata") or self.meta
        out = []
        for i, candidate in enumerate(event.get("candidates") or []):
            index = int(candidate.get("index", i))
            delta, finish = self._delta(index, choice_of(candidate, _call_ids(candidate)))
            out.append(chunk(self.id, self.model, delta, finish, index=index))
        return out

    def _delta(self, index: int, choice: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        delta: dict[str, Any] = {}
        if index not in self.started:
            self.started.add(index)
            delta["role"] = "assistant"
        for key in ("content", "reasoning_content"):
            if choice[key] is not None:
                delta[key] = choice[key]
        if choice["tool_calls"]:
            offset = self.calls.get(index, 0)
            for call in choice["tool_calls"]:
                call["index"] += offset
            self.calls[index] = offset + len(choice["tool_calls"])
            delta["tool_calls"] = choice["tool_calls"]
        finish = choice["finish_reason"]
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

    async def chat(self, body: dict[str, Any]) -> dict[str, Any]:
        self.require("chat")
        response = await self.call.json(
            "POST", self.url("generateContent"), headers=self.headers, json_body=to_gemini(body)
        )
        if "error" in response:
            raise stream_error(self.name, response)
        choices = []
        for i, candidate in enumerate(response.get("candidates") or []):
            choice = choice_of(candidate, _call_ids(candidate))
            choices.append(
                {
                    "index": int(candidate.get("index", i)),
                    "message": _message(choice),
                    "finish_reason": choice["finish_reason"] or "stop",
                }
            )
        if not choices and (response.get("promptFeedback") or {}).get("blockReason"):
            blocked = {"role": "assistant", "content": None}
            choices = [{"index": 0, "message": blocked, "finish_reason": "content_filter"}]
        if not choices:
            raise protocol_error(self.name, "a response without candidates", str(response))
        model = str(response.get("modelVersion") or self.model)
        completion_id = str(response.get("responseId") or new_id())
        return completion(
            completion_id, model, choices, usage_of(response.get("usageMetadata") or {})
        )

    async def chat_stream(self, body: dict[str, Any]) -> AsyncGenerator[dict[str, Any], None]:
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
                if isinstance(event, dict):
                    for out in state.feed(event):
                        yield out
        if not state.finished:
            raise protocol_error(self.name, "the stream ended before a finishReason")
        yield chunk(state.id, state.model, None, use=usage_of(state.meta))

    async def images(self, body: dict[str, Any]) -> dict[str, Any]:
        """OpenAI image generation on Imagen (``:predict``): ``n`` images of ``size``."""
        self.require("image_generation")
        width, _, height = str(body.get("size") or "1024x1024").partition("x")
        ratio = aspect_ratio(int(width or 1024), int(height or 1024))
        parameters = {"sampleCount": int(body.get("n") or 1), "aspectRatio": ratio}
        request = {"instances": [{"prompt": str(body.get("prompt", ""))}], "parameters": parameters}
        done = await self.call.json(
            "POST", self.url("predict"), headers=self.headers, json_body=request
        )
        images = [
            {"b64_json": p["bytesBase64Encoded"]}
            for p in done.get("predictions") or []
            if p.get("bytesBase64Encoded")
        ]
        if not images:
            raise protocol_error(self.name, "an answer without images", str(done)[:500])
        return {"created": int(time.time()), "data": images}

    async def embeddings(self, body: dict[str, Any]) -> dict[str, Any]:
        self.require("embeddings")
        inputs = body.get("input")
        texts = [inputs] if isinstance(inputs, str) else list(inputs or [])
        requests = []
        for text in texts:
            request: dict[str, Any] = {
                "model": f"models/{self.model}",
                "content": {"parts": [{"text": str(text)}]},
            }
            if body.get("dimensions"):
                request["outputDimensionality"] = body["dimensions"]
            requests.append(request)
        response = await self.call.json(
            "POST",
            self.url("batchEmbedContents"),
            headers=self.headers,
            json_body={"requests": requests},
        )
        vectors = response.get("embeddings")
        if not isinstance(vectors, list):
            raise protocol_error(self.name, "an answer without embeddings", str(response))
        data = [
            {"object": "embedding", "index": i, "embedding": v.get("values", [])}
            for i, v in enumerate(vectors)
        ]
        # batchEmbedContents reports no token counts
        use = {"prompt_tokens": 0, "total_tokens": 0}
        return {"object": "list", "data": data, "model": self.model, "usage": use}

    async def video_create(self, body: dict[str, Any]) -> dict[str, Any]:
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
        return video_object(operation, self.model)

    async def video_status(self, video_id: str) -> dict[str, Any]:
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

    async def _operation(self, name: str) -> dict[str, Any]:
        url = f"{self.target.base_url}/{self.job_id(name)}"
        return await self.call.json("GET", url, headers=self.headers)

    async def _inline_image(self, url: str) -> dict[str, str]:
        inline = data_url(url)
        if inline is not None:
            return {"mimeType": inline[0], "bytesBase64Encoded": inline[1]}
        response = await self.call.send("GET", url, headers={}, follow_redirects=True)
        media_type = response.headers.get("content-type", "image/png").split(";")[0]
        return {
            "mimeType": media_type,
            "bytesBase64Encoded": base64.b64encode(response.content).decode(),
        }
