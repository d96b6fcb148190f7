"""The OpenAI wire's bodies, typed: what ``/v1`` takes and what it answers.

Requests (checked before a request is routed; see :func:`check_request`):

* :class:`ChatCompletionRequest` — ``messages`` (by ``role``: developer, system, user,
  assistant, tool, function), content parts (by ``type``: text, image_url, input_audio,
  file; refusal for the assistant), ``tools`` and ``tool_choice``, ``response_format``,
  ``stream_options`` and the sampling numbers in OpenAI's ranges;
* :class:`EmbeddingsRequest`, :class:`ImageGenerationRequest`, :class:`SpeechRequest`;
* :class:`TranscriptionForm` — the fields of the multipart form (they arrive as text:
  numbers and booleans are read from their spelling, the audio ``file`` is apart).

The shapes follow OpenAI's OpenAPI document (``openai/openai-openapi``): JSON types are
strict (no ``"7"`` for 7, no 1 for true), numbers are range-checked, and every field and
part the document does not name passes through (vendors' extensions such as
``cache_control`` reach the upstream untouched: the body sent on is the one received,
these models only vouch for it, and keep only the members they name).

Responses (:class:`ChatCompletion`, :class:`ChatCompletionChunk`, :class:`EmbeddingList`,
:class:`ImagesResponse`, :class:`Transcription`, :class:`ModelList`) say what the gateway
answers; they are lenient, as an upstream's answer is passed on as it came.

A body that does not fit raises :class:`InvalidRequest` (a 400), which names the
parameter as OpenAI does: ``messages[0].content``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import ErrorDetails

from radiant.errors import ValidationError

__all__ = [
    "INT64_MAX",
    "REQUESTS",
    "WHOLE",
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionRequest",
    "EmbeddingList",
    "EmbeddingsRequest",
    "ImageGenerationRequest",
    "ImagesResponse",
    "InvalidRequest",
    "ModelCard",
    "ModelList",
    "SpeechRequest",
    "Transcription",
    "TranscriptionForm",
    "check_chat",
    "check_request",
    "invalid_request",
]


class InvalidRequest(ValidationError):
    """A request body that is not the shape its endpoint takes (400); ``param`` names
    where (``messages[0].content``), None when the body as a whole is wrong."""

    status = 400
    title = "Bad request"

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


class _Wire(BaseModel):
    """A JSON object of the wire: strict JSON types; members the shape does not name are
    let through (the body itself travels on with them) but not copied into the model,
    which costs half the check."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


#: a form field's name as OpenAI's forms have them (``timestamp_granularities[]``): it
#: travels on in a part's header, where anything else is at the mercy of the upstream
_FIELD_NAME = re.compile(r"[A-Za-z0-9_.\[\]-]{1,100}")


class _Form(BaseModel):
    """Fields of a multipart form: text, read as the type each field declares; the names
    of the fields it passes through are ASCII letters, digits and ``_.[]-``."""

    model_config = ConfigDict(
        extra="allow",
        frozen=True,
        json_schema_extra={"propertyNames": {"pattern": "^" + _FIELD_NAME.pattern + "$"}},
    )

    @model_validator(mode="before")
    @classmethod
    def _names(cls, fields: Any) -> Any:
        if isinstance(fields, Mapping):
            for name in fields:
                if isinstance(name, str) and not _FIELD_NAME.fullmatch(name):
                    raise ValueError(
                        f"form field name {name!r} is not one a form carries: ASCII "
                        "letters, digits and _.[]- only"
                    )
        return fields


#: a name that is not blank
NonEmpty = Annotated[str, Field(min_length=1, pattern=r"\S")]


