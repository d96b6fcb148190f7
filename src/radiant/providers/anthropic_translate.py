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
from radiant.providers.shapes import anthropic as wire
from radiant.providers.shapes.openai import (
    AssistantMessageParam,
    ChatCompletion,
    ChatParams,
    CompletionChoice,
    CompletionMessage,
    CompletionUsage,
    ContentPartParam,
    FinishReason,
    FunctionToolCall,
    MessageContent,
    ToolChoiceParam,
)

__all__ = ["DEFAULT_MAX_TOKENS", "FINISH_REASONS", "to_anthropic", "from_anthropic", "usage_of"]

DEFAULT_MAX_TOKENS = 4096

FINISH_REASONS: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}

_JSON_ONLY = "Answer with one valid JSON object and nothing else."

_Block = wire.TextBlockParam | wire.ImageBlockParam


def _block(part: ContentPartParam) -> _Block | None:
    block: _Block | None = None
    if part["type"] == "text":
        block = {"type": "text", "text": part["text"]}
        if "cache_control" in part:
            block["cache_control"] = part["cache_control"]
    elif part["type"] == "image_url":
        url = part["image_url"]["url"]
        inline = data_url(url)
        source: wire.Base64ImageSource | wire.URLImageSource = (
            {"type": "base64", "media_type": inline[0], "data": inline[1]}
            if inline
            else {"type": "url", "url": url}
        )
        block = {"type": "image", "source": source}
        if "cache_control" in part:
            block["cache_control"] = part["cache_control"]
    return block


def _blocks(content: MessageContent | None) -> list[_Block]:
    """Anthropic blocks of an OpenAI content; empty text blocks (which Anthropic refuses)
    are left out."""
    blocks = (_block(p) for p in content_parts(content))
    return [b for b in blocks if b is not None and (b["type"] != "text" or b["text"])]


def _text_blocks(content: MessageContent | None) -> list[wire.TextBlockParam]:
    """The text blocks of a system or developer message (its parts are text only)."""
    return [b for b in _blocks(content) if b["type"] == "text"]


def _assistant(message: AssistantMessageParam) -> list[wire.ContentBlockParam]:
    blocks: list[wire.ContentBlockParam] = [*_blocks(message.get("content"))]
    thinking: wire.ThinkingBlockParam | None = None
    for call in message.get("tool_calls") or []:
        # a custom tool call has no function: it goes as a nameless tool use, as it did
        function = call["function"] if call["type"] == "function" else None
        call_id, signature = split_signature(call.get("id") or new_id("toolu"))
        if signature and thinking is None:
            # extended thinking with tools: the signed thinking block goes back first
            text = str(message.get("reasoning_content") or "")
            thinking = {"type": "thinking", "thinking": text, "signature": signature}
        blocks.append(
            {
                "type": "tool_use",
                "id": call_id,
                "name": function["name"] if function else "",
                "input": parse_arguments(function["arguments"] if function else None),
            }
        )
    return blocks if thinking is None else [thinking, *blocks]


def _append(
    messages: list[wire.MessageParam], role: wire.Role, blocks: list[wire.ContentBlockParam]
) -> None:
    """Add a turn; consecutive turns of one role merge (Anthropic alternates roles)."""
    if not blocks:
        return
    if messages and messages[-1]["role"] == role:
        messages[-1]["content"].extend(blocks)
    else:
        messages.append({"role": role, "content": blocks})


def _messages(body: ChatParams) -> tuple[list[wire.TextBlockParam], list[wire.MessageParam]]:
    system: list[wire.TextBlockParam] = []
    messages: list[wire.MessageParam] = []
    for message in body.get("messages") or []:
        if message["role"] == "system" or message["role"] == "developer":
            system.extend(_text_blocks(message["content"]))
        elif message["role"] == "assistant":
            _append(messages, "assistant", _assistant(message))
        elif message["role"] == "tool":
            result: wire.ToolResultBlockParam = {
                "type": "tool_result",
                "tool_use_id": split_signature(message["tool_call_id"])[0],
            }
            if content := _blocks(message["content"]):
                result["content"] = content
            _append(messages, "user", [result])
        else:
            _append(messages, "user", [*_blocks(message["content"])])
    return system, messages


def _tool_choice(
    choice: ToolChoiceParam | None, parallel: bool | None
) -> wire.ToolChoiceParam | None:
    result: wire.ToolChoiceParam | None = None
    if choice == "auto":
        result = {"type": "auto"}
    elif choice == "required":
        result = {"type": "any"}
    elif choice == "none":
        result = {"type": "none"}
    elif isinstance(choice, dict) and choice["type"] == "function":
        result = {"type": "tool", "name": choice["function"]["name"]}
    if parallel is False:
        if result is None:
            result = {"type": "auto"}
        if result["type"] != "none":  # no tool may be used: nothing runs in parallel either
            result["disable_parallel_tool_use"] = True
    return result


