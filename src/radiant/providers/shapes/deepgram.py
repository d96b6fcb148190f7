"""The Deepgram speech-to-text wire, typed: ``POST {base}/listen`` with the raw audio;
the answer's first channel holds the transcripts, best first.

Field names follow Deepgram's API reference (developers.deepgram.com, Pre-recorded
audio). The answer comes off the network: the reader indexes into it inside one check
(a missing or mistyped member is a ``protocol`` error).
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

__all__ = [
    "Alternative",
    "Channel",
    "ListenResponse",
    "Metadata",
    "Results",
]


class Alternative(TypedDict):
    transcript: str
    confidence: NotRequired[float]


class Channel(TypedDict):
    alternatives: list[Alternative]
    #: with ``detect_language=true``
    detected_language: NotRequired[str]


class Results(TypedDict):
    channels: list[Channel]


class Metadata(TypedDict, total=False):
    #: seconds of audio
    duration: float
    request_id: str


class ListenResponse(TypedDict):
    results: Results
    metadata: NotRequired[Metadata]