def _whole(value: Any) -> Any:
    """JSON has one kind of number: ``7.0`` is the integer 7, as JSON Schema reads it."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


#: JSON integers are read as 64-bit numbers (OpenAI's ``seed`` is one)
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


#: an integer is ``7`` or ``7.0`` (never ``"7"`` nor ``true``)
WHOLE = BeforeValidator(_whole)
Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX), WHOLE]
Count = Annotated[int, Field(ge=1, le=INT64_MAX), WHOLE]


def _unit(low: float, high: float) -> Any:
    return Field(ge=low, le=high)


# ------------------------------------------------------------------ content parts


class CacheBreakpoint(_Wire):
    mode: Literal["explicit"]
    ttl: str | None = None


class TextPart(_Wire):
    type: Literal["text"]
    text: str
    prompt_cache_breakpoint: CacheBreakpoint | None = None


class ImageURL(_Wire):
    #: an https URL or a ``data:`` URL (base64)
    url: str
    detail: Literal["auto", "low", "high", "original"] | None = None


class ImagePart(_Wire):
    type: Literal["image_url"]
    image_url: ImageURL
    prompt_cache_breakpoint: CacheBreakpoint | None = None


class InputAudio(_Wire):
    #: base64
    data: str
    format: Literal["wav", "mp3"]


class AudioPart(_Wire):
    type: Literal["input_audio"]
    input_audio: InputAudio
    prompt_cache_breakpoint: CacheBreakpoint | None = None


class FileData(_Wire):
    file_data: str | None = None
    file_id: str | None = None
    filename: str | None = None


class FilePart(_Wire):
    type: Literal["file"]
    file: FileData
    prompt_cache_breakpoint: CacheBreakpoint | None = None


class RefusalPart(_Wire):
    type: Literal["refusal"]
    refusal: str


UserPart = Annotated[TextPart | ImagePart | AudioPart | FilePart, Field(discriminator="type")]
AssistantPart = Annotated[TextPart | RefusalPart, Field(discriminator="type")]
TextContent = str | Annotated[list[TextPart], Field(min_length=1)]


# ------------------------------------------------------------------ messages


class FunctionCallMade(_Wire):
    name: str
    arguments: str


class FunctionToolCall(_Wire):
    id: str
    type: Literal["function"]
    function: FunctionCallMade


class CustomCallMade(_Wire):
    name: str
    input: str


class CustomToolCall(_Wire):
    id: str
    type: Literal["custom"]
    custom: CustomCallMade


ToolCall = Annotated[FunctionToolCall | CustomToolCall, Field(discriminator="type")]


class AssistantAudio(_Wire):
    id: str


class DeveloperMessage(_Wire):
    role: Literal["developer"]
    content: TextContent
    name: str | None = None


class SystemMessage(_Wire):
    role: Literal["system"]
    content: TextContent
    name: str | None = None


class UserMessage(_Wire):
    role: Literal["user"]
    content: str | Annotated[list[UserPart], Field(min_length=1)]
    name: str | None = None


class AssistantMessage(_Wire):
    role: Literal["assistant"]
    content: str | Annotated[list[AssistantPart], Field(min_length=1)] | None = None
    refusal: str | None = None
    name: str | None = None
    audio: AssistantAudio | None = None
    tool_calls: list[ToolCall] | None = None
    function_call: FunctionCallMade | None = None


class ToolMessage(_Wire):
    role: Literal["tool"]
    content: TextContent
    tool_call_id: str


class FunctionMessage(_Wire):
    role: Literal["function"]
    content: str | None
    name: str


Message = Annotated[
    DeveloperMessage
    | SystemMessage
    | UserMessage
    | AssistantMessage
    | ToolMessage
    | FunctionMessage,
    Field(discriminator="role"),
]


# ------------------------------------------------------------------ tools


class FunctionDefinition(_Wire):
    name: str
    description: str | None = None
    #: a JSON Schema object
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class FunctionTool(_Wire):
    type: Literal["function"]
    function: FunctionDefinition


class TextFormat(_Wire):
    type: Literal["text"]


class Grammar(_Wire):
    definition: str
    syntax: Literal["lark", "regex"]


class GrammarFormat(_Wire):
    type: Literal["grammar"]
    grammar: Grammar


class CustomDefinition(_Wire):
    name: str
    description: str | None = None
    format: Annotated[TextFormat | GrammarFormat, Field(discriminator="type")] | None = None


class CustomTool(_Wire):
    type: Literal["custom"]
    custom: CustomDefinition


Tool = Annotated[FunctionTool | CustomTool, Field(discriminator="type")]


class ToolName(_Wire):
    name: str


class NamedFunctionChoice(_Wire):
    type: Literal["function"]
    function: ToolName


class NamedCustomChoice(_Wire):
    type: Literal["custom"]
    custom: ToolName


class AllowedTools(_Wire):
    mode: Literal["auto", "required"]
    tools: list[dict[str, Any]]


class AllowedToolsChoice(_Wire):
    type: Literal["allowed_tools"]
    allowed_tools: AllowedTools


ToolChoice = (
    Literal["none", "auto", "required"]
    | Annotated[
        AllowedToolsChoice | NamedFunctionChoice | NamedCustomChoice,
        Field(discriminator="type"),
    ]
)


class FunctionSpec(_Wire):
    """A function of the deprecated ``functions`` list."""

    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None


# ------------------------------------------------------------------ response formats


class TextResponseFormat(_Wire):
    type: Literal["text"]


class JSONObjectFormat(_Wire):
    type: Literal["json_object"]


class JSONSchemaSpec(_Wire):
    name: str
    description: str | None = None
    #: a JSON Schema object
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    strict: bool | None = None


class JSONSchemaFormat(_Wire):
    type: Literal["json_schema"]
    json_schema: JSONSchemaSpec


ResponseFormat = Annotated[
    TextResponseFormat | JSONSchemaFormat | JSONObjectFormat, Field(discriminator="type")
]


# ------------------------------------------------------------------ the chat request


class StreamOptions(_Wire):
    include_usage: bool | None = None
    include_obfuscation: bool | None = None


class VoiceId(_Wire):
    id: str


class AudioOutput(_Wire):
    voice: str | VoiceId
    format: Literal["wav", "aac", "mp3", "flac", "opus", "pcm16"]


class Prediction(_Wire):
    type: Literal["content"]
    content: TextContent


class ChatCompletionRequest(_Wire):
    """``POST /v1/chat/completions``."""

    model: NonEmpty
    messages: Annotated[list[Message], Field(min_length=1)]
    stream: bool | None = None
    stream_options: StreamOptions | None = None
    temperature: Annotated[float, _unit(0, 2)] | None = None
    top_p: Annotated[float, _unit(0, 1)] | None = None
    n: Annotated[int, Field(ge=1, le=128), WHOLE] | None = None
    max_tokens: Count | None = None
    max_completion_tokens: Count | None = None
    frequency_penalty: Annotated[float, _unit(-2, 2)] | None = None
    presence_penalty: Annotated[float, _unit(-2, 2)] | None = None
    logit_bias: dict[str, Annotated[int, Field(ge=-100, le=100), WHOLE]] | None = None
    logprobs: bool | None = None
    top_logprobs: Annotated[int, Field(ge=0, le=20), WHOLE] | None = None
    seed: Int64 | None = None
    stop: str | Annotated[list[str], Field(min_length=1, max_length=4)] | None = None
    tools: list[Tool] | None = None
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    functions: Annotated[list[FunctionSpec], Field(min_length=1, max_length=128)] | None = None
    function_call: Literal["none", "auto"] | ToolName | None = None
    response_format: ResponseFormat | None = None
    modalities: list[Literal["text", "audio"]] | None = None
    audio: AudioOutput | None = None
    prediction: Prediction | None = None
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"] | None = (
        None
    )
    verbosity: Literal["low", "medium", "high"] | None = None
    metadata: dict[str, str] | None = None
    store: bool | None = None
    service_tier: str | None = None
    user: str | None = None
    safety_identifier: Annotated[str, Field(max_length=64)] | None = None
    prompt_cache_key: str | None = None


# ------------------------------------------------------------------ other endpoints


_INPUTS = Field(min_length=1, max_length=2048)


class EmbeddingsRequest(_Wire):
    """``POST /v1/embeddings``: text, texts, or token arrays."""

    model: NonEmpty
    input: (
        str
        | Annotated[list[str], _INPUTS]
        | Annotated[list[Int64], _INPUTS]
        | Annotated[list[Annotated[list[Int64], Field(min_length=1)]], _INPUTS]
    )
    encoding_format: Literal["float", "base64"] | None = None
    dimensions: Count | None = None
    user: str | None = None


class ImageGenerationRequest(_Wire):
    """``POST /v1/images/generations`` (answered whole: partial-image streams are not
    relayed)."""

    model: NonEmpty
    prompt: str
    n: Annotated[int, Field(ge=1, le=10), WHOLE] | None = None
    quality: Literal["standard", "hd", "low", "medium", "high", "auto"] | None = None
    response_format: Literal["url", "b64_json"] | None = None
    output_format: Literal["png", "jpeg", "webp"] | None = None
    output_compression: Annotated[int, Field(ge=0, le=100), WHOLE] | None = None
    size: str | None = None
    moderation: Literal["low", "auto"] | None = None
    background: Literal["transparent", "opaque", "auto"] | None = None
    style: Literal["vivid", "natural"] | None = None
    user: str | None = None


class SpeechRequest(_Wire):
    """``POST /v1/audio/speech``: the answer is the audio itself."""

    model: NonEmpty
    input: Annotated[str, Field(max_length=4096)]
    voice: str | VoiceId
    instructions: Annotated[str, Field(max_length=4096)] | None = None
    response_format: Literal["mp3", "opus", "aac", "flac", "wav", "pcm"] | None = None
    speed: Annotated[float, _unit(0.25, 4)] | None = None
    stream_format: Literal["sse", "audio"] | None = None


class TranscriptionForm(_Form):
    """The text fields of ``POST /v1/audio/transcriptions`` (multipart; ``file`` apart)."""

    model: NonEmpty
    language: str | None = None
    prompt: str | None = None
    response_format: (
        Literal["json", "text", "srt", "verbose_json", "vtt", "diarized_json"] | None
    ) = None
    temperature: Annotated[float, _unit(0, 1)] | None = None


# ------------------------------------------------------------------ responses


class _Answer(BaseModel):
    """An answer as the upstream sent it: the fields named here, and any others."""

    model_config = ConfigDict(extra="allow")


class Usage(_Answer):
    prompt_tokens: int
    completion_tokens: int | None = None
    total_tokens: int


class ReplyMessage(_Answer):
    role: str
    content: str | None = None
    refusal: str | None = None
    tool_calls: list[dict[str, Any]] | None = None


class Choice(_Answer):
    index: int
    message: ReplyMessage
    finish_reason: str | None = None


class ChatCompletion(_Answer):
    id: str
    object: Literal["chat.completion"]
    created: int
    #: the name the client asked for
    model: str
    choices: list[Choice]
    usage: Usage | None = None


class Delta(_Answer):
    role: str | None = None
    content: str | None = None
    tool_calls: list[dict[str, Any]] | None = None


class ChunkChoice(_Answer):
    index: int
    delta: Delta
    finish_reason: str | None = None


class ChatCompletionChunk(_Answer):
    """One ``data:`` event of a streamed chat (the stream ends with ``data: [DONE]``)."""

    id: str
    object: Literal["chat.completion.chunk"]
    created: int
    #: the name the client asked for
    model: str
    choices: list[ChunkChoice]
    usage: Usage | None = None


class Embedding(_Answer):
    index: int
    object: Literal["embedding"]
    #: floats, or a base64 string with ``encoding_format: base64``
    embedding: list[float] | str


class EmbeddingList(_Answer):
    object: Literal["list"]
    data: list[Embedding]
    #: the name the client asked for
    model: str
    usage: Usage | None = None


class Image(_Answer):
    url: str | None = None
    b64_json: str | None = None
    revised_prompt: str | None = None


class ImagesResponse(_Answer):
    created: int
    data: list[Image] | None = None


class Transcription(_Answer):
    text: str


class ModelCard(_Answer):
    id: str
    object: Literal["model"]
    created: int
    owned_by: str


class ModelList(_Answer):
    object: Literal["list"]
    data: list[ModelCard]


#: the request shape of each JSON endpoint, by path under ``/v1``
REQUESTS: dict[str, type[BaseModel]] = {
    "chat/completions": ChatCompletionRequest,
    "embeddings": EmbeddingsRequest,
    "images/generations": ImageGenerationRequest,
    "audio/speech": SpeechRequest,
    "audio/transcriptions": TranscriptionForm,
}


# ------------------------------------------------------------------ checking a body


def check_request(shape: type[BaseModel], body: Mapping[str, Any]) -> None:
    """Raise :class:`InvalidRequest` unless ``body`` is a ``shape``."""
    try:
        shape.model_validate(body)
    except PydanticValidationError as exc:
        raise invalid_request(exc, body) from None


def check_chat(body: Mapping[str, Any]) -> None:
    """Raise :class:`InvalidRequest` unless ``body`` is a chat completions request (its
    ``model`` may be missing: a wire adapter is given the upstream's own)."""
    check_request(ChatCompletionRequest, body if "model" in body else {**body, "model": "-"})


def invalid_request(exc: PydanticValidationError, body: Any) -> InvalidRequest:
    """The 400 for pydantic's errors about ``body``: the deepest error under the first
    parameter that is wrong (a union's alternatives joined), named OpenAI's way."""
    errors = exc.errors(include_url=False, include_input=False)
    top = errors[0]["loc"][:1]
    found: list[tuple[int, str, ErrorDetails]] = []
    for error in errors:
        if error["loc"][:1] != top:
            continue
        depth, param = _param(error["loc"], body, missing=error["type"] == "missing")
        found.append((depth, param, error))
    deepest = max(depth for depth, _, _ in found)
    chosen = [(param, error) for depth, param, error in found if depth == deepest]
    param = chosen[0][0]
    if len(chosen) == 1:
        param, message = _describe(param, chosen[0][1])
        return InvalidRequest(message, param or None)
    wanted = [_plain(str(e["msg"])).removeprefix("should ").removeprefix("be ") for _, e in chosen]
    text = " or ".join(dict.fromkeys(wanted))
    return InvalidRequest(f"'{param or 'the body'}' should be {text}", param or None)


def _param(loc: Sequence[int | str], body: Any, *, missing: bool = False) -> tuple[int, str]:
    """``messages[0].content`` for pydantic's ``('messages', 0, 'user', 'content')``: the
    location walked through the body itself, so that a union's own labels (a role, a
    part type, a member's type) drop out."""
    node = body
    parts: list[str] = []
    depth = 0
    for index, step in enumerate(loc):
        if isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
            parts.append(f"[{step}]")
            node = node[step]
        elif isinstance(node, Mapping) and step in node:
            parts.append(f".{step}")
            node = node[step]
        elif missing and isinstance(node, Mapping) and index == len(loc) - 1:
            parts.append(f".{step}")
            node = None
        else:
            continue
        depth += 1
    return depth, "".join(parts).lstrip(".")


#: pydantic's wording -> ours ("'messages' should have at least 1 item")
_WORDING = (
    ("Input should be ", "should be "),
    ("List should have ", "should have "),
    ("String should have ", "should have "),
    ("Dictionary should have ", "should have "),
    ("String should match ", "should match "),
    (" after validation", ""),
    ("a valid dictionary or object to extract fields from", "an object"),
    ("a valid dictionary", "an object"),
)


def _plain(message: str) -> str:
    for theirs, ours in _WORDING:
        message = message.replace(theirs, ours)
    return message


def _describe(param: str, error: ErrorDetails) -> tuple[str, str]:
    kind = error["type"]
    where = param or "the body"
    if kind == "missing":
        return param, f"'{param}' is required"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        context = error.get("ctx") or {}
        field = str(context.get("discriminator", "")).strip("'")
        named = f"{param}.{field}" if param else field
        if kind == "union_tag_not_found":
            return named, f"'{named}' is required"
        expected = context.get("expected_tags", "")
        return named, f"'{named}' must be one of {expected}, not {context.get('tag')!r}"
    message = _plain(str(error["msg"]))
    if message.startswith("should "):
        return param, f"'{where}' {message}"
    return param, f"'{where}': {message}"
