"""The OpenAI-compatible wire: chat completions (JSON and SSE streams, tools and JSON
mode pass through untouched), embeddings, images, audio speech, audio transcriptions and
videos (Sora: ``POST /videos``, ``GET /videos/{id}``, ``GET /videos/{id}/content``).

Every OpenAI-compatible platform is a data row (its base URL and key come from the
registry, see :mod:`radiant.providers.target`); the only differences between them are
in :data:`OPENAI_WIRES`: how the key travels and where a path goes. Azure OpenAI puts the
deployment in the path (``{base}/openai/deployments/{deployment}/chat/completions``),
wants ``?api-version=`` and an ``api-key`` header.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from dataclasses import dataclass
from typing import ClassVar, TypeVar, cast
from urllib.parse import urlsplit

from radiant.providers.adapter import WireAdapter
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.errors import protocol_error, stream_error
from radiant.providers.shapes import JSONObject
from radiant.providers.shapes.openai import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatParams,
    EmbeddingList,
    EmbeddingParams,
    ImageParams,
    ImagesResponse,
    SpeechParams,
    Transcription,
    TranscriptionFields,
    Video,
    VideoParams,
)

__all__ = ["HOST_OPTIONS", "OPENAI_WIRES", "OpenAICompatibleAdapter", "OpenAIWire"]

_Body = TypeVar("_Body", ChatParams, EmbeddingParams, ImageParams, SpeechParams, VideoParams)


@dataclass(frozen=True)
class OpenAIWire:
    #: the header that carries the key; ``authorization`` sends ``Bearer <key>``
    key_header: str = "authorization"
    #: paths go under ``/openai/deployments/{model}`` with ``?api-version=``
    deployment_paths: bool = False
    #: ask for usage in the last stream chunk (``stream_options.include_usage``)
    stream_usage: bool = True


OPENAI_WIRES: dict[str, OpenAIWire] = {
    "openai": OpenAIWire(),
    "azure_openai": OpenAIWire(key_header="api-key", deployment_paths=True),
}

#: quirks of known OpenAI-compatible hosts, by host name (a target's ``options`` win):
#: Mistral refuses ``stream_options`` (422 extra_forbidden) and sends usage unasked
HOST_OPTIONS: dict[str, dict[str, object]] = {
    "api.mistral.ai": {"stream_usage": False},
}


class OpenAICompatibleAdapter(WireAdapter):
    wire: ClassVar[str] = "openai"
    capabilities: ClassVar[ProviderCapabilities] = ProviderCapabilities(
        chat=True,
        streaming=True,
        reasoning=True,
        function_calling=True,
        json_mode=True,
        image_input=True,
        audio_input=True,
        embeddings=True,
        image_generation=True,
        video_generation=True,
        image_to_video=True,
        speech=True,
        transcription=True,
        audio_output=True,
    )

    @property
    def spec(self) -> OpenAIWire:
        return OPENAI_WIRES.get(self.target.wire, OPENAI_WIRES["openai"])

    @property
    def stream_usage(self) -> bool:
        host = urlsplit(self.target.base_url).hostname or ""
        options = {**HOST_OPTIONS.get(host, {}), **self.target.options}
        return bool(options.get("stream_usage", self.spec.stream_usage))

    def url(self, path: str) -> str:
        if self.spec.deployment_paths:
            return f"{self.target.base_url}/openai/deployments/{self.target.model}/{path}"
        return f"{self.target.base_url}/{path}"

    @property
    def params(self) -> Mapping[str, str]:
        version = self.target.api_version
        return {"api-version": version} if self.spec.deployment_paths and version else {}

    @property
    def headers(self) -> dict[str, str]:
        headers = dict(self.target.headers)
        key = self.target.api_key
        if key:
            header = self.spec.key_header
            headers[header] = f"Bearer {key}" if header == "authorization" else key
        return headers

    def _body(self, body: _Body) -> _Body:
        """``body`` (untouched: every member travels on) for the route's own model."""
        return {**body, "model": self.target.model}

    async def _post(self, path: str, body: Mapping[str, object]) -> JSONObject:
        return await self.call.json(
            "POST", self.url(path), headers=self.headers, params=self.params, json_body=body
        )

    async def chat(self, body: ChatParams) -> ChatCompletion:
        self.require("chat")
        request = self._body(body)
        request.pop("stream", None)
        request.pop("stream_options", None)
        payload = await self._post("chat/completions", request)
        if not isinstance(payload.get("choices"), list):
            raise protocol_error(self.name, "a chat completion without choices", str(payload))
        # passed on as it came (the gateway reads its usage leniently)
        return cast("ChatCompletion", payload)

    async def chat_stream(self, body: ChatParams) -> AsyncGenerator[ChatCompletionChunk, None]:
        self.require("streaming")
        request = self._body(body)
        request["stream"] = True
        ask_usage = self.stream_usage
        if ask_usage:
            request["stream_options"] = {
                **(request.get("stream_options") or {}),
                "include_usage": True,
            }
        else:
            request.pop("stream_options", None)
        finished = False
        usage = False
        events = self.call.events(
            self.url("chat/completions"), request, headers=self.headers, params=self.params
        )
        async with aclosing(events):
            async for _, chunk in events:
                if chunk is None:
                    return
                if not isinstance(chunk, dict):
                    raise protocol_error(self.name, "a stream chunk is not an object", str(chunk))
                if "error" in chunk:
                    raise stream_error(self.name, chunk)
                usage = usage or bool(chunk.get("usage"))
                choices = chunk.get("choices") or []
                finished = finished or any(
                    isinstance(c, dict) and c.get("finish_reason") for c in choices
                )
                # passed on as it came (the gateway reads it leniently)
                yield cast("ChatCompletionChunk", chunk)
        if not (finished and (usage or not ask_usage)):
            raise protocol_error(self.name, "the stream ended before [DONE]")

    # The answers below are passed on as they came, objects (the transport checked that
    # much): the gateway reads their usage leniently, video_wait a job's status and error.

    async def embeddings(self, body: EmbeddingParams) -> EmbeddingList:
        self.require("embeddings")
        return cast("EmbeddingList", await self._post("embeddings", self._body(body)))

    async def images(self, body: ImageParams) -> ImagesResponse:
        self.require("image_generation")
        return cast("ImagesResponse", await self._post("images/generations", self._body(body)))

    async def video_create(self, body: VideoParams) -> Video:
        self.require("video_generation")
        if body.get("input_reference"):
            self.require("image_to_video")
        return cast("Video", await self._post("videos", self._body(body)))

    async def video_status(self, video_id: str) -> Video:
        self.require("video_generation")
        video = await self.call.json(
            "GET",
            self.url(f"videos/{self.job_id(video_id)}"),
            headers=self.headers,
            params=self.params,
        )
        return cast("Video", video)

    async def video_content(self, video_id: str) -> tuple[bytes, str]:
        self.require("video_generation")
        response = await self.call.send(
            "GET",
            self.url(f"videos/{self.job_id(video_id)}/content"),
            headers=self.headers,
            params=self.params,
            follow_redirects=True,
        )
        return response.content, response.headers.get("content-type", "video/mp4")

    async def speech(self, body: SpeechParams) -> tuple[bytes, str]:
        self.require("speech")
        response = await self.call.send(
            "POST",
            self.url("audio/speech"),
            headers=self.headers,
            params=self.params,
            json_body=self._body(body),
        )
        return response.content, response.headers.get("content-type", "application/octet-stream")

    async def speech_stream(self, body: SpeechParams) -> AsyncGenerator[bytes, None]:
        self.require("speech")
        pieces = self.call.stream_bytes(
            self.url("audio/speech"), self._body(body), headers=self.headers, params=self.params
        )
        async with aclosing(pieces):
            async for piece in pieces:
                yield piece

    async def transcription(
        self, file: bytes, filename: str, fields: TranscriptionFields
    ) -> Transcription:
        self.require("transcription")
        data = {k: _form_value(v) for k, v in {**fields, "model": self.target.model}.items()}
        response = await self.call.send(
            "POST",
            self.url("audio/transcriptions"),
            headers=self.headers,
            params=self.params,
            data=data,
            files={"file": (filename, file)},
        )
        if "json" not in response.headers.get("content-type", ""):
            # response_format text, srt or vtt
            return {"text": response.text}
        try:
            payload = response.json()
        except ValueError:
            raise protocol_error(self.name, "the body is not JSON", response.text) from None
        if not isinstance(payload, dict):
            raise protocol_error(self.name, "a transcription that is not an object", response.text)
        return cast("Transcription", payload)  # passed on as it came


def _form_value(value: object) -> str | list[str]:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value)
