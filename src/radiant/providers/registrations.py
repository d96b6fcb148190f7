"""Registration in one place: every wire adapter Radiant ships."""

from __future__ import annotations

from radiant.providers.anthropic import AnthropicAdapter
from radiant.providers.audio_wires import DeepgramAdapter, ElevenLabsAdapter
from radiant.providers.gemini import GeminiAdapter
from radiant.providers.openai_compat import OPENAI_WIRES, OpenAICompatibleAdapter
from radiant.providers.registries import register_adapter
from radiant.providers.seams import SEAM_WIRES, NotConfiguredAdapter

__all__ = ["register_builtin"]


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
