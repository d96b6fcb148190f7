"""OpenAI chat format <-> Anthropic Messages, both ways, without I/O.

Requests: system and developer messages become ``system`` (text blocks keep their
``cache_control``), tool results become ``tool_result`` blocks in a user turn, assistant
``tool_calls`` become ``tool_use`` blocks, images become ``image`` blocks, ``tools`` /
``tool_choice`` / ``stop`` / ``reasoning_effort`` (a thinking budget) translate, and
``max_tokens`` (required by Anthropic) defaults to :data:`DEFAULT_MAX_TOKENS`. Anthropic
has no JSON mode: ``response_format`` adds a system instruction to answer with JSON only.
A body that is not an OpenAI chat request raises
:class:`~radiant.providers.openai_wire.InvalidRequest` (the caller's 400) before any of it
is read.

With extended thinking and tools, the thinking block's signature rides in the first tool
call's id (see :data:`~radiant.providers.openai_format.SIGNATURE_MARK`) and the signed
thinking block is rebuilt from ``reasoning_content`` when that call comes back.

Usage: Anthropic counts ``input_tokens`` without cache reads and writes; OpenAI's
``prompt_tokens`` includes them, with reads in ``prompt_tokens_details.cached_tokens`` and
writes in ``prompt_tokens_details.cache_creation_tokens``.
"""

from __future__ import annotations

import json
from typing import Any

from radiant.providers.openai_format import (
    REASONING_BUDGETS,
    completion,
    content_parts,
    data_url,
    max_tokens,
    new_id,
    parse_arguments,
    split_signature,
    usage,
    with_signature,
)
from radiant.providers.openai_wire import check_chat

__all__ = ["DEFAULT_MAX_TOKENS", "FINISH_REASONS", "to_anthropic", "from_anthropic", "usage_of"]

DEFAULT_MAX_TOKENS = 4096

FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}

_JSON_ONLY = "Answer with one valid JSON object and nothing else."


def _block(part: dict[str, Any]) -> dict[str, Any] | None:
    kind = part.get("type")
    block: dict[str, Any] | None = None
    if kind == "text":
        block = {"type": "text", "text": str(part.get("text", ""))}
    elif kind == "image_url":
        url = str((part.get("image_url") or {}).get("url", ""))
        inline = data_url(url)
        source = (
            {"type": "base64", "media_type": inline[0], "data": inline[1]}
            if inline
            else {"type": "url", "url": url}
        )
        block = {"type": "image", "source": source}
    if block is not None and "cache_control" in part:
        block["cache_control"] = part["cache_control"]
    return block


def _blocks(content: Any) -> list[dict[str, Any]]:
    """Anthropic blocks of an OpenAI content; empty text blocks (which Anthropic refuses)
    are left out."""
    blocks = (_block(p) for p in content_parts(content))
    return [b for b in blocks if b is not None and b.get("text", True)]


