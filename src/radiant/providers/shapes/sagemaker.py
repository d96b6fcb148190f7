"""The bodies the containers behind SageMaker endpoints take and answer, by family (see
:mod:`radiant.providers.sagemaker_formats`): Hugging Face TGI / LMI text generation
(``/generate``'s shape, also streamed as ``data:`` lines), the Hugging Face inference
toolkit's ``{"inputs", "parameters"}`` for embeddings, speech, images and 3D meshes.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

from radiant.providers.shapes.openai import Whole

__all__ = [
    "InputsRequest",
    "TGIDetails",
    "TGIGenerated",
    "TGIParameters",
    "TGIRequest",
    "TGIStreamEvent",
    "TGIToken",
]


class TGIParameters(TypedDict, total=False):
    max_new_tokens: int
    temperature: float
    top_p: float
    seed: int
    stop: list[str]
    do_sample: bool
    repetition_penalty: float
    #: ask for ``details`` (finish reason, generated token count, prompt tokens)
    details: bool
    decoder_input_details: bool
    return_full_text: bool


class TGIRequest(TypedDict):
    inputs: str
    parameters: TGIParameters
    stream: NotRequired[bool]


class TGIToken(TypedDict):
    id: NotRequired[int]
    text: str
    logprob: NotRequired[float | None]
    special: NotRequired[bool]


class TGIDetails(TypedDict, total=False):
    #: ``length``, ``eos_token`` or ``stop_sequence``
    finish_reason: str
    generated_tokens: int
    #: the prompt's tokens (with ``decoder_input_details``)
    prefill: list[TGIToken]
    tokens: list[TGIToken]


class TGIGenerated(TypedDict):
    """One element of the answer (a list of them; LMI sends one object)."""

    generated_text: str
    details: NotRequired[TGIDetails | None]


class TGIStreamEvent(TypedDict):
    """One ``data:`` line of a streamed generation; the last has ``generated_text``."""

    token: TGIToken
    generated_text: NotRequired[str | None]
    details: NotRequired[TGIDetails | None]


class InputsRequest(TypedDict):
    """The Hugging Face inference toolkit's request: ``inputs`` (a text, texts, a
    prompt) and the pipeline's ``parameters``."""

    inputs: str | list[str] | list[Whole] | list[list[Whole]]
    parameters: NotRequired[dict[str, object]]
