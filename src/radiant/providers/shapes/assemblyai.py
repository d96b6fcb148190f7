"""The AssemblyAI pre-recorded transcription wire, typed (the base is
``https://api.assemblyai.com/v2``, ``Authorization: <key>`` without a scheme):

* ``POST {base}/upload`` with the raw audio -> :class:`UploadResponse` (``upload_url``);
* ``POST {base}/transcript`` with a :class:`TranscriptRequest` -> a :class:`Transcript`;
* ``GET {base}/transcript/{id}`` -> the :class:`Transcript` until its ``status`` is
  ``completed`` (``text``, ``audio_duration`` in seconds) or ``error`` (``error``).

Field names follow AssemblyAI's API reference (assemblyai.com/docs, openapi.yaml).
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypeAlias, TypedDict

__all__ = ["TranscriptRequest", "Transcript", "TranscriptStatus", "UploadResponse"]

TranscriptStatus: TypeAlias = Literal["queued", "processing", "completed", "error"]


class UploadResponse(TypedDict):
    upload_url: str


class TranscriptRequest(TypedDict, total=False):
    audio_url: str
    #: ``best``, ``nano``, ``slam-1``, ``universal``
    speech_model: str
    language_code: str
    language_detection: bool
    punctuate: bool
    format_text: bool


class Transcript(TypedDict):
    id: str
    status: TranscriptStatus
    text: NotRequired[str | None]
    #: seconds of audio
    audio_duration: NotRequired[float | None]
    language_code: NotRequired[str | None]
    confidence: NotRequired[float | None]
    #: why it failed (``status: error``)
    error: NotRequired[str | None]
