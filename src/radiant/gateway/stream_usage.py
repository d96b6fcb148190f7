"""What a streamed chat used: the upstream's own usage when its usage chunk arrived, else
what the gateway counted of the stream it delivered (marked estimated).

No tokenizer can be had here (each model has its own, and none may be downloaded), so
the count is an honest heuristic, the one OpenAI documents for English text: about four
characters a token. Output: the characters of what the client was sent (content,
reasoning, refusals, tool-call names and arguments) over four, but never fewer tokens
than chunks that carried text (a stream sends at least a token a chunk). Prompt: the
characters of the messages' text (and of the tools declared) over four, plus the few
tokens a chat format adds per message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from radiant.gateway.charge import tokens_usage
from radiant.pricing.usage import Usage

__all__ = ["StreamTally", "estimated_prompt_tokens"]

_CHARS_PER_TOKEN = 4
#: what a chat format adds per message (role, separators) and to prime the answer
_PER_MESSAGE = 4
_PRIMING = 3


def _text(value: Any) -> int:
    """Characters of text in a message's content (a string or a list of parts)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        total = 0
        for part in value:
            if isinstance(part, Mapping):
                text = part.get("text")
                total += len(text) if isinstance(text, str) else 0
            elif isinstance(part, str):
                total += len(part)
        return total
    return 0


def _tool_calls(calls: Any) -> int:
    total = 0
    if isinstance(calls, list):
        for call in calls:
            function = call.get("function") if isinstance(call, Mapping) else None
            if isinstance(function, Mapping):
                total += _text(function.get("name")) + _text(function.get("arguments"))
    return total


def estimated_prompt_tokens(body: Mapping[str, Any]) -> int:
    """About how many tokens the prompt of a chat ``body`` is."""
    messages = body.get("messages")
    if not isinstance(messages, list):
        return 0
    chars = 0
    for message in messages:
        if isinstance(message, Mapping):
            chars += _text(message.get("content")) + _text(message.get("name"))
            chars += _tool_calls(message.get("tool_calls"))
    tools = body.get("tools")
    if tools:
        chars += len(json.dumps(tools, separators=(",", ":"), default=str))
    return round(chars / _CHARS_PER_TOKEN) + _PER_MESSAGE * len(messages) + _PRIMING


class StreamTally:
    """The usage of one stream as it goes: :meth:`delivered` for every chunk the client was
    sent, :meth:`reported` for the upstream's usage; :meth:`usage` at its end."""

    __slots__ = ("chars", "chunks", "upstream")

    def __init__(self) -> None:
        #: the upstream's usage object, once its usage chunk arrived
        self.upstream: Mapping[str, Any] | None = None
        #: chunks sent to the client that carried text, and their characters
        self.chunks = 0
        self.chars = 0

    def reported(self, usage: Mapping[str, Any]) -> None:
        self.upstream = usage

    def delivered(self, chunk: Mapping[str, Any]) -> None:
        chars = 0
        for choice in chunk.get("choices") or ():
            delta = choice.get("delta") if isinstance(choice, Mapping) else None
            if not isinstance(delta, Mapping):
                continue
            for name in ("content", "reasoning_content", "reasoning", "refusal"):
                text = delta.get(name)
                if isinstance(text, str):
                    chars += len(text)
            if "tool_calls" in delta:
                chars += _tool_calls(delta["tool_calls"])
        if chars:
            self.chunks += 1
            self.chars += chars

    @property
    def output_tokens(self) -> int:
        return max(self.chunks, round(self.chars / _CHARS_PER_TOKEN))

    def usage(self, body: Mapping[str, Any]) -> tuple[Usage, bool]:
        """The stream's usage and whether it is estimated (no usage came from upstream)."""
        if self.upstream:
            return tokens_usage(self.upstream), False
        return Usage(
            input_tokens=estimated_prompt_tokens(body), output_tokens=self.output_tokens
        ), True
