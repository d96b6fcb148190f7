"""The Gemini API wire, typed: ``generateContent`` (and ``streamGenerateContent``, whose
events are whole responses), ``batchEmbedContents``, Imagen ``:predict`` and Veo's
long-running ``:predictLongRunning`` operations.

Requests are what :mod:`radiant.providers.gemini_translate` and
:mod:`radiant.providers.gemini_media` build. Answers come off the network as JSON objects
(the transport checks that much) whose members are all optional here, as Gemini leaves
out what is empty: the readers take them with ``.get`` and a default, and check the type
of what they index into.

Field names follow the Gemini API reference (ai.google.dev/api, REST, camelCase).
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypeAlias, TypedDict

from radiant.providers.shapes import JSONObject

__all__ = [
    "BatchEmbedContentsRequest",
    "BatchEmbedContentsResponse",
    "Blob",
    "Candidate",
    "CandidateContent",
    "Content",
    "ContentEmbedding",
    "EmbedContentRequest",
    "FileData",
    "FunctionCall",
    "FunctionCallingConfig",
    "FunctionDeclaration",
    "FunctionResponse",
    "GenerateContentRequest",
    "GenerateContentResponse",
    "GenerateVideoResponse",
    "GeneratedSample",
    "GenerationConfig",
    "ImagenInstance",
    "ImagenParameters",
    "ImagenRequest",
    "ImagenResponse",
    "InlineImage",
    "Operation",
    "OperationResult",
    "Part",
    "Prediction",
    "PromptFeedback",
    "Role",
    "Status",
    "TextContent",
    "ThinkingConfig",
    "Tool",
    "ToolConfig",
    "UsageMetadata",
    "VeoInstance",
    "VeoParameters",
    "VeoRequest",
    "VideoFile",
]


# ------------------------------------------------------------------ contents


class Blob(TypedDict):
    mimeType: str
    #: base64
    data: str


class FileData(TypedDict):
    fileUri: str
    mimeType: NotRequired[str]


class FunctionCall(TypedDict):
    name: str
    #: the arguments as an object
    args: NotRequired[JSONObject]
    id: NotRequired[str]


class FunctionResponse(TypedDict):
    name: str
    #: the tool's result as an object
    response: JSONObject
    id: NotRequired[str]


class Part(TypedDict, total=False):
    """One part: its data is one of ``text``, ``inlineData``, ``fileData``,
    ``functionCall``, ``functionResponse``; ``thought`` marks reasoning text and
    ``thoughtSignature`` is what Gemini 3 wants back with a function call."""

    text: str
    inlineData: Blob
    fileData: FileData
    functionCall: FunctionCall
    functionResponse: FunctionResponse
    thought: bool
    thoughtSignature: str


Role: TypeAlias = Literal["user", "model"]


class Content(TypedDict):
    parts: list[Part]
    #: none in ``systemInstruction``
    role: NotRequired[Role]


# ------------------------------------------------------------------ the request


class ThinkingConfig(TypedDict, total=False):
    thinkingBudget: int
    includeThoughts: bool


class GenerationConfig(TypedDict, total=False):
    temperature: float
    topP: float
    candidateCount: int
    seed: int
    presencePenalty: float
    frequencyPenalty: float
    maxOutputTokens: int
    stopSequences: list[str]
    responseMimeType: str
    #: a JSON Schema object, passed on unread
    responseJsonSchema: JSONObject
    thinkingConfig: ThinkingConfig


class FunctionDeclaration(TypedDict, total=False):
    name: str
    description: str
    #: a JSON Schema object, passed on unread
    parameters: JSONObject


class Tool(TypedDict):
    functionDeclarations: list[FunctionDeclaration]


class FunctionCallingConfig(TypedDict):
    mode: Literal["AUTO", "ANY", "NONE", "VALIDATED"]
    allowedFunctionNames: NotRequired[list[str]]


class ToolConfig(TypedDict):
    functionCallingConfig: FunctionCallingConfig


class GenerateContentRequest(TypedDict):
    contents: list[Content]
    systemInstruction: NotRequired[Content]
    generationConfig: NotRequired[GenerationConfig]
    tools: NotRequired[list[Tool]]
    toolConfig: NotRequired[ToolConfig]


# ------------------------------------------------------------------ the answer


class CandidateContent(TypedDict, total=False):
    parts: list[Part]
    role: str


class Candidate(TypedDict, total=False):
    content: CandidateContent
    #: ``STOP``, ``MAX_TOKENS``, ``SAFETY``...
    finishReason: str
    index: int


class UsageMetadata(TypedDict, total=False):
    """``promptTokenCount`` includes ``cachedContentTokenCount``; ``candidatesTokenCount``
    does not include ``thoughtsTokenCount``."""

    promptTokenCount: int
    candidatesTokenCount: int
    totalTokenCount: int
    cachedContentTokenCount: int
    thoughtsTokenCount: int
    toolUsePromptTokenCount: int


class PromptFeedback(TypedDict, total=False):
    blockReason: str


class GenerateContentResponse(TypedDict, total=False):
    """An answer, or one stream event (the text of this event, whole function calls,
    the usage so far)."""

    candidates: list[Candidate]
    promptFeedback: PromptFeedback
    usageMetadata: UsageMetadata
    modelVersion: str
    responseId: str


# ------------------------------------------------------------------ embeddings


class TextContent(TypedDict):
    parts: list[Part]


class EmbedContentRequest(TypedDict):
    #: ``models/{model}``
    model: str
    content: TextContent
    outputDimensionality: NotRequired[int]


class BatchEmbedContentsRequest(TypedDict):
    requests: list[EmbedContentRequest]


class ContentEmbedding(TypedDict, total=False):
    values: list[float]


class BatchEmbedContentsResponse(TypedDict, total=False):
    embeddings: list[ContentEmbedding]


# ------------------------------------------------------------------ Imagen and Veo


class ImagenInstance(TypedDict):
    prompt: str


class ImagenParameters(TypedDict):
    sampleCount: int
    #: ``1:1``, ``3:4``, ``4:3``, ``9:16``, ``16:9``
    aspectRatio: str


class ImagenRequest(TypedDict):
    instances: list[ImagenInstance]
    parameters: ImagenParameters


class Prediction(TypedDict, total=False):
    #: the image, base64
    bytesBase64Encoded: str
    mimeType: str


class ImagenResponse(TypedDict, total=False):
    predictions: list[Prediction]


class InlineImage(TypedDict):
    mimeType: str
    #: base64
    bytesBase64Encoded: str


class VeoInstance(TypedDict):
    prompt: str
    #: the first frame
    image: NotRequired[InlineImage]


class VeoParameters(TypedDict, total=False):
    durationSeconds: int
    #: ``16:9`` or ``9:16``
    aspectRatio: str


class VeoRequest(TypedDict):
    instances: list[VeoInstance]
    parameters: NotRequired[VeoParameters]


class VideoFile(TypedDict, total=False):
    uri: str


class GeneratedSample(TypedDict, total=False):
    video: VideoFile


class GenerateVideoResponse(TypedDict, total=False):
    generatedSamples: list[GeneratedSample]


class OperationResult(TypedDict, total=False):
    generateVideoResponse: GenerateVideoResponse


class Status(TypedDict, total=False):
    code: int
    message: str


class Operation(TypedDict, total=False):
    """A long-running operation: its ``name`` is the video's id, ``done`` once over."""

    name: str
    done: bool
    #: a ``Status`` (some proxies send a string)
    error: Status | str
    response: OperationResult
