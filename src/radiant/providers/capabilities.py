"""What a provider or wire adapter can do, declared up front and checked before any
optional call (:meth:`ProviderCapabilities.require` raises
:class:`~radiant.errors.UnsupportedError`, a clear 400, instead of an upstream 404)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from radiant.errors import UnsupportedError

__all__ = ["ProviderCapabilities"]


@dataclass(frozen=True)
class ProviderCapabilities:
    # text
    chat: bool = False
    streaming: bool = False
    reasoning: bool = False
    function_calling: bool = False
    json_mode: bool = False
    citations: bool = False
    # inputs
    image_input: bool = False
    audio_input: bool = False
    file_input: bool = False
    # other endpoints
    embeddings: bool = False
    image_generation: bool = False
    video_generation: bool = False
    image_to_video: bool = False
    speech: bool = False
    transcription: bool = False
    audio_output: bool = False
    realtime: bool = False
    rerank: bool = False
    search: bool = False
    model_3d: bool = False
    #: JSON in, JSON out: a self-hosted scientific model's own request format
    inference: bool = False

    def supported(self) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name)]

    def require(self, capability: str, provider: str) -> None:
        """Raise :class:`UnsupportedError` unless ``capability`` is declared."""
        if not getattr(self, capability, False):
            raise UnsupportedError(provider, capability.replace("_", " "))
