"""One resolver per category (seed 003), over the category registries.

============  ======================================================================
text          registry lookup: model name -> first route -> target -> by its wire (a
              model that declares capabilities but no reasoning cannot reason)
image, video  pattern on the model name (``dall-e-*`` -> openai, ``flux*`` -> flux, ...)
TTS           voice first (an OpenAI voice -> openai, an ElevenLabs voice id ->
              elevenlabs), then the model name, then the target's wire
STT           provider (the target's wire) -> model (``whisper-*``, ``nova-*``) -> action
              (live streaming needs a provider that declares it)
realtime      override map by model name, then a name rule
semantic      one cached instance per name
============  ======================================================================

The category resolvers other than text take ``targets``: the upstream of each provider
name they may pick (``{"openai": target, "elevenlabs": target}``); the name decides both
the implementation and the upstream. A name with no implementation registered, or no
upstream given, raises :class:`~radiant.errors.UnsupportedError` naming what there is;
register more with ``<REGISTRY>.register(name, factory)``.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, TypeVar

from radiant.errors import UnsupportedError
from radiant.http.client import HttpClient
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
    from radiant.secrets import SecretResolver

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

P = TypeVar("P")

#: model capabilities (registry vocabulary) that mean the model can reason
REASONING_CAPABILITIES = frozenset({"reasoning", "extended_thinking", "thinking"})

#: the upstream of each provider name a resolver may pick
Targets = Mapping[str, UpstreamTarget]

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
    client: HttpClient,
    secrets: SecretResolver | None = None,
) -> BaseTextProvider:
    platform, route, provider = lookup.route_for(model)
    target = target_for(platform, route, secrets, provider=provider)
    text = TEXT_PROVIDERS.create(target.wire, target, client)
    declared = {c.casefold() for c in lookup.model(model).capabilities}
    if declared and not declared & REASONING_CAPABILITIES:
        # the wire could reason, this model cannot: refuse before a doomed upstream call
        text.capabilities = dataclasses.replace(text.capabilities, reasoning=False)
    return text


def _upstream(targets: Targets, name: str, category: str) -> UpstreamTarget:
    target = targets.get(name)
    if target is None:
        known = ", ".join(sorted(targets)) or "none"
        raise UnsupportedError(
            name, category, f"no {category} upstream configured for {name!r} (configured: {known})"
        )
    return target


def _create(registry: CategoryRegistry[P], name: str, targets: Targets, client: HttpClient) -> P:
    factory = registry.factory(name)  # an unknown implementation is the clearer error
    return factory(_upstream(targets, name, registry.category), client)


def _fallback(targets: Targets) -> str:
    """The name used when no rule picks one: the only target, else ``openai``."""
    return next(iter(targets)) if len(targets) == 1 else "openai"


def get_image_provider(model: str, targets: Targets, client: HttpClient) -> BaseImageProvider:
    name = match(model, IMAGE_PATTERNS) or _fallback(targets)
    return _create(IMAGE_PROVIDERS, name, targets, client)


def get_video_provider(model: str, targets: Targets, client: HttpClient) -> BaseVideoProvider:
    name = match(model, VIDEO_PATTERNS) or _fallback(targets)
    return _create(VIDEO_PROVIDERS, name, targets, client)


def tts_provider_name(voice: str, model: str | None, default: str) -> str:
    if voice.casefold() in OPENAI_VOICES:
        return "openai"
    if _ELEVENLABS_VOICE_ID.match(voice):
        return "elevenlabs"
    return (match(model, TTS_MODEL_PATTERNS) if model else None) or default


def get_tts_provider(
    voice: str, targets: Targets, client: HttpClient, model: str | None = None
) -> BaseTTSProvider:
    name = tts_provider_name(voice, model, _fallback(targets))
    return _create(TTS_PROVIDERS, name, targets, client)


def get_audio_provider(
    targets: Targets,
    client: HttpClient,
    *,
    provider: str | None = None,
    model: str | None = None,
    streaming: bool = False,
) -> BaseAudioProvider:
    name = provider or (match(model, AUDIO_MODEL_PATTERNS) if model else None)
    name = name or _fallback(targets)
    chosen = _create(AUDIO_PROVIDERS, name, targets, client)
    if streaming:
        chosen.require("streaming")
    return chosen


def realtime_provider_name(model: str) -> str | None:
    name = model.casefold()
    if name in REALTIME_OVERRIDES:
        return REALTIME_OVERRIDES[name]
    if "realtime" in name:
        return "openai"
    if name.startswith("gemini") and "live" in name:
        return "google"
    return None


def get_realtime_provider(model: str, targets: Targets, client: HttpClient) -> BaseRealtimeProvider:
    name = realtime_provider_name(model) or _fallback(targets)
    return _create(REALTIME_PROVIDERS, name, targets, client)


def get_semantic_provider(
    name: str = "default",
    target: UpstreamTarget | None = None,
    client: HttpClient | None = None,
) -> BaseEmbeddingProvider:
    """The one instance of ``name`` (made from ``target``'s wire on first use)."""
    cached = _SEMANTIC.get(name)
    if cached is not None:
        return cached
    if target is None or client is None:
        raise UnsupportedError(name, "semantic", f"semantic provider {name!r} is not set up yet")
    provider = EMBEDDING_PROVIDERS.create(target.wire, target, client)
    _SEMANTIC[name] = provider
    return provider


def clear_semantic_cache() -> None:
    _SEMANTIC.clear()
