"""What a ``/v1`` request asks for, read from its body once the body is known to be good.

Every body is first checked against the OpenAI shape of its endpoint
(:mod:`radiant.providers.openai_wire`): a body that does not fit is a 400 naming the
parameter, before any route, breaker or health monitor hears of it. Then:

* ``model`` — a model id, any alias, or ``auto``; ``models`` — a list of names tried in
  order (OpenRouter's fallback list; ``model``, when given too, goes first);
* ``auto`` takes selection criteria from ``selection`` (the fields of
  :class:`~radiant.selection.SelectionCriteria` but ``task``, which the endpoint gives);
  ``selection`` is checked whenever it is sent;
* ``stream`` (chat only) and ``stream_options``.

``models`` and ``selection`` are Radiant's: they are removed from the body sent upstream.
Bad input raises :class:`~radiant.gateway.errors.BadRequestError` or
:class:`~radiant.providers.openai_wire.InvalidRequest` (both 400).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, TypeAlias, cast

from pydantic import BaseModel, Field, StrictFloat, StrictInt
from pydantic import ValidationError as PydanticValidationError

from radiant.domain import Task
from radiant.domain.tenant import KeyScope
from radiant.gateway.errors import BadRequestError
from radiant.gateway.jsonx import loads
from radiant.providers.openai_wire import (
    INT64_MAX,
    ChatCompletionRequest,
    EmbeddingsRequest,
    ImageGenerationRequest,
    SpeechRequest,
    TranscriptionForm,
    check_request,
)
from radiant.providers.radiant_wire import (
    InferenceRequest,
    Model3DRequest,
    RerankRequest,
    SearchRequest,
    VideoRequest,
)
from radiant.providers.shapes import JSONObject
from radiant.providers.shapes.openai import (
    ChatParams,
    EmbeddingParams,
    ImageParams,
    SpeechParams,
    TranscriptionFields,
    VideoParams,
)
from radiant.providers.shapes.radiant import (
    InferenceParams,
    Model3DParams,
    RerankParams,
    SearchParams,
)
from radiant.selection.criteria import SelectionCriteria

__all__ = [
    "AUTO",
    "SHAPES",
    "Ask",
    "ChatBody",
    "EmbeddingsBody",
    "Endpoint",
    "ImagesBody",
    "InferenceBody",
    "JOB_ENDPOINTS",
    "Model3DBody",
    "RerankBody",
    "SearchBody",
    "VideosBody",
    "RequestBody",
    "Selection",
    "SpeechBody",
    "parse_json",
    "read_ask",
]

AUTO = "auto"
#: more names than this in ``models`` is a mistake, not a fallback list
MAX_MODELS = 8
_OURS = ("models", "selection", "route")


# ------------------------------------------------------------------ Radiant's fields


_Price = Annotated[StrictFloat, Field(ge=0)] | Annotated[str, Field(pattern=r"^[0-9]+(\.[0-9]+)?$")]


class Selection(SelectionCriteria):
    """``selection``: the criteria of ``auto`` (``task`` comes from the endpoint), as JSON
    states them (integers within 64 bits, prices as numbers or decimal strings)."""

    task: Task | None = None  # type: ignore[assignment]  # ignored: the endpoint's task
    min_context_window: Annotated[StrictInt, Field(ge=0, le=INT64_MAX)] | None = None
    max_latency_ms: Annotated[StrictInt, Field(ge=0, le=INT64_MAX)] | None = None
    # (whole floats such as 5.0 reach these fields as integers: see _whole_numbers)
    #: USD; a number, or a decimal string (``"0.002"``): the JSON SelectionCriteria reads
    max_price_per_request: _Price | None = None  # type: ignore[assignment]


NonEmpty = Annotated[str, Field(min_length=1, pattern=r"\S")]


class _RadiantFields(BaseModel):
    #: more names to try, in order, after ``model`` (OpenRouter's fallback list)
    models: Annotated[list[NonEmpty], Field(max_length=MAX_MODELS - 1)] | None = None
    selection: Selection | None = None


class ChatBody(ChatCompletionRequest, _RadiantFields):
    """``POST /v1/chat/completions``: OpenAI's body and Radiant's ``models``/``selection``."""


class EmbeddingsBody(EmbeddingsRequest, _RadiantFields):
    """``POST /v1/embeddings``: OpenAI's body and Radiant's ``models``/``selection``."""


class ImagesBody(ImageGenerationRequest, _RadiantFields):
    """``POST /v1/images/generations``: OpenAI's body and Radiant's ``models``/``selection``."""


class SpeechBody(SpeechRequest, _RadiantFields):
    """``POST /v1/audio/speech``: OpenAI's body and Radiant's ``models``/``selection``."""


class RerankBody(RerankRequest, _RadiantFields):
    """``POST /v1/rerank``: Cohere's body and Radiant's ``models``/``selection``."""


class SearchBody(SearchRequest, _RadiantFields):
    """``POST /v1/search``: a query and Radiant's ``models``/``selection``."""


class VideosBody(VideoRequest, _RadiantFields):
    """``POST /v1/videos``: OpenAI's body and Radiant's ``models``/``selection``."""


