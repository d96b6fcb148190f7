"""OpenAI chat format <-> Gemini ``generateContent``, both ways, without I/O.

Requests: system and developer messages become ``systemInstruction``, assistant turns
``model`` turns (``tool_calls`` as ``functionCall`` parts), tool results
``functionResponse`` parts (named after the call they answer), images ``inlineData`` /
``fileData``; sampling options go to ``generationConfig`` (JSON mode as
``responseMimeType``, a JSON schema as ``responseJsonSchema``, ``reasoning_effort`` as a
``thinkingBudget``); ``tools`` become ``functionDeclarations`` and ``tool_choice`` a
``functionCallingConfig``. A body that is not an OpenAI chat request raises
:class:`~radiant.providers.openai_wire.InvalidRequest` (the caller's 400).

A function call's ``thoughtSignature`` (Gemini 3 wants it back with the call in the next
turn) travels in the OpenAI tool call id, after
:data:`~radiant.providers.openai_format.SIGNATURE_MARK`.

Usage: ``promptTokenCount`` (plus tool-use prompt tokens) is ``prompt_tokens``, with
``cachedContentTokenCount`` as ``prompt_tokens_details.cached_tokens``;
``candidatesTokenCount`` plus ``thoughtsTokenCount`` is ``completion_tokens``, thoughts
also as ``completion_tokens_details.reasoning_tokens``.
"""

from __future__ import annotations

import json
from typing import Any

from radiant.providers.openai_format import (
    REASONING_BUDGETS,
    content_parts,
    data_url,
    max_tokens,
    parse_arguments,
    split_signature,
    usage,
    with_signature,
)
from radiant.providers.openai_wire import check_chat

__all__ = [
    "FINISH_REASONS",
    "choice_of",
    "count_calls",
    "finish_reason",
    "to_gemini",
    "usage_of",
]

