"""Base classes per category (seed 003): text, image, video, text-to-speech,
speech-to-text, realtime, embeddings/semantic.

Each provider declares :class:`ProviderCapabilities`; optional calls
(``generate_with_reasoning``, ``generate_from_image``, ``stream``, ``transcribe_stream``)
check them first and raise :class:`~radiant.errors.UnsupportedError` when the provider
does not declare the capability. Failures of upstream calls are
:class:`~radiant.errors.ProviderError`. Implementations register in
:mod:`radiant.providers.registrations` and are found by :mod:`radiant.providers.resolvers`.

Video generation is a long-running job: :meth:`BaseVideoProvider.generate` submits it,
polls until it is done (``poll_interval``, up to ``deadline`` seconds) and downloads it;
implementations supply ``submit``, ``poll`` and ``download``.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from radiant.errors import ProviderError
from radiant.providers.capabilities import ProviderCapabilities

__all__ = [
    "BaseAudioProvider",
    "BaseEmbeddingProvider",
    "BaseImageProvider",
    "BaseRealtimeProvider",
    "BaseTTSProvider",
    "BaseTextProvider",
    "BaseVideoProvider",
    "ProviderResponse",
    "RealtimeEvent",
    "SpeechTranscriptionResult",
    "TTSRequest",
    "TTSResult",
    "TranscriptionRequest",
    "VideoJob",
]


class _Provider:
    provider_name: str = ""
    capabilities: ProviderCapabilities = ProviderCapabilities()

    def require(self, capability: str) -> None:
        self.capabilities.require(capability, self.provider_name or type(self).__name__)


# ----------------------------------------------------------------------------- text


@dataclass(frozen=True)
class ProviderResponse:
    content: str | None
    model: str
    provider: str
    usage: dict[str, Any] = field(default_factory=dict)
    finish_reason: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    reasoning: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


class BaseTextProvider(_Provider, ABC):
    @abstractmethod
    async def generate(
        self,
        prompt: str,
        model: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        **kwargs: Any,
    ) -> ProviderResponse: ...

    @abstractmethod
    def _stream(self, prompt: str, model: str | None, **kwargs: Any) -> AsyncIterator[str]: ...

    def stream(self, prompt: str, model: str | None = None, **kwargs: Any) -> AsyncIterator[str]:
        """Text deltas as they arrive."""
        self.require("streaming")
        return self._stream(prompt, model, **kwargs)

    async def generate_with_reasoning(
        self, prompt: str, reasoning_effort: str = "medium", **kwargs: Any
    ) -> ProviderResponse:
        self.require("reasoning")
        return await self.generate(prompt, reasoning_effort=reasoning_effort, **kwargs)


# ----------------------------------------------------------------------------- image, video


class BaseImageProvider(_Provider, ABC):
    @abstractmethod
    async def generate(
        self,
        prompt: str,
        model: str | None = None,
        width: int = 1024,
        height: int = 1024,
        **kwargs: Any,
    ) -> bytes: ...


@dataclass(frozen=True)
class VideoJob:
    id: str
    #: ``queued``, ``in_progress``, ``completed`` or ``failed``
    status: str
    progress: float | None = None
    error: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def done(self) -> bool:
        return self.status in ("completed", "failed")


class BaseVideoProvider(_Provider, ABC):
    poll_interval: float = 5.0
    deadline: float = 900.0

    @abstractmethod
    async def submit(self, prompt: str, model: str | None, **kwargs: Any) -> VideoJob: ...

    @abstractmethod
    async def poll(self, job: VideoJob) -> VideoJob: ...

    @abstractmethod
    async def download(self, job: VideoJob) -> bytes: ...

    async def generate(
        self,
        prompt: str,
        model: str | None = None,
        duration_seconds: int | None = None,
        *,
        on_progress: Callable[[VideoJob], Awaitable[None]] | None = None,
        **kwargs: Any,
    ) -> bytes:
        job = await self.submit(prompt, model, duration_seconds=duration_seconds, **kwargs)
        return await self.wait(job, on_progress)

    async def generate_from_image(self, prompt: str, image_url: str, **kwargs: Any) -> bytes:
        self.require("image_to_video")
        return await self.generate(prompt, image_url=image_url, **kwargs)

    async def wait(
        self, job: VideoJob, on_progress: Callable[[VideoJob], Awaitable[None]] | None = None
    ) -> bytes:
        """Poll ``job`` until it completes; download the result."""
        give_up = time.monotonic() + self.deadline
        while not job.done:
            if time.monotonic() >= give_up:
                raise ProviderError(
                    f"{self.provider_name}: video job {job.id} not done after {self.deadline:g} s",
                    provider=self.provider_name,
                    kind="timeout",
                )
            await asyncio.sleep(self.poll_interval)
            job = await self.poll(job)
            if on_progress is not None:
                await on_progress(job)
        if job.status == "failed":
            raise ProviderError(
                f"{self.provider_name}: video job {job.id} failed: {job.error or 'no reason'}",
                provider=self.provider_name,
                kind="http",
                body=str(job.raw)[:2000],
            )
        return await self.download(job)


# ----------------------------------------------------------------------------- speech


@dataclass(frozen=True)
class TTSRequest:
    text: str
    voice: str
    model: str | None = None
    format: str = "mp3"
    speed: float | None = None


@dataclass(frozen=True)
class TTSResult:
    audio: bytes
    content_type: str
    voice: str
    provider: str


class BaseTTSProvider(_Provider, ABC):
    @abstractmethod
    async def generate(self, request: TTSRequest) -> TTSResult: ...

    @abstractmethod
    def _stream(self, request: TTSRequest) -> AsyncIterator[bytes]: ...

    def stream(self, request: TTSRequest) -> AsyncIterator[bytes]:
        """Audio bytes as the upstream sends them."""
        self.require("streaming")
        return self._stream(request)


@dataclass(frozen=True)
class TranscriptionRequest:
    audio: bytes
    filename: str
    model: str | None = None
    language: str | None = None
    prompt: str | None = None


@dataclass(frozen=True)
class SpeechTranscriptionResult:
    text: str
    provider: str
    language: str | None = None
    duration_seconds: float | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


class BaseAudioProvider(_Provider, ABC):
    """Speech to text."""

    @abstractmethod
    async def transcribe_file(self, request: TranscriptionRequest) -> SpeechTranscriptionResult: ...

    async def _transcribe_stream(
        self,
        audio_source: AsyncIterable[bytes],
        on_partial: Callable[[str], Awaitable[None]] | None,
    ) -> str:
        raise NotImplementedError  # pragma: no cover - providers declaring streaming override it

    async def transcribe_stream(
        self,
        audio_source: AsyncIterable[bytes],
        on_partial: Callable[[str], Awaitable[None]] | None = None,
    ) -> str:
        """Live transcription; ``on_partial`` hears interim text. Needs ``streaming``."""
        self.require("streaming")
        return await self._transcribe_stream(audio_source, on_partial)


# ----------------------------------------------------------------------------- realtime


@dataclass(frozen=True)
class RealtimeEvent:
    type: str
    data: dict[str, Any] = field(default_factory=dict)


class BaseRealtimeProvider(_Provider, ABC):
    @abstractmethod
    async def open_session(self, settings: dict[str, Any]) -> None: ...

    @abstractmethod
    def receive_events(self) -> AsyncIterator[RealtimeEvent]: ...

    @abstractmethod
    async def send_user_event(self, payload: dict[str, Any]) -> None: ...

    async def close(self) -> None:
        """End the session (default: nothing to release)."""


# ----------------------------------------------------------------------------- embeddings


class BaseEmbeddingProvider(_Provider, ABC):
    @abstractmethod
    async def embed(self, texts: list[str], model: str | None = None) -> list[list[float]]: ...
