"""Category providers (seed 003 interfaces) on top of the wire adapters: text, image,
text-to-speech, speech-to-text and embeddings for any target whose wire offers them.
Each is bound to one :class:`UpstreamTarget` and an injected ``HttpClient``; its
capabilities are its adapter's."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any

from radiant.errors import ProviderError
from radiant.http.client import HttpClient
from radiant.providers.adapter import WireAdapter
from radiant.providers.base import (
    BaseAudioProvider,
    BaseEmbeddingProvider,
    BaseImageProvider,
    BaseTextProvider,
    BaseTTSProvider,
    ProviderResponse,
    SpeechTranscriptionResult,
    TranscriptionRequest,
    TTSRequest,
    TTSResult,
)
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.errors import protocol_error
from radiant.providers.registries import adapter_for
from radiant.providers.target import UpstreamTarget
from radiant.providers.transport import Call

__all__ = [
    "WireAudioProvider",
    "WireEmbeddingProvider",
    "WireImageProvider",
    "WireTTSProvider",
    "WireTextProvider",
]


class _WireBacked:
    capabilities: ProviderCapabilities

    def __init__(self, target: UpstreamTarget, client: HttpClient) -> None:
        self.target = target
        self.client = client
        self.provider_name = target.name
        self.capabilities = adapter_for(target, client).capabilities
        self.call = Call(client, target.name, target.timeout)

    def adapter(self, model: str | None = None) -> WireAdapter:
        """The adapter, for another upstream model of the same target when ``model`` is set."""
        target = self.target
        if model and model != target.model:
            target = dataclasses.replace(target, model=model)
        return adapter_for(target, self.client)


class WireTextProvider(_WireBacked, BaseTextProvider):
    @staticmethod
    def _body(
        prompt: str, temperature: float | None, max_tokens: int | None, **kwargs: Any
    ) -> dict[str, Any]:
        system = kwargs.pop("system", None)
        messages = kwargs.pop("messages", None) or [{"role": "user", "content": prompt}]
        if system:
            messages = [{"role": "system", "content": system}, *messages]
        body: dict[str, Any] = {"messages": messages, **kwargs}
        if temperature is not None:
            body["temperature"] = temperature
        if max_tokens is not None:
            body["max_tokens"] = max_tokens
        return body

    async def generate(
        self,
        prompt: str,
        model: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        **kwargs: Any,
    ) -> ProviderResponse:
        done = await self.adapter(model).chat(self._body(prompt, temperature, max_tokens, **kwargs))
        choice = (done.get("choices") or [{}])[0]
        message = choice.get("message") or {}
        return ProviderResponse(
            content=message.get("content"),
            model=str(done.get("model") or model or self.target.model),
            provider=self.provider_name,
            usage=done.get("usage") or {},
            finish_reason=choice.get("finish_reason"),
            tool_calls=list(message.get("tool_calls") or []),
            reasoning=message.get("reasoning_content"),
            raw=done,
        )

    async def _stream(self, prompt: str, model: str | None, **kwargs: Any) -> AsyncIterator[str]:
        body = self._body(
            prompt, kwargs.pop("temperature", None), kwargs.pop("max_tokens", None), **kwargs
        )
        chunks = self.adapter(model).chat_stream(body)
        async with aclosing(chunks):
            async for chunk in chunks:
                for choice in chunk.get("choices") or []:
                    text = (choice.get("delta") or {}).get("content")
                    if text:
                        yield text


class WireImageProvider(_WireBacked, BaseImageProvider):
    async def generate(
        self,
        prompt: str,
        model: str | None = None,
        width: int = 1024,
        height: int = 1024,
        **kwargs: Any,
    ) -> bytes:
        name = model or self.target.model
        body: dict[str, Any] = {"prompt": prompt, "n": 1, "size": f"{width}x{height}", **kwargs}
        if name.startswith("dall-e"):  # gpt-image models always answer base64
            body.setdefault("response_format", "b64_json")
        done = await self.adapter(model).images(body)
        image = (done.get("data") or [{}])[0]
        if image.get("b64_json"):
            return base64.b64decode(image["b64_json"])
        if image.get("url"):
            return await self._download(str(image["url"]))
        raise protocol_error(self.provider_name, "an image answer without data", str(done))

    async def _download(self, url: str) -> bytes:
        response = await self.call.request("GET", url, headers={})
        if response.status_code >= 400:
            raise ProviderError(
                f"{self.provider_name}: the image URL answered HTTP {response.status_code}",
                provider=self.provider_name,
                status=response.status_code,
            )
        return response.content


class WireTTSProvider(_WireBacked, BaseTTSProvider):
    def __init__(self, target: UpstreamTarget, client: HttpClient) -> None:
        super().__init__(target, client)
        # speech streams whenever the wire speaks at all
        self.capabilities = dataclasses.replace(
            self.capabilities, streaming=self.capabilities.speech
        )

    @staticmethod
    def _body(request: TTSRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "input": request.text,
            "voice": request.voice,
            "response_format": request.format,
        }
        if request.speed is not None:
            body["speed"] = request.speed
        return body

    async def generate(self, request: TTSRequest) -> TTSResult:
        audio, content_type = await self.adapter(request.model).speech(self._body(request))
        return TTSResult(audio, content_type, request.voice, self.provider_name)

    async def _stream(self, request: TTSRequest) -> AsyncIterator[bytes]:
        pieces = self.adapter(request.model).speech_stream(self._body(request))
        async with aclosing(pieces):
            async for piece in pieces:
                yield piece


class WireAudioProvider(_WireBacked, BaseAudioProvider):
    """Speech to text through the wire's transcription endpoint (files; no live stream)."""

    def __init__(self, target: UpstreamTarget, client: HttpClient) -> None:
        super().__init__(target, client)
        self.capabilities = dataclasses.replace(self.capabilities, streaming=False)

    async def transcribe_file(self, request: TranscriptionRequest) -> SpeechTranscriptionResult:
        fields: dict[str, Any] = {"response_format": "json"}
        if request.language:
            fields["language"] = request.language
        if request.prompt:
            fields["prompt"] = request.prompt
        done = await self.adapter(request.model).transcription(
            request.audio, request.filename, fields
        )
        seconds = (done.get("usage") or {}).get("seconds", done.get("duration"))
        return SpeechTranscriptionResult(
            text=str(done.get("text", "")),
            provider=self.provider_name,
            language=done.get("language") or request.language,
            duration_seconds=None if seconds is None else float(seconds),
            raw=done,
        )


class WireEmbeddingProvider(_WireBacked, BaseEmbeddingProvider):
    async def embed(self, texts: list[str], model: str | None = None) -> list[list[float]]:
        done = await self.adapter(model).embeddings({"input": texts})
        data = sorted(done.get("data") or [], key=lambda d: int(d.get("index", 0)))
        return [[float(x) for x in d.get("embedding") or []] for d in data]
