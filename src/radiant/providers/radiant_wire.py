"""The checks of the bodies of Radiant's own ``/v1`` endpoints (the ones OpenAI has no
door for), as :mod:`radiant.providers.openai_wire` checks OpenAI's: strict JSON types,
members the shape does not name let through unread, a bad body a 400 naming the
parameter. The typed views of these bodies are :mod:`radiant.providers.shapes.radiant`
(and :class:`~radiant.providers.shapes.openai.VideoParams` for videos).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from radiant.providers.openai_wire import WHOLE, NonEmpty, _Wire

__all__ = [
    "InferenceRequest",
    "Model3DRequest",
    "RerankRequest",
    "SearchRequest",
    "VideoRequest",
]

#: Cohere takes at most 1,000 documents a call (and bills per 100)
MAX_DOCUMENTS = 1000


class RerankRequest(_Wire):
    """``POST /v1/rerank`` (Cohere v2's body)."""

    model: NonEmpty
    query: NonEmpty
    documents: Annotated[list[str], Field(min_length=1, max_length=MAX_DOCUMENTS)]
    top_n: Annotated[int, Field(ge=1, le=MAX_DOCUMENTS), WHOLE] | None = None
    max_tokens_per_doc: Annotated[int, Field(ge=1, le=1_000_000), WHOLE] | None = None


class SearchRequest(_Wire):
    """``POST /v1/search``."""

    model: NonEmpty
    query: Annotated[str, Field(min_length=1, max_length=2000, pattern=r"\S")]
    max_results: Annotated[int, Field(ge=1, le=20), WHOLE] | None = None
    include_domains: Annotated[list[NonEmpty], Field(max_length=100)] | None = None
    exclude_domains: Annotated[list[NonEmpty], Field(max_length=100)] | None = None


class _Reference(_Wire):
    image_url: NonEmpty


#: the video lengths a request may ask for, in seconds (the route's sheet bills them)
MAX_VIDEO_SECONDS = 120


def _seconds(value: Any) -> Any:
    """``"8"`` (Sora's way) or ``8``: a whole number of seconds."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class VideoRequest(_Wire):
    """``POST /v1/videos`` (the shape of OpenAI's Videos API)."""

    model: NonEmpty
    prompt: Annotated[str, Field(min_length=1, max_length=10_000, pattern=r"\S")]
    seconds: (
        Annotated[int, Field(ge=1, le=MAX_VIDEO_SECONDS)]
        | Annotated[str, Field(pattern=r"^\s*[0-9]{1,3}\s*$")]
        | None
    ) = None
    size: Annotated[str, Field(pattern=r"^[0-9]{2,5}x[0-9]{2,5}$")] | None = None
    input_reference: _Reference | None = None


class Model3DRequest(_Wire):
    """``POST /v1/3d``: a prompt, a reference image, or both."""

    model: NonEmpty
    prompt: Annotated[str, Field(min_length=1, max_length=10_000, pattern=r"\S")] | None = None
    image_url: NonEmpty | None = None
    format: Literal["glb", "fbx", "obj", "usdz", "ply", "stl"] | None = None


class InferenceRequest(_Wire):
    """``POST /v1/inference``: ``input`` is the model container's own JSON."""

    model: NonEmpty
    input: dict[str, Any]
