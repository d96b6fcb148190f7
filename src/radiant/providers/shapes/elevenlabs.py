"""The ElevenLabs text-to-speech wire, typed: ``POST {base}/text-to-speech/{voice}``
(``/stream`` to stream) with an ``output_format`` query; the answer is the audio.

Field names follow ElevenLabs' API reference (elevenlabs.io/docs, Text to Speech).
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

__all__ = [
    "TextToSpeechRequest",
    "VoiceSettings",
]


class VoiceSettings(TypedDict, total=False):
    speed: float
    stability: float
    similarity_boost: float


class TextToSpeechRequest(TypedDict):
    text: str
    model_id: str
    voice_settings: NotRequired[VoiceSettings]