class Model3DBody(Model3DRequest, _RadiantFields):
    """``POST /v1/3d``: a prompt or image and Radiant's ``models``/``selection``."""


class InferenceBody(InferenceRequest, _RadiantFields):
    """``POST /v1/inference``: the container's JSON and Radiant's ``models``/``selection``."""


class Endpoint(StrEnum):
    CHAT = "chat"
    EMBEDDINGS = "embeddings"
    IMAGES = "images"
    SPEECH = "speech"
    TRANSCRIPTION = "transcriptions"
    RERANK = "rerank"
    SEARCH = "search"
    VIDEOS = "videos"
    MODELS_3D = "3d"
    INFERENCE = "inference"

    @property
    def tasks(self) -> tuple[Task, ...]:
        """The model tasks this endpoint serves (the first one is what ``auto`` selects)."""
        return _TASKS[self]

    @property
    def path(self) -> str:
        return _PATHS[self]

    @property
    def scope(self) -> KeyScope:
        """The API-key scope a call of this endpoint needs."""
        return _SCOPES[self]

    @property
    def shape(self) -> type[BaseModel]:
        """The OpenAI shape of the body (for a transcription: of its form fields)."""
        return _SHAPES[self]


_TASKS: dict[Endpoint, tuple[Task, ...]] = {
    Endpoint.CHAT: (Task.CHAT, Task.COMPLETION, Task.INFERENCE, Task.SEARCH),
    Endpoint.EMBEDDINGS: (Task.EMBEDDING,),
    Endpoint.IMAGES: (Task.IMAGE,),
    Endpoint.SPEECH: (Task.AUDIO,),
    Endpoint.TRANSCRIPTION: (Task.TRANSCRIPTION,),
    Endpoint.RERANK: (Task.RERANK,),
    Endpoint.SEARCH: (Task.SEARCH,),
    Endpoint.VIDEOS: (Task.VIDEO,),
    Endpoint.MODELS_3D: (Task.THREE_D,),
    Endpoint.INFERENCE: (Task.INFERENCE,),
}
_SCOPES = {
    Endpoint.CHAT: KeyScope.CHAT,
    Endpoint.EMBEDDINGS: KeyScope.EMBEDDINGS,
    Endpoint.IMAGES: KeyScope.IMAGES,
    Endpoint.SPEECH: KeyScope.AUDIO,
    Endpoint.TRANSCRIPTION: KeyScope.AUDIO,
    Endpoint.RERANK: KeyScope.RERANK,
    Endpoint.SEARCH: KeyScope.SEARCH,
    Endpoint.VIDEOS: KeyScope.VIDEO,
    Endpoint.MODELS_3D: KeyScope.THREE_D,
    Endpoint.INFERENCE: KeyScope.INFERENCE,
}
_SHAPES: dict[Endpoint, type[BaseModel]] = {
    Endpoint.CHAT: ChatBody,
    Endpoint.EMBEDDINGS: EmbeddingsBody,
    Endpoint.IMAGES: ImagesBody,
    Endpoint.SPEECH: SpeechBody,
    Endpoint.TRANSCRIPTION: TranscriptionForm,
    Endpoint.RERANK: RerankBody,
    Endpoint.SEARCH: SearchBody,
    Endpoint.VIDEOS: VideosBody,
    Endpoint.MODELS_3D: Model3DBody,
    Endpoint.INFERENCE: InferenceBody,
}
#: the body each endpoint takes (for a transcription: its form's text fields)
SHAPES = _SHAPES
_PATHS = {
    Endpoint.CHAT: "/v1/chat/completions",
    Endpoint.EMBEDDINGS: "/v1/embeddings",
    Endpoint.IMAGES: "/v1/images/generations",
    Endpoint.SPEECH: "/v1/audio/speech",
    Endpoint.TRANSCRIPTION: "/v1/audio/transcriptions",
    Endpoint.RERANK: "/v1/rerank",
    Endpoint.SEARCH: "/v1/search",
    Endpoint.VIDEOS: "/v1/videos",
    Endpoint.MODELS_3D: "/v1/3d",
    Endpoint.INFERENCE: "/v1/inference",
}
#: the endpoints that start a job: a ``GET <path>/{id}`` reads it back
JOB_ENDPOINTS = (Endpoint.VIDEOS, Endpoint.MODELS_3D)


#: a body once :func:`read_ask` checked it against its endpoint's shape (Radiant's own
#: fields removed): which of these it is, the endpoint says
RequestBody: TypeAlias = (
    ChatParams
    | EmbeddingParams
    | ImageParams
    | SpeechParams
    | TranscriptionFields
    | RerankParams
    | SearchParams
    | VideoParams
    | Model3DParams
    | InferenceParams
)


