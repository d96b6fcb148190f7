"""The Voyage AI wire, typed: ``POST {base}/embeddings`` and ``POST {base}/rerank`` with
``Authorization: Bearer`` (the base is ``https://api.voyageai.com/v1``).

Field names follow Voyage's API reference (docs.voyageai.com, Text embeddings and
Rerankers). Both answers count ``usage.total_tokens``: what Voyage bills.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

__all__ = [
    "EmbeddingData",
    "EmbeddingsRequest",
    "EmbeddingsResponse",
    "RerankRequest",
    "RerankResponse",
    "RerankResult",
    "Usage",
]


class EmbeddingsRequest(TypedDict, total=False):
    input: str | list[str]
    model: str
    #: ``query`` or ``document`` (absent: neither prompt is prepended)
    input_type: Literal["query", "document"]
    truncation: bool
    output_dimension: int
    output_dtype: Literal["float", "int8", "uint8", "binary", "ubinary"]
    #: ``base64``: each embedding as a base64 string of little-endian float32s
    encoding_format: Literal["base64"]


class Usage(TypedDict, total=False):
    total_tokens: int


class EmbeddingData(TypedDict):
    object: NotRequired[str]
    #: floats, or a base64 string with ``encoding_format: base64``
    embedding: list[float] | str
    index: int


class EmbeddingsResponse(TypedDict):
    object: NotRequired[str]
    data: list[EmbeddingData]
    model: NotRequired[str]
    usage: NotRequired[Usage]


class RerankRequest(TypedDict, total=False):
    query: str
    documents: list[str]
    model: str
    #: how many of the best to answer (absent: all)
    top_k: int
    return_documents: bool
    truncation: bool


class RerankResult(TypedDict):
    index: int
    relevance_score: float
    document: NotRequired[str]


class RerankResponse(TypedDict):
    object: NotRequired[str]
    #: best first
    data: list[RerankResult]
    model: NotRequired[str]
    usage: NotRequired[Usage]