def _assistant(message: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = _blocks(message.get("content"))
    thinking: dict[str, Any] | None = None
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        call_id, signature = split_signature(str(call.get("id") or new_id("toolu")))
        if signature and thinking is None:
            # extended thinking with tools: the signed thinking block goes back first
            text = str(message.get("reasoning_content") or "")
            thinking = {"type": "thinking", "thinking": text, "signature": signature}
        blocks.append(
            {
                "type": "tool_use",
                "id": call_id,
                "name": function.get("name", ""),
                "input": parse_arguments(function.get("arguments")),
            }
        )
    return blocks if thinking is None else [thinking, *blocks]


def _append(messages: list[dict[str, Any]], role: str, blocks: list[dict[str, Any]]) -> None:
    """Add a turn; consecutive turns of one role merge (Anthropic alternates roles)."""
    if not blocks:
        return
    if messages and messages[-1]["role"] == role:
        messages[-1]["content"].extend(blocks)
    else:
        messages.append({"role": role, "content": blocks})


def _messages(body: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    system: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    for message in body.get("messages") or []:
        role = message.get("role")
        if role in ("system", "developer"):
            system.extend(_blocks(message.get("content")))
        elif role == "assistant":
            _append(messages, "assistant", _assistant(message))
        elif role == "tool":
            result: dict[str, Any] = {
                "type": "tool_result",
                "tool_use_id": split_signature(str(message.get("tool_call_id", "")))[0],
            }
            if content := _blocks(message.get("content")):
                result["content"] = content
            _append(messages, "user", [result])
        else:
            _append(messages, "user", _blocks(message.get("content")))
    return system, messages


def _tool_choice(choice: Any, parallel: Any) -> dict[str, Any] | None:
    result: dict[str, Any] | None = None
    if choice == "auto":
        result = {"type": "auto"}
    elif choice == "required":
        result = {"type": "any"}
    elif choice == "none":
        result = {"type": "none"}
    elif isinstance(choice, dict) and choice.get("type") == "function":
        result = {"type": "tool", "name": (choice.get("function") or {}).get("name", "")}
    if parallel is False:
        result = {**(result or {"type": "auto"}), "disable_parallel_tool_use": True}
    return result


def _tools(body: dict[str, Any]) -> list[dict[str, Any]]:
    tools = []
    for tool in body.get("tools") or []:
        function = tool.get("function") or {}
        spec = {
            "name": function.get("name", ""),
            "input_schema": function.get("parameters") or {"type": "object", "properties": {}},
        }
        if function.get("description"):
            spec["description"] = function["description"]
        tools.append(spec)
    return tools


def _json_instruction(body: dict[str, Any]) -> str | None:
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_object":
        return _JSON_ONLY
    if fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema", {})
        return f"{_JSON_ONLY} It must match this JSON schema: {json.dumps(schema)}"
    return None


def to_anthropic(body: dict[str, Any], model: str, *, stream: bool = False) -> dict[str, Any]:
    """An Anthropic Messages request for an OpenAI chat completions request."""
    check_chat(body)
    system, messages = _messages(body)
    if (instruction := _json_instruction(body)) is not None:
        system.append({"type": "text", "text": instruction})
    request: dict[str, Any] = {
        "model": model,
        "messages": messages,
        "max_tokens": max_tokens(body) or DEFAULT_MAX_TOKENS,
    }
    if system:
        plain = all(set(b) == {"type", "text"} for b in system)
        request["system"] = "\n\n".join(b["text"] for b in system) if plain else system
    for ours, theirs in (("temperature", "temperature"), ("top_p", "top_p")):
        if body.get(ours) is not None:
            request[theirs] = body[ours]
    stop = body.get("stop")
    if stop:
        request["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    if tools := _tools(body):
        request["tools"] = tools
    choice = _tool_choice(body.get("tool_choice"), body.get("parallel_tool_calls"))
    if choice is not None and tools:
        request["tool_choice"] = choice
    if body.get("user"):
        request["metadata"] = {"user_id": str(body["user"])}
    effort = body.get("reasoning_effort")
    if effort in REASONING_BUDGETS:
        budget = REASONING_BUDGETS[effort]
        request["thinking"] = {"type": "enabled", "budget_tokens": budget}
        request["max_tokens"] = max(request["max_tokens"], budget + 1024)
        request.pop("temperature", None)
    if stream:
        request["stream"] = True
    return request


def usage_of(raw: dict[str, Any]) -> dict[str, Any]:
    read = int(raw.get("cache_read_input_tokens") or 0)
    write = int(raw.get("cache_creation_input_tokens") or 0)
    prompt = int(raw.get("input_tokens") or 0) + read + write
    return usage(prompt, int(raw.get("output_tokens") or 0), cached=read, cache_write=write)


def from_anthropic(message: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI ``chat.completion`` for an Anthropic Messages response."""
    text: list[str] = []
    thinking: list[str] = []
    calls: list[dict[str, Any]] = []
    signature: str | None = None
    for block in message.get("content") or []:
        kind = block.get("type")
        if kind == "text":
            text.append(str(block.get("text", "")))
        elif kind == "thinking":
            thinking.append(str(block.get("thinking", "")))
            signature = block.get("signature") or signature
        elif kind == "tool_use":
            arguments = json.dumps(block.get("input") or {})
            calls.append(
                {
                    "id": with_signature(str(block.get("id")), None if calls else signature),
                    "type": "function",
                    "function": {"name": block.get("name"), "arguments": arguments},
                }
            )
    reply: dict[str, Any] = {"role": "assistant", "content": "".join(text) if text else None}
    if calls:
        reply["tool_calls"] = calls
    if thinking:
        reply["reasoning_content"] = "".join(thinking)
    finish = FINISH_REASONS.get(str(message.get("stop_reason")), "stop")
    choice = {"index": 0, "message": reply, "finish_reason": finish}
    return completion(
        str(message.get("id") or new_id()),
        str(message.get("model", "")),
        [choice],
        usage_of(message.get("usage") or {}),
    )
