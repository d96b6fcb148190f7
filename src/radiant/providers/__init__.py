"""Provider adapters: call the model a route names (seed 003, DESIGN decision 9).

::

    target = target_for(platform, route, secrets, provider=provider)   # registry rows -> target
    adapter = adapter_for(target, client)                               # injected HttpClient
    completion = await adapter.chat({"messages": [...]})                # OpenAI-shaped dicts
    async with contextlib.aclosing(adapter.chat_stream({...})) as chunks:
        async for chunk in chunks: ...                                  # the last carries usage

Category providers (seed 003: text, image, video, text-to-speech, speech-to-text, realtime,
embeddings/semantic) sit on top: :mod:`radiant.providers.base` for the interfaces,
:mod:`radiant.providers.resolvers` for ``get_*_provider``, registered in one place,
:mod:`radiant.providers.registrations`.

Wires: ``openai`` (every OpenAI-compatible platform), ``azure_openai``, ``anthropic``,
``gemini``, ``elevenlabs`` (speech), ``deepgram`` (transcription); ``bedrock`` and
``vertex`` are seams (see :mod:`radiant.providers.seams`). Streams are async generators:
leaving one early inside ``aclosing`` releases its connection at once.
Every failure is a :class:`~radiant.errors.ProviderError`, also in the middle of a stream.
"""

from __future__ import annotations

from radiant.errors import ProviderError, UnsupportedError
from radiant.providers.adapter import AdapterFactory, TextAdapter, WireAdapter
from radiant.providers.base import (
    BaseAudioProvider,
    BaseEmbeddingProvider,
    BaseImageProvider,
    BaseRealtimeProvider,
    BaseTextProvider,
    BaseTTSProvider,
    BaseVideoProvider,
    ProviderResponse,
    RealtimeEvent,
    SpeechTranscriptionResult,
    TranscriptionRequest,
    TTSRequest,
    TTSResult,
    VideoJob,
)
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.lookups import CatalogLookup, RouteLookup, SnapshotLookup
from radiant.providers.registrations import register_builtin
from radiant.providers.registries import adapter_for, register_adapter, registered_wires
from radiant.providers.resolvers import (
    clear_semantic_cache,
    get_audio_provider,
    get_image_provider,
    get_realtime_provider,
    get_semantic_provider,
    get_text_provider,
    get_tts_provider,
    get_video_provider,
)
from radiant.providers.target import UpstreamTarget, target_for, wire_for

__all__ = [
    "AdapterFactory",
    "BaseAudioProvider",
    "BaseEmbeddingProvider",
    "BaseImageProvider",
    "BaseRealtimeProvider",
    "BaseTTSProvider",
    "BaseTextProvider",
    "BaseVideoProvider",
    "CatalogLookup",
    "ProviderCapabilities",
    "ProviderError",
    "ProviderResponse",
    "RealtimeEvent",
    "RouteLookup",
    "SnapshotLookup",
    "SpeechTranscriptionResult",
    "TTSRequest",
    "TTSResult",
    "TextAdapter",
    "TranscriptionRequest",
    "UnsupportedError",
    "UpstreamTarget",
    "VideoJob",
    "WireAdapter",
    "adapter_for",
    "clear_semantic_cache",
    "get_audio_provider",
    "get_image_provider",
    "get_realtime_provider",
    "get_semantic_provider",
    "get_text_provider",
    "get_tts_provider",
    "get_video_provider",
    "register_adapter",
    "registered_wires",
    "target_for",
    "wire_for",
]

register_builtin()
