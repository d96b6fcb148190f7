"""Building blocks of the OpenAI chat format, the lingua franca every adapter speaks:
completions, stream chunks, usage, and readers for request messages (text of a content,
``data:`` URLs, tool-call arguments)."""

from __future__ import annotations

import json
import time
import uuid

from radiant.providers.shapes import JSONObject
from radiant.providers.shapes.openai import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatParams,
    ChoiceDelta,
    CompletionChoice,
    CompletionUsage,
    ContentPartParam,
    FinishReason,
    MessageContent,
    StreamChoice,
)

__all__ = [
    "REASONING_BUDGETS",
    "SIGNATURE_MARK",
    "chunk",
    "completion",
    "content_parts",
    "content_text",
    "data_url",
    "max_tokens",
    "parse_arguments",
    "split_signature",
    "usage",
    "with_signature",
]

#: thinking budgets (tokens) for OpenAI's ``reasoning_effort`` on wires that take a budget
REASONING_BUDGETS = {"minimal": 512, "low": 1024, "medium": 4096, "high": 16384}


def new_id(prefix: str = "chatcmpl") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:24]}"


def usage(
    prompt: int,
    completion_tokens: int,
    *,
    cached: int = 0,
    cache_write: int = 0,
    reasoning: int = 0,
) -> CompletionUsage:
    """OpenAI ``usage``: ``prompt_tokens`` includes cached and cache-write tokens."""
    result: CompletionUsage = {
        "prompt_tokens": prompt,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt + completion_tokens,
        "prompt_tokens_details": {"cached_tokens": cached},
    }
    if cache_write:
        result["prompt_tokens_details"]["cache_creation_tokens"] = cache_write
    if reasoning:
        result["completion_tokens_details"] = {"reasoning_tokens": reasoning}
    return result


def completion(
    completion_id: str, model: str, choices: list[CompletionChoice], use: CompletionUsage | None
) -> ChatCompletion:
    result: ChatCompletion = {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": choices,
    }
    if use is not None:
        result["usage"] = use
    return result


def chunk(
    completion_id: str,
    model: str,
    delta: ChoiceDelta | None,
    finish_reason: FinishReason | None = None,
    *,
    index: int = 0,
    use: CompletionUsage | None = None,
) -> ChatCompletionChunk:
    """A ``chat.completion.chunk``; ``delta=None`` makes the usage-only last chunk."""
    choices: list[StreamChoice] = (
        [] if delta is None else [{"index": index, "delta": delta, "finish_reason": finish_reason}]
    )
    result: ChatCompletionChunk = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": choices,
    }
    if use is not None:
        result["usage"] = use
    return result


def content_parts(content: MessageContent | None) -> list[ContentPartParam]:
    """A message ``content`` (a string or a list of parts) as a list of parts."""
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [p for p in content if isinstance(p, dict)]


def content_text(content: MessageContent | None) -> str:
    return "".join(
        str(p.get("text", "")) for p in content_parts(content) if p.get("type") == "text"
    )


def data_url(url: str) -> tuple[str, str] | None:
    """``(media type, base64 data)`` of a ``data:`` URL, None for any other URL."""
    if not url.startswith("data:") or ";base64," not in url:
        return None
    head, data = url[5:].split(";base64,", 1)
    return head or "application/octet-stream", data


def parse_arguments(arguments: str | JSONObject | None) -> JSONObject:
    """Tool-call ``arguments`` (a JSON string in OpenAI's format) as an object."""
    if isinstance(arguments, dict):
        return arguments
    try:
        value = json.loads(arguments or "{}")
    except ValueError:
        return {"_raw": arguments}
    return value if isinstance(value, dict) else {"value": value}


#: A reasoning signature the upstream wants back with a tool call next turn (Gemini
#: ``thoughtSignature``, Anthropic thinking ``signature``) has no field in the OpenAI
#: format, so it rides in the tool call's id after this mark.
SIGNATURE_MARK = "~sig~"


def with_signature(call_id: str, signature: str | None) -> str:
    return f"{call_id}{SIGNATURE_MARK}{signature}" if signature else call_id


def split_signature(call_id: str) -> tuple[str, str | None]:
    """``(the upstream's call id, the signature it carries or None)``."""
    base, mark, signature = call_id.partition(SIGNATURE_MARK)
    return base, (signature if mark and signature else None)


def max_tokens(body: ChatParams) -> int | None:
    value = body.get("max_completion_tokens", body.get("max_tokens"))
    return int(value) if value is not None else None
