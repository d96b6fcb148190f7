"""Registration in one place: every wire adapter and category provider Radiant ships."""

from __future__ import annotations

from radiant.providers.anthropic import AnthropicAdapter
from radiant.providers.audio_wires import DeepgramAdapter, ElevenLabsAdapter
from radiant.providers.gemini import GeminiAdapter
from radiant.providers.gemini_media import GeminiImageProvider, GeminiVideoProvider
from radiant.providers.openai_compat import OPENAI_WIRES, OpenAICompatibleAdapter
from radiant.providers.registries import register_adapter
from radiant.providers.resolvers import (
    AUDIO_PROVIDERS,
    EMBEDDING_PROVIDERS,
    IMAGE_PROVIDERS,
    TEXT_PROVIDERS,
    TTS_PROVIDERS,
    VIDEO_PROVIDERS,
)
from radiant.providers.seams import SEAM_WIRES, NotConfiguredAdapter
from radiant.providers.video import OpenAIVideoProvider
from radiant.providers.wire_providers import (
    WireAudioProvider,
    WireEmbeddingProvider,
    WireImageProvider,
    WireTextProvider,
    WireTTSProvider,
)

__all__ = ["register_builtin"]

#: wires whose images, speech and transcriptions speak OpenAI's format
_OPENAI_MEDIA = ("openai", "azure_openai", "xai")


def register_builtin() -> None:
    """Register what Radiant ships (``replace=False``: a plug-in registered first wins)."""
    for wire in OPENAI_WIRES:
        register_adapter(wire, OpenAICompatibleAdapter, replace=False)
    register_adapter("anthropic", AnthropicAdapter, replace=False)
    register_adapter("gemini", GeminiAdapter, replace=False)
    register_adapter("elevenlabs", ElevenLabsAdapter, replace=False)
    register_adapter("deepgram", DeepgramAdapter, replace=False)
    for wire in SEAM_WIRES:
        register_adapter(wire, NotConfiguredAdapter, replace=False)

    # text: every wire with an adapter (capabilities come from the adapter)
    TEXT_PROVIDERS.default = WireTextProvider
    for name in _OPENAI_MEDIA:
        IMAGE_PROVIDERS.register(name, WireImageProvider, replace=False)
        TTS_PROVIDERS.register(name, WireTTSProvider, replace=False)
        AUDIO_PROVIDERS.register(name, WireAudioProvider, replace=False)
    TTS_PROVIDERS.register("elevenlabs", WireTTSProvider, replace=False)
    AUDIO_PROVIDERS.register("deepgram", WireAudioProvider, replace=False)
    IMAGE_PROVIDERS.register("gemini", GeminiImageProvider, replace=False)
    VIDEO_PROVIDERS.register("openai", OpenAIVideoProvider, replace=False)
    VIDEO_PROVIDERS.register("gemini", GeminiVideoProvider, replace=False)
    for name in ("openai", "azure_openai", "gemini"):
        EMBEDDING_PROVIDERS.register(name, WireEmbeddingProvider, replace=False)
    # realtime: no implementation ships (it needs a WebSocket client); register one with
    # REALTIME_PROVIDERS.register("openai", factory)