@dataclass(frozen=True, slots=True)
class Ask:
    endpoint: Endpoint
    #: the names asked for, in the order to try them (``auto`` possible)
    models: tuple[str, ...]
    #: the body sent upstream (``model`` is set per route); None until it is checked.
    #: :attr:`chat` ... :attr:`transcription` give it as its endpoint's shape
    body: RequestBody | None = None
    stream: bool = False
    #: for ``auto``: the criteria, task included
    criteria: SelectionCriteria | None = None
    #: tokens the request is expected to use (prompt estimate + output cap): rate limits
    estimated_tokens: int = 0
    #: the client asked for the usage chunk of a stream
    wants_stream_usage: bool = False

    @property
    def checked(self) -> RequestBody:
        """The body (once :func:`read_ask` has checked it)."""
        assert self.body is not None, "the body is not read yet"
        return self.body

    def _checked(self, endpoint: Endpoint) -> RequestBody:
        assert self.endpoint is endpoint, f"not a {endpoint.value} ask"
        return self.checked

    # read_ask checked the body against its endpoint's shape: each view below is a cast

    @property
    def chat(self) -> ChatParams:
        return cast("ChatParams", self._checked(Endpoint.CHAT))

    @property
    def embeddings(self) -> EmbeddingParams:
        return cast("EmbeddingParams", self._checked(Endpoint.EMBEDDINGS))

    @property
    def images(self) -> ImageParams:
        return cast("ImageParams", self._checked(Endpoint.IMAGES))

    @property
    def speech(self) -> SpeechParams:
        return cast("SpeechParams", self._checked(Endpoint.SPEECH))

    @property
    def transcription(self) -> TranscriptionFields:
        """The form's text fields (``model`` too)."""
        return cast("TranscriptionFields", self._checked(Endpoint.TRANSCRIPTION))


def parse_json(raw: bytes) -> JSONObject:
    """The JSON object of a body, as it came (:func:`read_ask` checks it)."""
    if not raw:
        raise BadRequestError("the request has no body; a JSON object is expected")
    try:
        body = loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequestError(f"the body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise BadRequestError("the body must be a JSON object")
    return body


def _names(body: Mapping[str, object]) -> tuple[str, ...]:
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


def _criteria(raw: object, endpoint: Endpoint, tokens: int) -> SelectionCriteria:
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


def _output_cap(body: Mapping[str, object]) -> int:
    """The output tokens asked for at most (the body is checked: a whole number >= 1,
    which JSON may spell ``100.0``)."""
    for key in ("max_completion_tokens", "max_tokens"):
        value = body.get(key)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
    return 0


#: tokens counted for an image of a chat, whatever its size: the most OpenAI counts for
#: one high-detail image (8 tiles of 512 px at 170 tokens, plus 85). The estimate only
#: admits the request under the rate limits; the usage reported corrects it.
IMAGE_TOKENS = 1445


def _prompt_tokens(endpoint: Endpoint, body: RequestBody, size: int) -> int:
    """Tokens a prompt of ``size`` bytes of JSON is expected to take: about four bytes a
    token, but an image of a chat counts :data:`IMAGE_TOKENS` however large its data."""
    if endpoint is not Endpoint.CHAT:
        return size // 4
    inline = images = 0
    for message in cast("ChatParams", body)["messages"]:
        content = message.get("content")
        if isinstance(content, list):
            for part in content:
                if part["type"] == "image_url":
                    images += 1
                    inline += len(part["image_url"]["url"])
    return max(0, size - inline) // 4 + images * IMAGE_TOKENS


def _stream(endpoint: Endpoint, body: Mapping[str, object]) -> bool:
    value = body.get("stream")
    if endpoint is Endpoint.TRANSCRIPTION:  # a form field: text
        value = None if value is None else str(value).strip().lower() in ("true", "1")
    elif value is not None and not isinstance(value, bool):
        raise BadRequestError("'stream' must be true or false", param="stream")
    if value and endpoint is not Endpoint.CHAT:
        raise BadRequestError(f"{endpoint.path} does not stream", param="stream")
    return bool(value)


def _whole_numbers(selection: object) -> object:
    """``selection`` with whole floats (``5.0``) as integers: JSON Schema's integers."""
    if not isinstance(selection, dict):
        return selection
    return {
        k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in selection.items()
    }


def read_ask(endpoint: Endpoint, body: Mapping[str, object], size: int) -> Ask:
    """What ``body`` (``size`` bytes of JSON; a transcription: its form fields) asks
    ``endpoint`` for; 400 unless it is the OpenAI shape of the endpoint."""
    names = _names(body)
    stream = _stream(endpoint, body)
    selection = _whole_numbers(body.get("selection"))
    shaped = body
    if body.get("model") is None or selection is not body.get("selection"):
        shaped = {**body, "model": names[0], "selection": selection}
    check_request(endpoint.shape, shaped)
    # checked: from here on it is the endpoint's shape
    upstream = cast("RequestBody", {k: v for k, v in body.items() if k not in _OURS})
    prompt = _prompt_tokens(endpoint, upstream, size)
    criteria = None
    if selection is not None or AUTO in names:
        criteria = _criteria(selection, endpoint, prompt)
    wants_usage = False
    if stream:  # a chat's
        options = cast("ChatParams", upstream).get("stream_options")
        wants_usage = bool(options and options.get("include_usage"))
    return Ask(
        endpoint,
        names,
        upstream,
        stream,
        criteria if AUTO in names else None,
        prompt + _output_cap(body),
        wants_usage,
    )
