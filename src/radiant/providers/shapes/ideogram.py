"""The Ideogram generate wire, typed: ``POST {base}/generate`` with ``Api-Key`` and
``{"image_request": {...}}`` (models ``V_2``, ``V_2_TURBO``...); the answer lists the
images as temporary URLs.

Field names follow Ideogram's API reference (developer.ideogram.ai, Generate).
"""

from __future__ import annotations

from typing import TypedDict

__all__ = ["GenerateRequest", "GenerateResponse", "GeneratedImage", "ImageRequest"]


class ImageRequest(TypedDict, total=False):
    prompt: str
    model: str
    #: ``ASPECT_16_9``...
    aspect_ratio: str
    num_images: int
    magic_prompt_option: str
    negative_prompt: str
    style_type: str
    seed: int


class GenerateRequest(TypedDict):
    image_request: ImageRequest


class GeneratedImage(TypedDict, total=False):
    url: str
    prompt: str
    resolution: str
    seed: int
    is_image_safe: bool


class GenerateResponse(TypedDict, total=False):
    created: str
    data: list[GeneratedImage]
