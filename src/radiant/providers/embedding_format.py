"""OpenAI's ``EmbeddingList`` built from the vectors a non-OpenAI wire answers (Cohere,
Voyage): texts only (token arrays are OpenAI's own), ``usage.prompt_tokens`` = the
tokens the upstream bills, and ``encoding_format: base64`` done here when the upstream
cannot (little-endian float32, as OpenAI encodes them)."""

from __future__ import annotations

import base64
import struct

from radiant.errors import ValidationError
from radiant.providers.shapes.openai import Embedding, EmbeddingList, EmbeddingParams

__all__ = ["embedding_list", "texts_of"]


def texts_of(body: EmbeddingParams, provider: str) -> list[str]:
    """The texts of an OpenAI embeddings body; raises :class:`ValidationError` for
    token arrays, which only OpenAI's tokenizer can read."""
    raw = body.get("input")
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
        return [str(item) for item in raw]
    raise ValidationError(f"{provider}: 'input' must be a string or a list of strings")


def _base64(vector: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


def embedding_list(
    model: str,
    vectors: list[list[float]] | list[list[float] | str],
    prompt_tokens: int,
    encoding_format: str | None = None,
) -> EmbeddingList:
    data: list[Embedding] = []
    for index, vector in enumerate(vectors):
        encoded = vector
        if encoding_format == "base64" and isinstance(vector, list):
            encoded = _base64([float(x) for x in vector])
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    return {
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
    }