def _tools(body: ChatParams) -> list[wire.ToolParam]:
    tools: list[wire.ToolParam] = []
    for tool in body.get("tools") or []:
        # a custom tool has no function: it goes as a nameless tool, as it did
        function = tool["function"] if tool["type"] == "function" else None
        spec: wire.ToolParam = {
            "name": function["name"] if function else "",
            "input_schema": (function.get("parameters") if function else None)
            or {"type": "object", "properties": {}},
        }
        if function and (description := function.get("description")):
            spec["description"] = description
        tools.append(spec)
    return tools


def _json_instruction(body: ChatParams) -> str | None:
    fmt = body.get("response_format")
    if fmt is None:
        return None
    if fmt["type"] == "json_object":
        return _JSON_ONLY
    if fmt["type"] == "json_schema":
        schema = fmt["json_schema"].get("schema", {})
        return f"{_JSON_ONLY} It must match this JSON schema: {json.dumps(schema)}"
    return None


def to_anthropic(body: ChatParams, model: str, *, stream: bool = False) -> wire.MessagesRequest:
    """An Anthropic Messages request for an OpenAI chat completions request."""
    check_chat(body)
    system, messages = _messages(body)
    if (instruction := _json_instruction(body)) is not None:
        system.append({"type": "text", "text": instruction})
    request: wire.MessagesRequest = {
        "model": model,
        "messages": messages,
        "max_tokens": max_tokens(body) or DEFAULT_MAX_TOKENS,
    }
    if system:
        plain = all(set(b) == {"type", "text"} for b in system)
        request["system"] = "\n\n".join(b["text"] for b in system) if plain else system
    if (temperature := body.get("temperature")) is not None:
        request["temperature"] = temperature
    if (top_p := body.get("top_p")) is not None:
        request["top_p"] = top_p
    stop = body.get("stop")
    if stop:
        request["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    if tools := _tools(body):
        request["tools"] = tools
    choice = _tool_choice(body.get("tool_choice"), body.get("parallel_tool_calls"))
    if choice is not None and tools:
        request["tool_choice"] = choice
    if user := body.get("user"):
        request["metadata"] = {"user_id": str(user)}
    effort = body.get("reasoning_effort")
    if effort is not None and effort in REASONING_BUDGETS:
        budget = REASONING_BUDGETS[effort]
        request["thinking"] = {"type": "enabled", "budget_tokens": budget}
        request["max_tokens"] = max(request["max_tokens"], budget + 1024)
        request.pop("temperature", None)
    if stream:
        request["stream"] = True
    return request


def usage_of(raw: wire.Usage) -> CompletionUsage:
    read = int(raw.get("cache_read_input_tokens") or 0)
    write = int(raw.get("cache_creation_input_tokens") or 0)
    prompt = int(raw.get("input_tokens") or 0) + read + write
    return usage(prompt, int(raw.get("output_tokens") or 0), cached=read, cache_write=write)


def from_anthropic(message: wire.Message) -> ChatCompletion:
    """An OpenAI ``chat.completion`` for an Anthropic Messages response (its ``content``
    checked to be a list: :func:`~radiant.providers.shapes.anthropic.message_of`)."""
    text: list[str] = []
    thinking: list[str] = []
    calls: list[FunctionToolCall] = []
    signature: str | None = None
    for block in message.get("content") or []:
        if not isinstance(block, dict) or "type" not in block:
            continue  # not a block: nothing to read
        if block["type"] == "text":
            text.append(str(block.get("text", "")))
        elif block["type"] == "thinking":
            thinking.append(str(block.get("thinking", "")))
            signature = block.get("signature") or signature
        elif block["type"] == "tool_use":
            arguments = json.dumps(block.get("input") or {})
            calls.append(
                {
                    "id": with_signature(str(block.get("id")), None if calls else signature),
                    "type": "function",
                    "function": {"name": block.get("name"), "arguments": arguments},
                }
            )
    reply: CompletionMessage = {"role": "assistant", "content": "".join(text) if text else None}
    if calls:
        reply["tool_calls"] = calls
    if thinking:
        reply["reasoning_content"] = "".join(thinking)
    finish = FINISH_REASONS.get(str(message.get("stop_reason")), "stop")
    choice: CompletionChoice = {"index": 0, "message": reply, "finish_reason": finish}
    return completion(
        str(message.get("id") or new_id()),
        str(message.get("model", "")),
        [choice],
        usage_of(message.get("usage") or {}),
    )
