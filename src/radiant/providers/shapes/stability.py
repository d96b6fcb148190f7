"""The Stability AI image wires, typed.

* v2beta Stable Image: ``POST {base}/v2beta/stable-image/generate/{ultra|core|sd3}``, a
  multipart form (:class:`StableImageForm`; sd3 also takes ``model``: ``sd3.5-large``,
  ``sd3-large``...) with ``accept: application/json``; the answer is
  :class:`StableImageResponse` (one base64 image).
* v1 SDXL: ``POST {base}/v1/generation/{engine}/text-to-image`` with
  :class:`TextToImageRequest`; the answer's ``artifacts`` carry the images.

Field names follow Stability's API reference (platform.stability.ai/docs/api-reference).
"""

from __future__ import annotations

from typing import TypedDict

__all__ = [
    "Artifact",
    "StableImageForm",
    "StableImageResponse",
    "TextPrompt",
    "TextToImageRequest",
    "TextToImageResponse",
]


class StableImageForm(TypedDict, total=False):
    """The text fields of the v2beta form (every value is text on the wire)."""

    prompt: str
    negative_prompt: str
    aspect_ratio: str
    output_format: str
    seed: str
    #: sd3 only
    model: str


class StableImageResponse(TypedDict, total=False):
    image: str
    finish_reason: str
    seed: int


class TextPrompt(TypedDict):
    text: str


class TextToImageRequest(TypedDict, total=False):
    text_prompts: list[TextPrompt]
    samples: int
    width: int
    height: int


class Artifact(TypedDict, total=False):
    base64: str
    seed: int
    finishReason: str


class TextToImageResponse(TypedDict, total=False):
    artifacts: list[Artifact]
