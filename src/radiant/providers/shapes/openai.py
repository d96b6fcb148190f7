"""The OpenAI wire, typed: the bodies ``/v1`` takes and the answers every adapter gives.

Requests (``...Params``, as OpenAI's own SDK names them) are what a body is once
:mod:`radiant.providers.openai_wire` has checked it: the members named here have the
types given (numbers OpenAI takes as integers may be spelled as whole floats, ``7.0``:
:data:`Whole`); members it does not name travel on untouched and are not typed
(a vendor's extension such as ``cache_control`` is typed where a translator reads it).

Answers (:class:`ChatCompletion`, :class:`ChatCompletionChunk`, :class:`EmbeddingList`,
:class:`ImagesResponse`, :class:`Transcription`, :class:`Video`) are what the adapters
build, or what an OpenAI-compatible upstream sent once the adapter checked what it relies
on: the gateway reads its usage defensively all the same.

Field names follow OpenAI's API reference (``openai/openai-openapi``); ``reasoning_content``
(reasoning text, as DeepSeek and vLLM send it) and ``prompt_tokens_details.
cache_creation_tokens`` (Anthropic's cache writes) are the extensions Radiant answers with.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NotRequired, Required, TypeAlias

from typing_extensions import TypedDict

from radiant.providers.shapes import JSONObject

__all__ = [
    "AllowedTools",
    "AllowedToolsChoice",
    "AssistantAudio",
    "AssistantMessageParam",
    "AudioOutput",
    "AudioPartParam",
    "CacheBreakpoint",
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatParams",
    "ChoiceDelta",
    "CompletionChoice",
    "CompletionMessage",
    "CompletionTokensDetails",
    "CompletionUsage",
    "ContentPartParam",
    "CustomCall",
    "CustomDefinition",
    "CustomToolCall",
    "CustomToolParam",
    "DeveloperMessageParam",
    "DurationUsage",
    "Embedding",
    "EmbeddingList",
    "EmbeddingParams",
    "EmbeddingUsage",
    "FileData",
    "FilePartParam",
    "FinishReason",
    "FunctionCall",
    "FunctionCallDelta",
    "FunctionDefinition",
    "FunctionMessageParam",
    "FunctionSpec",
    "FunctionToolCall",
    "FunctionToolParam",
    "Grammar",
    "GrammarFormat",
    "ImageData",
    "ImageParams",
    "ImagePartParam",
    "ImageURL",
    "ImagesResponse",
    "InputAudio",
    "JSONObjectFormat",
    "JSONSchemaFormat",
    "JSONSchemaSpec",
    "MessageContent",
    "MessageParam",
    "NamedCustomChoice",
    "NamedFunctionChoice",
    "Prediction",
    "PromptTokensDetails",
    "ReasoningEffort",
    "RefusalPartParam",
    "ResponseFormatParam",
    "SpeechParams",
    "StreamChoice",
    "StreamOptions",
    "SystemMessageParam",
    "TextFormat",
    "TextPartParam",
    "TextResponseFormat",
    "ToolCallDelta",
    "ToolCallParam",
    "ToolChoiceParam",
    "ToolMessageParam",
    "ToolName",
    "ToolParam",
    "Transcription",
    "TranscriptionFields",
    "UserMessageParam",
    "UserPartParam",
    "Video",
    "VideoError",
    "VideoParams",
    "VideoReference",
    "VoiceId",
    "Whole",
]

#: an integer, which JSON may spell ``7.0`` (the request check reads it as 7; the body
#: keeps it as sent): readers convert with ``int()``
Whole: TypeAlias = int | float

FinishReason: TypeAlias = Literal["stop", "length", "tool_calls", "content_filter", "function_call"]


# ------------------------------------------------------------------ content parts


class CacheBreakpoint(TypedDict):
    mode: Literal["explicit"]
    ttl: NotRequired[str | None]


class TextPartParam(TypedDict):
    type: Literal["text"]
    text: str
    prompt_cache_breakpoint: NotRequired[CacheBreakpoint | None]
    #: Anthropic's prompt-caching mark, passed on unread to the Anthropic wire
    cache_control: NotRequired[JSONObject]


class ImageURL(TypedDict):
    #: an https URL or a ``data:`` URL (base64)
    url: str
    detail: NotRequired[Literal["auto", "low", "high", "original"] | None]


class ImagePartParam(TypedDict):
    type: Literal["image_url"]
    image_url: ImageURL
    prompt_cache_breakpoint: NotRequired[CacheBreakpoint | None]
    cache_control: NotRequired[JSONObject]


class InputAudio(TypedDict):
    #: base64
    data: str
    format: Literal["wav", "mp3"]


class AudioPartParam(TypedDict):
    type: Literal["input_audio"]
    input_audio: InputAudio
    prompt_cache_breakpoint: NotRequired[CacheBreakpoint | None]


class FileData(TypedDict, total=False):
    file_data: str | None
    file_id: str | None
    filename: str | None


class FilePartParam(TypedDict):
    type: Literal["file"]
    file: FileData
    prompt_cache_breakpoint: NotRequired[CacheBreakpoint | None]


class RefusalPartParam(TypedDict):
    type: Literal["refusal"]
    refusal: str


ContentPartParam: TypeAlias = (
    TextPartParam | ImagePartParam | AudioPartParam | FilePartParam | RefusalPartParam
)
UserPartParam: TypeAlias = TextPartParam | ImagePartParam | AudioPartParam | FilePartParam
#: a message's ``content``: a string or a list of parts
MessageContent: TypeAlias = str | Sequence[ContentPartParam]


# ------------------------------------------------------------------ messages


class FunctionCall(TypedDict):
    name: str
    #: the arguments as a JSON string
    arguments: str


class FunctionToolCall(TypedDict):
    id: str
    type: Literal["function"]
    function: FunctionCall


class CustomCall(TypedDict):
    name: str
    input: str


class CustomToolCall(TypedDict):
    id: str
    type: Literal["custom"]
    custom: CustomCall


ToolCallParam: TypeAlias = FunctionToolCall | CustomToolCall


class SystemMessageParam(TypedDict):
    role: Literal["system"]
    content: str | list[TextPartParam]
    name: NotRequired[str | None]


class DeveloperMessageParam(TypedDict):
    role: Literal["developer"]
    content: str | list[TextPartParam]
    name: NotRequired[str | None]


class UserMessageParam(TypedDict):
    role: Literal["user"]
    content: str | list[UserPartParam]
    name: NotRequired[str | None]


class AssistantAudio(TypedDict):
    id: str


class AssistantMessageParam(TypedDict):
    role: Literal["assistant"]
    content: NotRequired[str | list[TextPartParam | RefusalPartParam] | None]
    refusal: NotRequired[str | None]
    name: NotRequired[str | None]
    audio: NotRequired[AssistantAudio | None]
    tool_calls: NotRequired[list[ToolCallParam] | None]
    function_call: NotRequired[FunctionCall | None]
    #: a reasoning model's thinking as an earlier answer gave it (not checked: not OpenAI's)
    reasoning_content: NotRequired[object]


class ToolMessageParam(TypedDict):
    role: Literal["tool"]
    content: str | list[TextPartParam]
    tool_call_id: str
    #: the function's name (not checked: not OpenAI's, though some clients send it)
    name: NotRequired[object]


class FunctionMessageParam(TypedDict):
    role: Literal["function"]
    content: str | None
    name: str


MessageParam: TypeAlias = (
    SystemMessageParam
    | DeveloperMessageParam
    | UserMessageParam
    | AssistantMessageParam
    | ToolMessageParam
    | FunctionMessageParam
)


# ------------------------------------------------------------------ tools


class FunctionDefinition(TypedDict):
    name: str
    description: NotRequired[str | None]
    #: a JSON Schema object, passed on unread
    parameters: NotRequired[JSONObject | None]
    strict: NotRequired[bool | None]


class FunctionToolParam(TypedDict):
    type: Literal["function"]
    function: FunctionDefinition


class TextFormat(TypedDict):
    type: Literal["text"]


class Grammar(TypedDict):
    definition: str
    syntax: Literal["lark", "regex"]


class GrammarFormat(TypedDict):
    type: Literal["grammar"]
    grammar: Grammar


class CustomDefinition(TypedDict):
    name: str
    description: NotRequired[str | None]
    format: NotRequired[TextFormat | GrammarFormat | None]


class CustomToolParam(TypedDict):
    type: Literal["custom"]
    custom: CustomDefinition


ToolParam: TypeAlias = FunctionToolParam | CustomToolParam


class ToolName(TypedDict):
    name: str


class NamedFunctionChoice(TypedDict):
    type: Literal["function"]
    function: ToolName


class NamedCustomChoice(TypedDict):
    type: Literal["custom"]
    custom: ToolName


class AllowedTools(TypedDict):
    mode: Literal["auto", "required"]
    tools: list[JSONObject]


class AllowedToolsChoice(TypedDict):
    type: Literal["allowed_tools"]
    allowed_tools: AllowedTools


ToolChoiceParam: TypeAlias = (
    Literal["none", "auto", "required"]
    | NamedFunctionChoice
    | NamedCustomChoice
    | AllowedToolsChoice
)


class FunctionSpec(TypedDict):
    """A function of the deprecated ``functions`` list."""

    name: str
    description: NotRequired[str | None]
    parameters: NotRequired[JSONObject | None]


# ------------------------------------------------------------------ response formats


class TextResponseFormat(TypedDict):
    type: Literal["text"]


class JSONObjectFormat(TypedDict):
    type: Literal["json_object"]


class JSONSchemaSpec(TypedDict):
    name: str
    description: NotRequired[str | None]
    #: a JSON Schema object, passed on unread
    schema: NotRequired[JSONObject | None]
    strict: NotRequired[bool | None]


class JSONSchemaFormat(TypedDict):
    type: Literal["json_schema"]
    json_schema: JSONSchemaSpec


ResponseFormatParam: TypeAlias = TextResponseFormat | JSONObjectFormat | JSONSchemaFormat


# ------------------------------------------------------------------ the chat request


class StreamOptions(TypedDict, total=False):
    include_usage: bool | None
    include_obfuscation: bool | None


class VoiceId(TypedDict):
    id: str


class AudioOutput(TypedDict):
    voice: str | VoiceId
    format: Literal["wav", "aac", "mp3", "flac", "opus", "pcm16"]


class Prediction(TypedDict):
    type: Literal["content"]
    content: str | list[TextPartParam]


ReasoningEffort: TypeAlias = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]


class ChatParams(TypedDict, total=False):
    """``POST /v1/chat/completions``; ``model`` may be missing when an adapter is called
    directly (it sends its route's own)."""

    model: str
    messages: Required[list[MessageParam]]
    stream: bool | None
    stream_options: StreamOptions | None
    temperature: float | None
    top_p: float | None
    n: Whole | None
    max_tokens: Whole | None
    max_completion_tokens: Whole | None
    frequency_penalty: float | None
    presence_penalty: float | None
    logit_bias: dict[str, Whole] | None
    logprobs: bool | None
    top_logprobs: Whole | None
    seed: Whole | None
    stop: str | list[str] | None
    tools: list[ToolParam] | None
    tool_choice: ToolChoiceParam | None
    parallel_tool_calls: bool | None
    functions: list[FunctionSpec] | None
    function_call: Literal["none", "auto"] | ToolName | None
    response_format: ResponseFormatParam | None
    modalities: list[Literal["text", "audio"]] | None
    audio: AudioOutput | None
    prediction: Prediction | None
    reasoning_effort: ReasoningEffort | None
    verbosity: Literal["low", "medium", "high"] | None
    metadata: dict[str, str] | None
    store: bool | None
    service_tier: str | None
    user: str | None
    safety_identifier: str | None
    prompt_cache_key: str | None


# ------------------------------------------------------------------ chat answers


class PromptTokensDetails(TypedDict, total=False):
    cached_tokens: int
    #: tokens written to the prompt cache (Anthropic's ``cache_creation_input_tokens``)
    cache_creation_tokens: int
    audio_tokens: int


class CompletionTokensDetails(TypedDict, total=False):
    reasoning_tokens: int
    audio_tokens: int
    accepted_prediction_tokens: int
    rejected_prediction_tokens: int


class CompletionUsage(TypedDict):
    """``prompt_tokens`` includes cached and cache-write tokens, ``completion_tokens``
    the reasoning ones."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    prompt_tokens_details: NotRequired[PromptTokensDetails]
    completion_tokens_details: NotRequired[CompletionTokensDetails]


class CompletionMessage(TypedDict):
    role: Literal["assistant"]
    content: str | None
    refusal: NotRequired[str | None]
    tool_calls: NotRequired[list[FunctionToolCall]]
    reasoning_content: NotRequired[str]


class CompletionChoice(TypedDict):
    index: int
    message: CompletionMessage
    finish_reason: FinishReason


class ChatCompletion(TypedDict):
    id: str
    object: Literal["chat.completion"]
    created: int
    #: the upstream's model; the gateway answers with the name the client asked for
    model: str
    choices: list[CompletionChoice]
    usage: NotRequired[CompletionUsage]


class FunctionCallDelta(TypedDict, total=False):
    name: str
    arguments: str


class ToolCallDelta(TypedDict):
    index: int
    id: NotRequired[str]
    type: NotRequired[Literal["function"]]
    function: NotRequired[FunctionCallDelta]


class ChoiceDelta(TypedDict, total=False):
    role: Literal["assistant"]
    content: str | None
    reasoning_content: str
    refusal: str | None
    tool_calls: list[ToolCallDelta]


class StreamChoice(TypedDict):
    index: int
    delta: ChoiceDelta
    finish_reason: FinishReason | None


class ChatCompletionChunk(TypedDict):
    """One ``data:`` event of a streamed chat; the last one has no choices, only usage."""

    id: str
    object: Literal["chat.completion.chunk"]
    created: int
    model: str
    choices: list[StreamChoice]
    usage: NotRequired[CompletionUsage | None]


# ------------------------------------------------------------------ other endpoints


class EmbeddingParams(TypedDict, total=False):
    """``POST /v1/embeddings``: text, texts, or token arrays."""

    model: str
    input: Required[str | list[str] | list[Whole] | list[list[Whole]]]
    encoding_format: Literal["float", "base64"] | None
    dimensions: Whole | None
    user: str | None


class Embedding(TypedDict):
    object: Literal["embedding"]
    index: int
    #: floats, or a base64 string with ``encoding_format: base64``
    embedding: list[float] | str


class EmbeddingUsage(TypedDict):
    prompt_tokens: int
    total_tokens: int


class EmbeddingList(TypedDict):
    object: Literal["list"]
    data: list[Embedding]
    model: str
    usage: NotRequired[EmbeddingUsage]


class ImageParams(TypedDict, total=False):
    """``POST /v1/images/generations``."""

    model: str
    prompt: Required[str]
    n: Whole | None
    size: str | None
    quality: str | None
    response_format: Literal["url", "b64_json"] | None
    output_format: Literal["png", "jpeg", "webp"] | None
    output_compression: Whole | None
    moderation: Literal["low", "auto"] | None
    background: Literal["transparent", "opaque", "auto"] | None
    style: Literal["vivid", "natural"] | None
    user: str | None


class ImageData(TypedDict, total=False):
    url: str
    b64_json: str
    revised_prompt: str


class ImagesResponse(TypedDict):
    created: int
    data: NotRequired[list[ImageData]]


class SpeechParams(TypedDict, total=False):
    """``POST /v1/audio/speech``: the answer is the audio itself."""

    model: str
    input: Required[str]
    voice: Required[str | VoiceId]
    instructions: str | None
    response_format: Literal["mp3", "opus", "aac", "flac", "wav", "pcm"] | None
    speed: float | None
    stream_format: Literal["sse", "audio"] | None


#: the text fields of ``POST /v1/audio/transcriptions`` (a multipart form: every value is
#: text; ``language``, ``prompt``, ``response_format``, ``temperature``...), the audio apart
TranscriptionFields: TypeAlias = dict[str, str]


class DurationUsage(TypedDict):
    type: Literal["duration"]
    seconds: float


class Transcription(TypedDict):
    text: str
    language: NotRequired[str]
    duration: NotRequired[float]
    usage: NotRequired[DurationUsage]


class VideoReference(TypedDict):
    #: an https URL or a ``data:`` URL of the first frame
    image_url: str


class VideoParams(TypedDict, total=False):
    """``POST /v1/videos`` (Sora's shape; the reference image as a URL)."""

    model: str
    prompt: Required[str]
    #: ``"4"``, ``"8"``, ``"12"``
    seconds: str | int
    #: ``"1280x720"``
    size: str
    input_reference: VideoReference


class VideoError(TypedDict):
    code: str
    message: str | None


class Video(TypedDict):
    """A video job: ``status`` ``queued``, ``in_progress``, ``completed`` or ``failed``."""

    id: str
    object: Literal["video"]
    model: str
    status: Literal["queued", "in_progress", "completed", "failed"]
    created_at: int
    progress: NotRequired[int]
    #: an object (some upstreams send a string)
    error: NotRequired[VideoError | str | None]
    #: Radiant's extension: the upstream's link to the finished video, where it gives one
    url: NotRequired[str]
    #: Radiant's extension: the length of the video, once known
    seconds: NotRequired[str]
