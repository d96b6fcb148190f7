"""The Cohere API v2 wire, typed: ``POST {base}/v2/chat`` (and its event stream),
``POST {base}/v2/embed`` and ``POST {base}/v2/rerank``, with ``Authorization: Bearer``.

Field names follow Cohere's API reference (docs.cohere.com, v2 Chat, Embed, Rerank and
"A Guide to Streaming Responses"). Answers come off the network: readers index into them
leniently (a missing member is a ``protocol`` error or a default, never a crash).

A stream is ``message-start``, then per text block ``content-start`` / ``content-delta``
/ ``content-end``, per tool call ``tool-call-start`` / ``tool-call-delta`` /
``tool-call-end`` (after ``tool-plan-delta``), ``citation-start`` / ``citation-end``, and
``message-end`` with ``finish_reason`` and ``usage``. Usage counts twice: ``billed_units``
(what Cohere charges) and ``tokens`` (everything the model read and wrote).
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypeAlias, TypedDict

__all__ = [
    "BilledUnits",
    "ChatFinishReason",
    "ChatRequest",
    "ChatResponse",
    "EmbedRequest",
    "EmbedResponse",
    "FunctionCall",
    "Message",
    "MessageParam",
    "Meta",
    "RerankRequest",
    "RerankResponse",
    "RerankResult",
    "ResponseFormat",
    "StreamDelta",
    "StreamEvent",
    "TextContent",
    "Tokens",
    "Tool",
    "ToolCall",
    "Usage",
]

#: why a chat ended
ChatFinishReason: TypeAlias = Literal[
    "COMPLETE", "STOP_SEQUENCE", "MAX_TOKENS", "TOOL_CALL", "ERROR", "TIMEOUT"
]


class TextContent(TypedDict):
    type: Literal["text"]
    text: str


class FunctionCall(TypedDict, total=False):
    name: str
    #: a JSON object, as text
    arguments: str


class ToolCall(TypedDict, total=False):
    id: str
    type: Literal["function"]
    function: FunctionCall


class MessageParam(TypedDict, total=False):
    """One turn: ``system``, ``user``, ``assistant`` or ``tool``."""

    role: Literal["system", "user", "assistant", "tool"]
    content: str | list[TextContent]
    tool_calls: list[ToolCall]
    #: a ``tool`` turn: the call it answers
    tool_call_id: str


class ToolFunction(TypedDict, total=False):
    name: str
    description: str
    #: a JSON Schema
    parameters: dict[str, Any]


class Tool(TypedDict):
    type: Literal["function"]
    function: ToolFunction


class ResponseFormat(TypedDict, total=False):
    type: Literal["text", "json_object"]
    json_schema: dict[str, Any]


class ChatRequest(TypedDict, total=False):
    model: str
    messages: list[MessageParam]
    stream: bool
    max_tokens: int
    temperature: float
    #: top-p
    p: float
    seed: int
    stop_sequences: list[str]
    frequency_penalty: float
    presence_penalty: float
    tools: list[Tool]
    #: ``REQUIRED`` or ``NONE`` (absent: the model decides)
    tool_choice: Literal["REQUIRED", "NONE"]
    response_format: ResponseFormat


class BilledUnits(TypedDict, total=False):
    input_tokens: float
    output_tokens: float
    #: rerank: one per query and up to 100 documents
    search_units: float
    classifications: float


class Tokens(TypedDict, total=False):
    input_tokens: float
    output_tokens: float


class Usage(TypedDict, total=False):
    billed_units: BilledUnits
    tokens: Tokens


class Message(TypedDict, total=False):
    role: Literal["assistant"]
    content: list[TextContent]
    tool_plan: str
    tool_calls: list[ToolCall]


class ChatResponse(TypedDict):
    id: str
    finish_reason: ChatFinishReason
    message: Message
    usage: NotRequired[Usage]


class StreamMessageDelta(TypedDict, total=False):
    role: str
    #: ``content-start``: the block; ``content-delta``: ``{"text"}``
    content: dict[str, Any]
    tool_plan: str
    #: ``tool-call-start``: the call (id, name); ``tool-call-delta``: argument text
    tool_calls: ToolCall


class StreamDelta(TypedDict, total=False):
    message: StreamMessageDelta
    #: ``message-end`` only
    finish_reason: ChatFinishReason
    usage: Usage
    error: str


class StreamEvent(TypedDict):
    type: str
    id: NotRequired[str]
    index: NotRequired[int]
    delta: NotRequired[StreamDelta]


class EmbedRequest(TypedDict, total=False):
    model: str
    texts: list[str]
    #: ``search_document``, ``search_query``, ``classification`` or ``clustering``
    input_type: str
    embedding_types: list[Literal["float", "int8", "uint8", "binary", "ubinary", "base64"]]
    output_dimension: int
    truncate: Literal["NONE", "START", "END"]


class ApiVersion(TypedDict, total=False):
    version: str


class Meta(TypedDict, total=False):
    api_version: ApiVersion
    billed_units: BilledUnits
    warnings: list[str]


class EmbedResponse(TypedDict):
    id: str
    #: by embedding type: ``{"float": [[...], ...]}``
    embeddings: dict[str, list[list[float]]]
    texts: NotRequired[list[str]]
    meta: NotRequired[Meta]


class RerankRequest(TypedDict, total=False):
    model: str
    query: str
    documents: list[str]
    top_n: int
    max_tokens_per_doc: int


class RerankResult(TypedDict):
    index: int
    relevance_score: float


class RerankResponse(TypedDict):
    id: NotRequired[str]
    #: best first
    results: list[RerankResult]
    meta: NotRequired[Meta]
