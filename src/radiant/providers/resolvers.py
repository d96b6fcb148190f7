"""One resolver per category (seed 003), over the category registries.

============  ======================================================================
text          registry lookup: model name -> first route -> target -> by its wire
image, video  pattern on the model name (``dall-e-*`` -> openai, ``flux*`` -> flux, ...)
TTS           voice first (an OpenAI voice -> openai, an ElevenLabs voice id ->
              elevenlabs), then the model name, then the target's wire
STT           provider -> model -> action (live streaming needs a streaming provider)
realtime      override map by model name, then a name rule
semantic      one cached instance per name
============  ======================================================================

Names no implementation is registered for raise :class:`~radiant.errors.UnsupportedError`
naming what is registered; register more with ``<REGISTRY>.register(name, factory)``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import httpx2

from radiant.providers.base import (
    BaseAudioProvider,
    BaseEmbeddingProvider,
    BaseImageProvider,
    BaseRealtimeProvider,
    BaseTextProvider,
    BaseTTSProvider,
    BaseVideoProvider,
)
from radiant.providers.lookups import RouteLookup
from radiant.providers.registries import CategoryRegistry
from radiant.providers.target import UpstreamTarget, target_for

if TYPE_CHECKING:
    from radiant.sync.discovery.secrets import SecretResolver

__all__ = [
    "AUDIO_PROVIDERS",
    "EMBEDDING_PROVIDERS",
    "IMAGE_PATTERNS",
    "IMAGE_PROVIDERS",
    "OPENAI_VOICES",
    "REALTIME_OVERRIDES",
    "REALTIME_PROVIDERS",
    "TEXT_PROVIDERS",
    "TTS_PROVIDERS",
    "VIDEO_PATTERNS",
    "VIDEO_PROVIDERS",
    "clear_semantic_cache",
    "get_audio_provider",
    "get_image_provider",
    "get_realtime_provider",
    "get_semantic_provider",
    "get_text_provider",
    "get_tts_provider",
    "get_video_provider",
]

TEXT_PROVIDERS: CategoryRegistry[BaseTextProvider] = CategoryRegistry("text")
IMAGE_PROVIDERS: CategoryRegistry[BaseImageProvider] = CategoryRegistry("image")
VIDEO_PROVIDERS: CategoryRegistry[BaseVideoProvider] = CategoryRegistry("video")
TTS_PROVIDERS: CategoryRegistry[BaseTTSProvider] = CategoryRegistry("text-to-speech")
AUDIO_PROVIDERS: CategoryRegistry[BaseAudioProvider] = CategoryRegistry("speech-to-text")
REALTIME_PROVIDERS: CategoryRegistry[BaseRealtimeProvider] = CategoryRegistry("realtime")
EMBEDDING_PROVIDERS: CategoryRegistry[BaseEmbeddingProvider] = CategoryRegistry("semantic")

IMAGE_PATTERNS = (
    ("dall-e-*", "openai"),
    ("gpt-image-*", "openai"),
    ("flux*", "flux"),
    ("imagen-*", "gemini"),
    ("grok-*image*", "xai"),
    ("stable-diffusion*", "stability"),
    ("sd3*", "stability"),
    ("ideogram*", "ideogram"),
)
VIDEO_PATTERNS = (
    ("sora*", "openai"),
    ("veo-*", "gemini"),
    ("kling*", "kling"),
    ("gen-*", "runway"),
    ("ray-*", "luma"),
)
OPENAI_VOICES = frozenset(
    [
        "alloy",
        "ash",
        "ballad",
        "cedar",
        "coral",
        "echo",
        "fable",
        "marin",
        "nova",
        "onyx",
        "sage",
        "shimmer",
        "verse",
    ]
)
_ELEVENLABS_VOICE_ID = re.compile(r"^[A-Za-z0-9]{20}$")
TTS_MODEL_PATTERNS = (("tts-*", "openai"), ("gpt-*-tts*", "openai"), ("eleven_*", "elevenlabs"))
AUDIO_MODEL_PATTERNS = (
    ("whisper-*", "openai"),
    ("gpt-*-transcribe*", "openai"),
    ("nova-*", "deepgram"),
)
#: the provider live (streaming) transcription goes to when the chosen one cannot stream
STREAMING_AUDIO_PROVIDER = "deepgram"
REALTIME_OVERRIDES = {
    "gpt-realtime": "openai",
    "gpt-4o-realtime-preview": "openai",
    "gpt-4o-mini-realtime-preview": "openai",
    "gemini-live-2.5-flash-preview": "google",
    "gemini-2.0-flash-live-001": "google",
}

_SEMANTIC: dict[str, BaseEmbeddingProvider] = {}


def match(name: str, patterns: Iterable[tuple[str, str]]) -> str | None:
    """The provider of the first pattern ``name`` matches (case-insensitive)."""
    folded = name.casefold()
    return next((who for pattern, who in patterns if fnmatch.fnmatchcase(folded, pattern)), None)


def get_text_provider(
    model: str,
    lookup: RouteLookup,
    client: httpx2.AsyncClient,
    secrets: SecretResolver | None = None,
) -> BaseTextProvider:
    platform, route, provider = lookup.route_for(model)
    target = target_for(platform, route, secrets, provider=provider)
    return TEXT_PROVIDERS.create(target.wire, target, client)


def get_image_provider(
    model: str, target: UpstreamTarget, client: httpx2.AsyncClient
) -> BaseImageProvider:
    name = match(model, IMAGE_PATTERNS) or target.wire
    return IMAGE_PROVIDERS.create(name, target, client)


def get_video_provider(
    model: str, target: UpstreamTarget, client: httpx2.AsyncClient
) -> BaseVideoProvider:
    name = match(model, VIDEO_PATTERNS) or target.wire
    return VIDEO_PROVIDERS.create(name, target, client)


def tts_provider_name(voice: str, model: str | None, default: str) -> str:
    if voice.casefold() in OPENAI_VOICES:
        return "openai"
    if _ELEVENLABS_VOICE_ID.match(voice):
        return "elevenlabs"
    return (match(model, TTS_MODEL_PATTERNS) if model else None) or default


def get_tts_provider(
    voice: str, target: UpstreamTarget, client: httpx2.AsyncClient, model: str | None = None
) -> BaseTTSProvider:
    name = tts_provider_name(voice, model, target.wire)
    return TTS_PROVIDERS.create(name, target, client)


def get_audio_provider(
    target: UpstreamTarget,
    client: httpx2.AsyncClient,
    *,
    model: str | None = None,
    streaming: bool = False,
) -> BaseAudioProvider:
    name = (match(model, AUDIO_MODEL_PATTERNS) if model else None) or target.wire
    provider = AUDIO_PROVIDERS.create(name, target, client)
    if streaming and not provider.capabilities.streaming:
        if STREAMING_AUDIO_PROVIDER in AUDIO_PROVIDERS:
            return AUDIO_PROVIDERS.create(STREAMING_AUDIO_PROVIDER, target, client)
        provider.require("streaming")
    return provider


def realtime_provider_name(model: str) -> str | None:
    name = model.casefold()
    if name in REALTIME_OVERRIDES:
        return REALTIME_OVERRIDES[name]
    if "realtime" in name:
        return "openai"
    if name.startswith("gemini") and "live" in name:
        return "google"
    return None


def get_realtime_provider(
    model: str, target: UpstreamTarget, client: httpx2.AsyncClient
) -> BaseRealtimeProvider:
    return REALTIME_PROVIDERS.create(realtime_provider_name(model) or target.wire, target, client)


def get_semantic_provider(
    name: str = "default",
    target: UpstreamTarget | None = None,
    client: httpx2.AsyncClient | None = None,
) -> BaseEmbeddingProvider:
    """The one instance of ``name`` (made from ``target``'s wire on first use)."""
    cached = _SEMANTIC.get(name)
    if cached is not None:
        return cached
    if target is None or client is None:
        from radiant.errors import UnsupportedError

        raise UnsupportedError(name, "semantic", f"semantic provider {name!r} is not set up yet")
    provider = EMBEDDING_PROVIDERS.create(target.wire, target, client)
    _SEMANTIC[name] = provider
    return provider


def clear_semantic_cache() -> None:
    _SEMANTIC.clear()
