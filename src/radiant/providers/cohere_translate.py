"""OpenAI chat format <-> Cohere v2 Chat, both ways, without I/O.

Requests: system and developer messages become ``system`` turns, tool results ``tool``
turns (``tool_call_id`` kept), assistant ``tool_calls`` pass as they are (Cohere v2 takes
OpenAI's shape); ``top_p`` becomes ``p``, ``stop`` ``stop_sequences``,
``max_completion_tokens`` ``max_tokens``, ``tool_choice`` ``required`` / ``none``
``REQUIRED`` / ``NONE`` (a named tool: ``REQUIRED`` with only that tool), and
``response_format`` ``json_object`` / ``json_schema`` Cohere's JSON mode. Only text
content is sent (images are refused by the capability check: no ``image_input``).

Answers: the text blocks joined as ``content``, ``tool_calls`` as OpenAI's, Cohere's
``finish_reason`` mapped by :data:`FINISH_REASONS`. Usage: the ``billed_units`` Cohere
charges (``tokens`` when billed units are missing) as OpenAI ``prompt_tokens`` /
``completion_tokens``.
"""

from __future__ import annotations

from radiant.providers.openai_format import completion, content_text, new_id, usage
from radiant.providers.openai_wire import check_chat
from radiant.providers.shapes import cohere as wire
from radiant.providers.shapes.openai import (
    AssistantMessageParam,
    ChatCompletion,
    ChatParams,
    CompletionMessage,
    CompletionUsage,
    FinishReason,
    FunctionToolCall,
    MessageParam,
)

__all__ = ["FINISH_REASONS", "from_cohere", "to_cohere", "usage_of"]

FINISH_REASONS: dict[str, FinishReason] = {
    "COMPLETE": "stop",
    "STOP_SEQUENCE": "stop",
    "MAX_TOKENS": "length",
    "TOOL_CALL": "tool_calls",
    "TIMEOUT": "length",
}


def _assistant(message: AssistantMessageParam) -> wire.MessageParam:
    turn: wire.MessageParam = {"role": "assistant"}
    calls: list[wire.ToolCall] = [
        {
            "id": call["id"],
            "type": "function",
            "function": {
                "name": call["function"]["name"],
                "arguments": call["function"]["arguments"],
            },
        }
        for call in message.get("tool_calls") or []
        if call["type"] == "function"
    ]
    text = content_text(message.get("content"))
    if calls:
        turn["tool_calls"] = calls
    if text or not calls:
        turn["content"] = text
    return turn


def _message(message: MessageParam) -> wire.MessageParam:
    if message["role"] == "assistant":
        return _assistant(message)
    text = content_text(message.get("content"))
    if message["role"] in ("system", "developer"):
        return {"role": "system", "content": text}
    if message["role"] == "tool":
        call_id = str(message.get("tool_call_id", ""))
        return {"role": "tool", "tool_call_id": call_id, "content": text}
    return {"role": "user", "content": text}


def _tools(body: ChatParams, request: wire.ChatRequest) -> None:
    tools: list[wire.Tool] = []
    for tool in body.get("tools") or []:
        if tool.get("type") != "function":
            continue
        spec = tool["function"]  # type: ignore[typeddict-item]
        function: wire.ToolFunction = {"name": spec["name"]}
        if description := spec.get("description"):
            function["description"] = str(description)
        if (parameters := spec.get("parameters")) is not None:
            function["parameters"] = dict(parameters)
        tools.append({"type": "function", "function": function})
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "function":
        name = choice["function"]["name"]  # type: ignore[typeddict-item]
        tools = [t for t in tools if t["function"].get("name") == name]
        request["tool_choice"] = "REQUIRED"
    elif choice == "required":
        request["tool_choice"] = "REQUIRED"
    elif choice == "none":
        request["tool_choice"] = "NONE"
    if tools:
        request["tools"] = tools


def to_cohere(body: ChatParams, model: str, *, stream: bool = False) -> wire.ChatRequest:
    """The ``/v2/chat`` body for an OpenAI chat request; raises
    :class:`~radiant.providers.openai_wire.InvalidRequest` when it is not one."""
    check_chat(body)
    request: wire.ChatRequest = {
        "model": model,
        "messages": [_message(m) for m in body["messages"]],
        "stream": stream,
    }
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    if limit is not None:
        request["max_tokens"] = int(limit)
    if (temperature := body.get("temperature")) is not None:
        request["temperature"] = temperature
    if (top_p := body.get("top_p")) is not None:
        request["p"] = top_p
    if (seed := body.get("seed")) is not None:
        request["seed"] = int(seed)
    if (stop := body.get("stop")) is not None:
        request["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    if (frequency := body.get("frequency_penalty")) is not None:
        request["frequency_penalty"] = frequency
    if (presence := body.get("presence_penalty")) is not None:
        request["presence_penalty"] = presence
    _tools(body, request)
    fmt = body.get("response_format")
    if fmt is not None and fmt.get("type") == "json_object":
        request["response_format"] = {"type": "json_object"}
    elif fmt is not None and fmt.get("type") == "json_schema":
        schema = fmt["json_schema"].get("schema")  # type: ignore[typeddict-item]
        request["response_format"] = {"type": "json_object", "json_schema": dict(schema or {})}
    return request


def usage_of(raw: wire.Usage | None) -> CompletionUsage:
    """OpenAI usage from Cohere's: the billed units, else the raw token counts."""
    raw = raw or {}
    counts: wire.Tokens | wire.BilledUnits = raw.get("billed_units") or raw.get("tokens") or {}
    return usage(int(counts.get("input_tokens") or 0), int(counts.get("output_tokens") or 0))


def _tool_calls(message: wire.Message) -> list[FunctionToolCall]:
    calls: list[FunctionToolCall] = []
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        calls.append(
            {
                "id": str(call.get("id") or new_id("call")),
                "type": "function",
                "function": {
                    "name": str(function.get("name", "")),
                    "arguments": str(function.get("arguments") or "{}"),
                },
            }
        )
    return calls


def from_cohere(response: wire.ChatResponse, model: str) -> ChatCompletion:
    message = response.get("message") or {}
    text = "".join(
        str(block.get("text", ""))
        for block in message.get("content") or []
        if isinstance(block, dict) and block.get("type") == "text"
    )
    calls = _tool_calls(message)
    out: CompletionMessage = {"role": "assistant", "content": text or (None if calls else "")}
    if calls:
        out["tool_calls"] = calls
    finish = FINISH_REASONS.get(str(response.get("finish_reason")), "stop")
    choice = {"index": 0, "message": out, "finish_reason": finish}
    return completion(
        str(response.get("id") or new_id()),
        model,
        [choice],  # type: ignore[list-item]
        usage_of(response.get("usage")),
    )
