"""The Anthropic Messages wire, typed: ``POST /v1/messages`` and its stream events.

Requests (``...Param``, as Anthropic's SDK names them) are what
:mod:`radiant.providers.anthropic_translate` builds. Answers and stream events come off
the network: :func:`message_of` and :func:`event_of` check what the readers rely on (an
object with its ``type``; a message's ``content`` list) and the readers take the rest
leniently (``.get`` with a default), as an upstream may leave members out.

Field names follow Anthropic's API reference (docs.anthropic.com, Messages).
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypeAlias, TypedDict, cast

from radiant.providers.shapes import JSONObject

__all__ = [
    "Base64ImageSource",
    "BlockDelta",
    "ContentBlock",
    "ContentBlockDeltaEvent",
    "ContentBlockParam",
    "ContentBlockStartEvent",
    "ContentBlockStopEvent",
    "ErrorDetail",
    "ErrorEvent",
    "ImageBlockParam",
    "InputJSONDelta",
    "Message",
    "MessageDelta",
    "MessageDeltaEvent",
    "MessageParam",
    "MessageStartEvent",
    "MessageStopEvent",
    "MessagesRequest",
    "Metadata",
    "PingEvent",
    "RedactedThinkingBlock",
    "Role",
    "SignatureDelta",
    "StreamEvent",
    "TextBlock",
    "TextBlockParam",
    "TextDelta",
    "ThinkingBlock",
    "ThinkingBlockParam",
    "ThinkingDelta",
    "ThinkingEnabled",
    "ToolChoiceAny",
    "ToolChoiceAuto",
    "ToolChoiceNone",
    "ToolChoiceParam",
    "ToolChoiceTool",
    "ToolParam",
    "ToolResultBlockParam",
    "ToolUseBlock",
    "ToolUseBlockParam",
    "URLImageSource",
    "Usage",
    "event_of",
    "message_of",
]


# ------------------------------------------------------------------ request blocks


class TextBlockParam(TypedDict):
    type: Literal["text"]
    text: str
    #: ``{"type": "ephemeral", "ttl"?}``, as the client sent it
    cache_control: NotRequired[JSONObject]


class Base64ImageSource(TypedDict):
    type: Literal["base64"]
    media_type: str
    data: str


class URLImageSource(TypedDict):
    type: Literal["url"]
    url: str


class ImageBlockParam(TypedDict):
    type: Literal["image"]
    source: Base64ImageSource | URLImageSource
    cache_control: NotRequired[JSONObject]


class ToolUseBlockParam(TypedDict):
    type: Literal["tool_use"]
    id: str
    name: str
    #: the tool's arguments, as the model gave them
    input: JSONObject


class ToolResultBlockParam(TypedDict):
    type: Literal["tool_result"]
    tool_use_id: str
    content: NotRequired[list[TextBlockParam | ImageBlockParam]]
    is_error: NotRequired[bool]


class ThinkingBlockParam(TypedDict):
    type: Literal["thinking"]
    thinking: str
    signature: str


ContentBlockParam: TypeAlias = (
    TextBlockParam | ImageBlockParam | ToolUseBlockParam | ToolResultBlockParam | ThinkingBlockParam
)


Role: TypeAlias = Literal["user", "assistant"]


class MessageParam(TypedDict):
    role: Role
    #: the API takes a string too; the translator always sends blocks
    content: list[ContentBlockParam]


# ------------------------------------------------------------------ the request


class ToolParam(TypedDict):
    name: str
    #: a JSON Schema object, passed on unread
    input_schema: JSONObject
    description: NotRequired[str]


class ToolChoiceAuto(TypedDict):
    type: Literal["auto"]
    disable_parallel_tool_use: NotRequired[bool]


class ToolChoiceAny(TypedDict):
    type: Literal["any"]
    disable_parallel_tool_use: NotRequired[bool]


class ToolChoiceTool(TypedDict):
    type: Literal["tool"]
    name: str
    disable_parallel_tool_use: NotRequired[bool]


class ToolChoiceNone(TypedDict):
    """No tool may be used (so there is nothing to run in parallel: no more members)."""

    type: Literal["none"]


ToolChoiceParam: TypeAlias = ToolChoiceAuto | ToolChoiceAny | ToolChoiceTool | ToolChoiceNone


class ThinkingEnabled(TypedDict):
    type: Literal["enabled"]
    budget_tokens: int


class Metadata(TypedDict):
    user_id: str


class MessagesRequest(TypedDict):
    model: str
    messages: list[MessageParam]
    max_tokens: int
    system: NotRequired[str | list[TextBlockParam]]
    temperature: NotRequired[float]
    top_p: NotRequired[float]
    stop_sequences: NotRequired[list[str]]
    tools: NotRequired[list[ToolParam]]
    tool_choice: NotRequired[ToolChoiceParam]
    metadata: NotRequired[Metadata]
    thinking: NotRequired[ThinkingEnabled]
    stream: NotRequired[bool]


# ------------------------------------------------------------------ answers


class TextBlock(TypedDict):
    type: Literal["text"]
    text: str


class ThinkingBlock(TypedDict):
    type: Literal["thinking"]
    thinking: str
    signature: str


class RedactedThinkingBlock(TypedDict):
    type: Literal["redacted_thinking"]
    data: str


class ToolUseBlock(TypedDict):
    type: Literal["tool_use"]
    id: str
    name: str
    input: JSONObject


#: the blocks of an answer the translator reads (others, such as ``server_tool_use``, are
#: passed over)
ContentBlock: TypeAlias = TextBlock | ThinkingBlock | RedactedThinkingBlock | ToolUseBlock


class Usage(TypedDict, total=False):
    """``input_tokens`` counts neither cache reads nor cache writes."""

    input_tokens: int | None
    output_tokens: int | None
    cache_creation_input_tokens: int | None
    cache_read_input_tokens: int | None


#: the counts of :class:`Usage`
USAGE_COUNTS: tuple[
    Literal[
        "input_tokens",
        "output_tokens",
        "cache_creation_input_tokens",
        "cache_read_input_tokens",
    ],
    ...,
] = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


class Message(TypedDict):
    id: str
    type: Literal["message"]
    role: Literal["assistant"]
    model: str
    content: list[ContentBlock]
    stop_reason: str | None
    usage: Usage


# ------------------------------------------------------------------ stream events


class MessageStartEvent(TypedDict):
    type: Literal["message_start"]
    message: Message


class ContentBlockStartEvent(TypedDict):
    type: Literal["content_block_start"]
    index: int
    content_block: ContentBlock


class TextDelta(TypedDict):
    type: Literal["text_delta"]
    text: str


class InputJSONDelta(TypedDict):
    type: Literal["input_json_delta"]
    partial_json: str


class ThinkingDelta(TypedDict):
    type: Literal["thinking_delta"]
    thinking: str


class SignatureDelta(TypedDict):
    type: Literal["signature_delta"]
    signature: str


BlockDelta: TypeAlias = TextDelta | InputJSONDelta | ThinkingDelta | SignatureDelta


class ContentBlockDeltaEvent(TypedDict):
    type: Literal["content_block_delta"]
    index: int
    delta: BlockDelta


class ContentBlockStopEvent(TypedDict):
    type: Literal["content_block_stop"]
    index: int


class MessageDelta(TypedDict):
    stop_reason: str | None
    stop_sequence: NotRequired[str | None]


class MessageDeltaEvent(TypedDict):
    type: Literal["message_delta"]
    delta: MessageDelta
    #: cumulative counts (``output_tokens``; the others too on newer API versions)
    usage: Usage


class MessageStopEvent(TypedDict):
    type: Literal["message_stop"]


class PingEvent(TypedDict):
    type: Literal["ping"]


class ErrorDetail(TypedDict):
    #: ``overloaded_error``, ``rate_limit_error``...
    type: str
    message: str


class ErrorEvent(TypedDict):
    """An error, as a stream event or as an answer's body."""

    type: Literal["error"]
    error: ErrorDetail


StreamEvent: TypeAlias = (
    MessageStartEvent
    | ContentBlockStartEvent
    | ContentBlockDeltaEvent
    | ContentBlockStopEvent
    | MessageDeltaEvent
    | MessageStopEvent
    | PingEvent
    | ErrorEvent
)


def event_of(data: object) -> StreamEvent | None:
    """A stream event's data as an event: an object with a ``type`` (events of a type
    this module does not name are let through for the reader to pass over), else None."""
    if isinstance(data, dict) and isinstance(data.get("type"), str):
        return cast("StreamEvent", data)
    return None


def message_of(payload: JSONObject) -> Message | ErrorEvent | None:
    """An answer's body as a message (it has a ``content`` list) or an error, else None."""
    if payload.get("type") == "error":
        return cast("ErrorEvent", payload)
    if isinstance(payload.get("content"), list):
        return cast("Message", payload)
    return None
