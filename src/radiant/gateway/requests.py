"""What a ``/v1`` request asks for, read from its body without a full schema.

Only what the gateway decides on is checked (the provider checks the rest):

* ``model`` — a model id, any alias, or ``auto``; ``models`` — a list of names tried in
  order (OpenRouter's fallback list; ``model``, when given too, goes first);
* ``auto`` takes selection criteria from ``selection`` (the fields of
  :class:`~radiant.selection.SelectionCriteria` but ``task``, which the endpoint gives);
* ``stream`` (chat only) and ``stream_options``.

``models`` and ``selection`` are Radiant's: they are removed from the body sent upstream.
Bad input raises :class:`~radiant.gateway.errors.BadRequestError` (400).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from radiant.domain import Task
from radiant.gateway.errors import BadRequestError
from radiant.gateway.jsonx import loads
from radiant.selection.criteria import SelectionCriteria

__all__ = ["AUTO", "Ask", "Endpoint", "parse_json", "read_ask"]

AUTO = "auto"
#: more names than this in ``models`` is a mistake, not a fallback list
MAX_MODELS = 8
_OURS = ("models", "selection", "route")


class Endpoint(StrEnum):
    CHAT = "chat"
    EMBEDDINGS = "embeddings"
    IMAGES = "images"
    SPEECH = "speech"
    TRANSCRIPTION = "transcriptions"

    @property
    def tasks(self) -> tuple[Task, ...]:
        """The model tasks this endpoint serves (the first one is what ``auto`` selects)."""
        return _TASKS[self]

    @property
    def path(self) -> str:
        return _PATHS[self]


_TASKS: dict[Endpoint, tuple[Task, ...]] = {
    Endpoint.CHAT: (Task.CHAT, Task.COMPLETION, Task.INFERENCE, Task.SEARCH),
    Endpoint.EMBEDDINGS: (Task.EMBEDDING,),
    Endpoint.IMAGES: (Task.IMAGE,),
    Endpoint.SPEECH: (Task.AUDIO,),
    Endpoint.TRANSCRIPTION: (Task.TRANSCRIPTION,),
}
_PATHS = {
    Endpoint.CHAT: "/v1/chat/completions",
    Endpoint.EMBEDDINGS: "/v1/embeddings",
    Endpoint.IMAGES: "/v1/images/generations",
    Endpoint.SPEECH: "/v1/audio/speech",
    Endpoint.TRANSCRIPTION: "/v1/audio/transcriptions",
}


@dataclass(frozen=True, slots=True)
class Ask:
    endpoint: Endpoint
    #: the names asked for, in the order to try them (``auto`` possible)
    models: tuple[str, ...]
    #: the body sent upstream (Radiant's own fields removed; ``model`` is set per route)
    body: dict[str, Any]
    stream: bool = False
    #: for ``auto``: the criteria, task included
    criteria: SelectionCriteria | None = None
    #: tokens the request is expected to use (prompt estimate + output cap): rate limits
    estimated_tokens: int = 0
    #: the client asked for the usage chunk of a stream
    wants_stream_usage: bool = False


def parse_json(raw: bytes) -> dict[str, Any]:
    if not raw:
        raise BadRequestError("the request has no body; a JSON object is expected")
    try:
        body = loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequestError(f"the body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise BadRequestError("the body must be a JSON object")
    return body


def _names(body: dict[str, Any]) -> tuple[str, ...]:
    model = body.get("model")
    listed = body.get("models")
    names: list[str] = []
    if model is not None:
        if not isinstance(model, str) or not model.strip():
            raise BadRequestError("'model' must be a non-empty string", param="model")
        names.append(model.strip())
    if listed is not None:
        if not isinstance(listed, list) or not all(isinstance(m, str) and m for m in listed):
            raise BadRequestError("'models' must be a list of model names", param="models")
        names.extend(m.strip() for m in listed if m.strip() not in names)
    if not names:
        raise BadRequestError("'model' is required (a model id, an alias or 'auto')")
    if len(names) > MAX_MODELS:
        raise BadRequestError(f"at most {MAX_MODELS} models may be listed", param="models")
    return tuple(dict.fromkeys(names))


def _criteria(body: dict[str, Any], endpoint: Endpoint, tokens: int) -> SelectionCriteria:
    raw = body.get("selection")
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise BadRequestError(
            "'selection' must be an object of selection criteria", param="selection"
        )
    values = {"estimated_input_tokens": tokens, **raw, "task": endpoint.tasks[0]}
    try:
        return SelectionCriteria.model_validate(values)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise BadRequestError(
            f"selection.{where}: {first.get('msg')}", param=f"selection.{where}"
        ) from None


def _output_cap(body: dict[str, Any]) -> int:
    for key in ("max_completion_tokens", "max_tokens"):
        value = body.get(key)
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise BadRequestError(f"'{key}' must be a whole number >= 0", param=key)
            return value
    return 0


def read_ask(endpoint: Endpoint, body: dict[str, Any], size: int) -> Ask:
    """What ``body`` (``size`` bytes of JSON) asks ``endpoint`` for."""
    names = _names(body)
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise BadRequestError("'stream' must be true or false", param="stream")
    if stream and endpoint is not Endpoint.CHAT:
        raise BadRequestError(f"{endpoint.path} does not stream", param="stream")
    prompt = size // 4  # about four bytes of JSON per token
    criteria = _criteria(body, endpoint, prompt) if AUTO in names else None
    wants_usage = False
    if stream:
        options = body.get("stream_options")
        if options is not None and not isinstance(options, dict):
            raise BadRequestError("'stream_options' must be an object", param="stream_options")
        wants_usage = bool(options and options.get("include_usage"))
    upstream = {k: v for k, v in body.items() if k not in _OURS}
    return Ask(
        endpoint,
        names,
        upstream,
        stream,
        criteria,
        prompt + _output_cap(body),
        wants_usage,
    )
