"""The Luma Dream Machine wire, typed: ``POST {base}/generations`` (``base`` ends in
``/dream-machine/v1``) answers a :class:`Generation`, polled at
``GET {base}/generations/{id}`` until its ``state`` is ``completed`` or ``failed``.

Field names follow Luma's API reference (docs.lumalabs.ai, Video generation).
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypeAlias, TypedDict

__all__ = ["Assets", "Generation", "GenerationRequest", "GenerationState", "Keyframe"]

GenerationState: TypeAlias = Literal["queued", "dreaming", "completed", "failed"]


class Keyframe(TypedDict):
    type: Literal["image", "generation"]
    url: NotRequired[str]
    id: NotRequired[str]


class GenerationRequest(TypedDict):
    prompt: str
    model: str
    #: ``16:9``...
    aspect_ratio: NotRequired[str]
    #: ``5s``, ``9s``
    duration: NotRequired[str]
    resolution: NotRequired[str]
    keyframes: NotRequired[dict[str, Keyframe]]


class Assets(TypedDict, total=False):
    video: str
    image: str


class Generation(TypedDict, total=False):
    id: str
    state: GenerationState
    failure_reason: str | None
    created_at: str
    model: str
    assets: Assets | None
