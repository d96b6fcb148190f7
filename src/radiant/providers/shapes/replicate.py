"""The Replicate predictions wire, typed: ``POST {base}/v1/models/{owner}/{name}/predictions``
with ``{"input": {...}}`` and ``Prefer: wait`` (the answer waits up to 60 s for the
model); ``GET {base}/v1/predictions/{id}`` polls one that was not done.

Field names follow Replicate's HTTP API reference (replicate.com/docs/reference/http).
"""

from __future__ import annotations

from typing import Literal, TypeAlias, TypedDict

__all__ = ["FluxInput", "Prediction", "PredictionRequest", "PredictionStatus"]

PredictionStatus: TypeAlias = Literal["starting", "processing", "succeeded", "failed", "canceled"]


class FluxInput(TypedDict, total=False):
    """What the FLUX models take (each reads the fields it knows)."""

    prompt: str
    aspect_ratio: str
    #: flux-schnell and flux-dev
    num_outputs: int
    output_format: str
    seed: int


class PredictionRequest(TypedDict):
    input: FluxInput


class Prediction(TypedDict, total=False):
    id: str
    model: str
    status: PredictionStatus
    #: one URL (flux-1.1-pro) or a list of them (flux-schnell)
    output: str | list[str] | None
    error: str | None
    urls: dict[str, str]
