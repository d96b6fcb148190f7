"""The wire adapter contract: OpenAI-shaped dicts in and out, whatever the upstream speaks
(typed by :mod:`radiant.providers.shapes.openai`: ``ChatParams`` in, ``ChatCompletion``
and ``ChatCompletionChunk`` out...).

An adapter is made per call from an :class:`~radiant.providers.target.UpstreamTarget`
and an injected ``HttpClient`` (cheap: no I/O at construction). There is one method per
endpoint (chat, embeddings, images, speech, transcriptions, videos, realtime); each
method a wire does not override raises :class:`~radiant.errors.UnsupportedError` before
any request, as do the overridden ones when the wire's :class:`ProviderCapabilities` do
not declare the capability (``self.require(...)``). A new endpoint is one capability
flag and one method here; a new wire is one subclass and one registration
(:mod:`radiant.providers.wires`).

Videos are long-running jobs in the shape of OpenAI's Videos API: :meth:`video_create`
answers a ``video`` object (``id``, ``status`` ``queued``/``in_progress``/``completed``/
``failed``, ``progress``, ``error``), :meth:`video_status` the same object later,
:meth:`video_content` the MP4; :meth:`video_wait` polls until the job is done.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import ClassVar, Protocol

from radiant.errors import ProviderError, ValidationError
from radiant.http.client import HttpClient
from radiant.providers.capabilities import ProviderCapabilities
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
from radiant.providers.shapes.radiant import (
    InferenceParams,
    InferenceResult,
    Model3D,
    Model3DParams,
    RerankParams,
    RerankResponse,
    SearchParams,
    SearchResponse,
)
from radiant.providers.target import UpstreamTarget
from radiant.providers.transport import Call

__all__ = ["AdapterFactory", "RealtimeSession", "TextAdapter", "VIDEO_DONE", "WireAdapter"]

#: the statuses of a video job that will not change any more
VIDEO_DONE = frozenset({"completed", "failed"})

#: what a job id may look like: path segments, no ``..`` (ids go into upstream URLs)
_JOB_ID = re.compile(
    r"[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*(?:/[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*)*"
)


class RealtimeSession(Protocol):
    """A live session: OpenAI Realtime events, dicts with a ``type`` (dozens of kinds,
    relayed as they are: no shipped wire reads them, so they stay :data:`JSONObject`)."""

    async def send(self, event: JSONObject) -> None: ...

    def events(self) -> AsyncIterator[JSONObject]: ...

    async def close(self) -> None: ...


class WireAdapter:
    """Base of every wire adapter; each endpoint it does not override is unsupported."""

    wire: ClassVar[str] = ""
    capabilities: ClassVar[ProviderCapabilities] = ProviderCapabilities()
    #: False for a seam that only says "not configured": its routes are not callable
    calls_upstream: ClassVar[bool] = True
    #: where the key goes (:attr:`headers`): the header, and what comes before the key
    key_header: ClassVar[str] = "authorization"
    key_scheme: ClassVar[str] = "Bearer "

    def __init__(self, target: UpstreamTarget, client: HttpClient) -> None:
        self.target = target
        self.client = client
        self.call = Call(client, target.name, target.timeout)

    @property
    def name(self) -> str:
        return self.target.name

    def require(self, capability: str) -> None:
        self.capabilities.require(capability, self.name)

    @property
    def headers(self) -> dict[str, str]:
        """The route's own headers and the key, as :attr:`key_header` and
        :attr:`key_scheme` say (``authorization: Bearer <key>`` unless a wire says other)."""
        headers = dict(self.target.headers)
        if self.target.api_key:
            headers[self.key_header] = self.key_scheme + self.target.api_key
        return headers

    @staticmethod
    def job_id(value: str) -> str:
        """``value`` if it can go into an upstream URL as a job id (path segments of
        letters, digits, ``_``, ``-`` and inner dots); raises :class:`ValidationError`."""
        if not _JOB_ID.fullmatch(value):
            raise ValidationError(f"not a job id: {value!r}")
        return value

    async def chat(self, body: ChatParams) -> ChatCompletion:
        """A ``chat.completion`` (with ``usage``) for a chat completions request body."""
        self.require("chat")
        raise AssertionError("unreachable")  # pragma: no cover

    def chat_stream(self, body: ChatParams) -> AsyncGenerator[ChatCompletionChunk, None]:
        """``chat.completion.chunk`` dicts; the last one carries ``usage``."""
        self.require("streaming")
        raise AssertionError("unreachable")  # pragma: no cover

    async def embeddings(self, body: EmbeddingParams) -> EmbeddingList:
        self.require("embeddings")
        raise AssertionError("unreachable")  # pragma: no cover

    async def images(self, body: ImageParams) -> ImagesResponse:
        self.require("image_generation")
        raise AssertionError("unreachable")  # pragma: no cover

    async def speech(self, body: SpeechParams) -> tuple[bytes, str]:
        """Audio bytes and their content type."""
        self.require("speech")
        raise AssertionError("unreachable")  # pragma: no cover

    def speech_stream(self, body: SpeechParams) -> AsyncGenerator[bytes, None]:
        """Audio bytes as the upstream sends them."""
        self.require("speech")
        raise AssertionError("unreachable")  # pragma: no cover

    async def transcription(
        self, file: bytes, filename: str, fields: TranscriptionFields
    ) -> Transcription:
        self.require("transcription")
        raise AssertionError("unreachable")  # pragma: no cover

    async def video_create(self, body: VideoParams) -> Video:
        """Start a job for a ``POST /videos`` body (``prompt``, ``seconds``, ``size``,
        ``input_reference: {"image_url"}``); answers its ``video`` object."""
        self.require("video_generation")
        raise AssertionError("unreachable")  # pragma: no cover

    async def video_status(self, video_id: str) -> Video:
        """The ``video`` object of a job :meth:`video_create` started."""
        self.require("video_generation")
        raise AssertionError("unreachable")  # pragma: no cover

    async def video_content(self, video_id: str) -> tuple[bytes, str]:
        """The finished video's bytes and their content type."""
        self.require("video_generation")
        raise AssertionError("unreachable")  # pragma: no cover

    async def video_wait(
        self,
        video_id: str,
        *,
        poll_interval: float = 5.0,
        deadline: float = 900.0,
        on_progress: Callable[[Video], Awaitable[None]] | None = None,
    ) -> Video:
        """Poll :meth:`video_status` every ``poll_interval`` seconds until the job is
        ``completed`` and answer its ``video`` object; raises :class:`ProviderError` when
        it failed, or (``kind="timeout"``) when it is not done after ``deadline`` seconds.
        ``on_progress`` hears every polled object."""
        self.require("video_generation")
        give_up = time.monotonic() + deadline
        video = await self.video_status(video_id)
        while video.get("status") not in VIDEO_DONE:
            if on_progress is not None:
                await on_progress(video)
            if time.monotonic() >= give_up:
                raise ProviderError(
                    f"{self.name}: video {video_id} not done after {deadline:g} s",
                    provider=self.name,
                    kind="timeout",
                )
            await asyncio.sleep(poll_interval)
            video = await self.video_status(video_id)
        if on_progress is not None:
            await on_progress(video)
        if video["status"] == "failed":
            error = video.get("error")
            reason = error.get("message") if isinstance(error, dict) else error
            raise ProviderError(
                f"{self.name}: video {video_id} failed: {reason or 'no reason given'}",
                provider=self.name,
                body=str(video)[:2000],
            )
        return video

    async def rerank(self, body: RerankParams) -> RerankResponse:
        """``body["documents"]`` scored against ``body["query"]``, best first."""
        self.require("rerank")
        raise AssertionError("unreachable")  # pragma: no cover

    async def search(self, body: SearchParams) -> SearchResponse:
        """A web search's results."""
        self.require("search")
        raise AssertionError("unreachable")  # pragma: no cover

    async def model3d_create(self, body: Model3DParams) -> Model3D:
        """Start a 3D model job; answers its ``3d_model`` object (poll
        :meth:`model3d_status` until ``completed`` or ``failed``)."""
        self.require("model_3d")
        raise AssertionError("unreachable")  # pragma: no cover

    async def model3d_status(self, job_id: str) -> Model3D:
        """The ``3d_model`` object of a job :meth:`model3d_create` started."""
        self.require("model_3d")
        raise AssertionError("unreachable")  # pragma: no cover

    async def inference(self, body: InferenceParams) -> InferenceResult:
        """A self-hosted model's own JSON in, its JSON out."""
        self.require("inference")
        raise AssertionError("unreachable")  # pragma: no cover

    async def realtime(self, settings: JSONObject) -> RealtimeSession:
        """Open a live session (``settings``: OpenAI's ``session`` object). No wire that
        ships has one (it needs a WebSocket client); a plug-in adapter may."""
        self.require("realtime")
        raise AssertionError("unreachable")  # pragma: no cover


#: the contract name the gateway uses
TextAdapter = WireAdapter

AdapterFactory = Callable[[UpstreamTarget, HttpClient], WireAdapter]