FINISH_REASONS = {"STOP": "stop", "MAX_TOKENS": "length"}
_FILTERED = {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY"}

_CONFIG = {
    "temperature": "temperature",
    "top_p": "topP",
    "n": "candidateCount",
    "seed": "seed",
    "presence_penalty": "presencePenalty",
    "frequency_penalty": "frequencyPenalty",
}


def _part(part: dict[str, Any]) -> dict[str, Any] | None:
    if part.get("type") == "text":
        return {"text": str(part.get("text", ""))}
    if part.get("type") == "image_url":
        url = str((part.get("image_url") or {}).get("url", ""))
        inline = data_url(url)
        if inline:
            return {"inlineData": {"mimeType": inline[0], "data": inline[1]}}
        return {"fileData": {"fileUri": url}}
    return None


def _parts(content: Any) -> list[dict[str, Any]]:
    return [p for p in (_part(x) for x in content_parts(content)) if p is not None]


def _append(contents: list[dict[str, Any]], role: str, parts: list[dict[str, Any]]) -> None:
    if not parts:
        return
    if contents and contents[-1]["role"] == role:
        contents[-1]["parts"].extend(parts)
    else:
        contents.append({"role": role, "parts": parts})


def _contents(body: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    system: list[dict[str, Any]] = []
    contents: list[dict[str, Any]] = []
    names: dict[str, str] = {}  # tool_call_id -> function name
    for message in body.get("messages") or []:
        role = message.get("role")
        if role in ("system", "developer"):
            system.extend(_parts(message.get("content")))
        elif role == "assistant":
            parts = [p for p in _parts(message.get("content")) if p.get("text", True)]
            for call in message.get("tool_calls") or []:
                function = call.get("function") or {}
                names[str(call.get("id"))] = str(function.get("name", ""))
                args = parse_arguments(function.get("arguments"))
                part: dict[str, Any] = {
                    "functionCall": {"name": function.get("name", ""), "args": args}
                }
                _, signature = split_signature(str(call.get("id") or ""))
                if signature:
                    part["thoughtSignature"] = signature
                parts.append(part)
            _append(contents, "model", parts)
        elif role == "tool":
            text = "".join(p.get("text", "") for p in _parts(message.get("content")))
            try:
                result = json.loads(text)
            except ValueError:
                result = text
            response = result if isinstance(result, dict) else {"content": result}
            name = names.get(str(message.get("tool_call_id")), str(message.get("name", "")))
            _append(contents, "user", [{"functionResponse": {"name": name, "response": response}}])
        else:
            _append(contents, "user", _parts(message.get("content")))
    return system, contents


def _generation_config(body: dict[str, Any]) -> dict[str, Any]:
    config = {theirs: body[ours] for ours, theirs in _CONFIG.items() if body.get(ours) is not None}
    if (limit := max_tokens(body)) is not None:
        config["maxOutputTokens"] = limit
    stop = body.get("stop")
    if stop:
        config["stopSequences"] = [stop] if isinstance(stop, str) else list(stop)
    fmt = body.get("response_format") or {}
    if fmt.get("type") in ("json_object", "json_schema"):
        config["responseMimeType"] = "application/json"
        schema = (fmt.get("json_schema") or {}).get("schema")
        if schema:
            config["responseJsonSchema"] = schema
    effort = body.get("reasoning_effort")
    if effort in REASONING_BUDGETS:
        config["thinkingConfig"] = {"thinkingBudget": REASONING_BUDGETS[effort]}
    return config


def _tool_config(choice: Any) -> dict[str, Any] | None:
    if choice == "auto":
        return {"functionCallingConfig": {"mode": "AUTO"}}
    if choice == "required":
        return {"functionCallingConfig": {"mode": "ANY"}}
    if choice == "none":
        return {"functionCallingConfig": {"mode": "NONE"}}
    if isinstance(choice, dict) and choice.get("type") == "function":
        name = (choice.get("function") or {}).get("name", "")
        return {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": [name]}}
    return None


def to_gemini(body: dict[str, Any]) -> dict[str, Any]:
    """A ``generateContent`` request for an OpenAI chat completions request (the model
    goes in the URL)."""
    check_chat(body)
    system, contents = _contents(body)
    request: dict[str, Any] = {"contents": contents}
    if system:
        request["systemInstruction"] = {"parts": system}
    if config := _generation_config(body):
        request["generationConfig"] = config
    declarations = []
    for tool in body.get("tools") or []:
        function = tool.get("function") or {}
        declaration = {k: function[k] for k in ("name", "description") if function.get(k)}
        if function.get("parameters"):
            declaration["parameters"] = function["parameters"]
        declarations.append(declaration)
    if declarations:
        request["tools"] = [{"functionDeclarations": declarations}]
        if (tool_config := _tool_config(body.get("tool_choice"))) is not None:
            request["toolConfig"] = tool_config
    return request


def usage_of(meta: dict[str, Any]) -> dict[str, Any]:
    prompt = int(meta.get("promptTokenCount") or 0) + int(meta.get("toolUsePromptTokenCount") or 0)
    thoughts = int(meta.get("thoughtsTokenCount") or 0)
    answer = int(meta.get("candidatesTokenCount") or 0) + thoughts
    cached = int(meta.get("cachedContentTokenCount") or 0)
    return usage(prompt, answer, cached=cached, reasoning=thoughts)


def finish_reason(raw: Any, has_calls: bool) -> str | None:
    if raw is None or raw == "FINISH_REASON_UNSPECIFIED":
        return None
    if raw in _FILTERED:
        return "content_filter"
    if has_calls:
        return "tool_calls"
    return FINISH_REASONS.get(str(raw), "stop")


def choice_of(candidate: dict[str, Any], call_ids: list[str]) -> dict[str, Any]:
    """``{content, reasoning_content, tool_calls, finish_reason}`` of one candidate;
    ``call_ids`` names the tool calls (one id per functionCall part, in order)."""
    text: list[str] = []
    thoughts: list[str] = []
    calls: list[dict[str, Any]] = []
    for part in (candidate.get("content") or {}).get("parts") or []:
        if "functionCall" in part:
            call = part["functionCall"]
            call_id = with_signature(call_ids[len(calls)], part.get("thoughtSignature"))
            calls.append(
                {
                    "index": len(calls),
                    "id": call_id,
                    "type": "function",
                    "function": {
                        "name": call.get("name", ""),
                        "arguments": json.dumps(call.get("args") or {}),
                    },
                }
            )
        elif part.get("thought") and "text" in part:
            thoughts.append(str(part["text"]))
        elif "text" in part:
            text.append(str(part["text"]))
    return {
        "content": "".join(text) if text else None,
        "reasoning_content": "".join(thoughts) if thoughts else None,
        "tool_calls": calls,
        "finish_reason": finish_reason(candidate.get("finishReason"), bool(calls)),
    }


def count_calls(candidate: dict[str, Any]) -> int:
    parts = (candidate.get("content") or {}).get("parts") or []
    return sum(1 for part in parts if "functionCall" in part)
