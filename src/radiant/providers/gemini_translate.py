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
from dataclasses import dataclass

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
from radiant.providers.shapes import gemini as wire
from radiant.providers.shapes.openai import (
    ChatParams,
    CompletionUsage,
    ContentPartParam,
    FinishReason,
    FunctionToolCall,
    MessageContent,
    ToolChoiceParam,
)

__all__ = [
    "FINISH_REASONS",
    "Reply",
    "choice_of",
    "count_calls",
    "finish_reason",
    "to_gemini",
    "usage_of",
]

FINISH_REASONS: dict[str, FinishReason] = {"STOP": "stop", "MAX_TOKENS": "length"}
_FILTERED = {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY"}


def _part(part: ContentPartParam) -> wire.Part | None:
    if part["type"] == "text":
        return {"text": part["text"]}
    if part["type"] == "image_url":
        url = part["image_url"]["url"]
        inline = data_url(url)
        if inline:
            return {"inlineData": {"mimeType": inline[0], "data": inline[1]}}
        return {"fileData": {"fileUri": url}}
    return None


def _parts(content: MessageContent | None) -> list[wire.Part]:
    return [p for p in (_part(x) for x in content_parts(content)) if p is not None]


def _append(contents: list[wire.Content], role: wire.Role, parts: list[wire.Part]) -> None:
    if not parts:
        return
    if contents and contents[-1].get("role") == role:
        contents[-1]["parts"].extend(parts)
    else:
        contents.append({"role": role, "parts": parts})


def _contents(body: ChatParams) -> tuple[list[wire.Part], list[wire.Content]]:
    system: list[wire.Part] = []
    contents: list[wire.Content] = []
    names: dict[str, str] = {}  # tool_call_id -> function name
    for message in body.get("messages") or []:
        if message["role"] == "system" or message["role"] == "developer":
            system.extend(_parts(message["content"]))
        elif message["role"] == "assistant":
            parts = [p for p in _parts(message.get("content")) if p.get("text", True)]
            for call in message.get("tool_calls") or []:
                # a custom tool call has no function: a nameless call, as it was
                function = call["function"] if call["type"] == "function" else None
                name = function["name"] if function else ""
                names[call["id"]] = name
                args = parse_arguments(function["arguments"] if function else None)
                part: wire.Part = {"functionCall": {"name": name, "args": args}}
                _, signature = split_signature(call["id"])
                if signature:
                    part["thoughtSignature"] = signature
                parts.append(part)
            _append(contents, "model", parts)
        elif message["role"] == "tool":
            text = "".join(p.get("text", "") for p in _parts(message["content"]))
            try:
                result = json.loads(text)
            except ValueError:
                result = text
            response = result if isinstance(result, dict) else {"content": result}
            name = names.get(message["tool_call_id"], str(message.get("name", "")))
            _append(contents, "user", [{"functionResponse": {"name": name, "response": response}}])
        else:
            _append(contents, "user", _parts(message["content"]))
    return system, contents


def _generation_config(body: ChatParams) -> wire.GenerationConfig:
    config: wire.GenerationConfig = {}
    if (temperature := body.get("temperature")) is not None:
        config["temperature"] = temperature
    if (top_p := body.get("top_p")) is not None:
        config["topP"] = top_p
    if (n := body.get("n")) is not None:
        config["candidateCount"] = int(n)
    if (seed := body.get("seed")) is not None:
        config["seed"] = int(seed)
    if (presence := body.get("presence_penalty")) is not None:
        config["presencePenalty"] = presence
    if (frequency := body.get("frequency_penalty")) is not None:
        config["frequencyPenalty"] = frequency
    if (limit := max_tokens(body)) is not None:
        config["maxOutputTokens"] = limit
    stop = body.get("stop")
    if stop:
        config["stopSequences"] = [stop] if isinstance(stop, str) else list(stop)
    fmt = body.get("response_format")
    if fmt is not None and fmt["type"] in ("json_object", "json_schema"):
        config["responseMimeType"] = "application/json"
        if fmt["type"] == "json_schema" and (schema := fmt["json_schema"].get("schema")):
            config["responseJsonSchema"] = schema
    effort = body.get("reasoning_effort")
    if effort is not None and effort in REASONING_BUDGETS:
        config["thinkingConfig"] = {"thinkingBudget": REASONING_BUDGETS[effort]}
    return config


def _tool_config(choice: ToolChoiceParam | None) -> wire.ToolConfig | None:
    if choice == "auto":
        return {"functionCallingConfig": {"mode": "AUTO"}}
    if choice == "required":
        return {"functionCallingConfig": {"mode": "ANY"}}
    if choice == "none":
        return {"functionCallingConfig": {"mode": "NONE"}}
    if isinstance(choice, dict) and choice["type"] == "function":
        name = choice["function"]["name"]
        return {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": [name]}}
    return None


def _declarations(body: ChatParams) -> list[wire.FunctionDeclaration]:
    declarations: list[wire.FunctionDeclaration] = []
    for tool in body.get("tools") or []:
        declaration: wire.FunctionDeclaration = {}
        if tool["type"] == "function":  # a custom tool: an empty declaration, as it was
            function = tool["function"]
            if name := function["name"]:
                declaration["name"] = name
            if description := function.get("description"):
                declaration["description"] = description
            if parameters := function.get("parameters"):
                declaration["parameters"] = parameters
        declarations.append(declaration)
    return declarations


def to_gemini(body: ChatParams) -> wire.GenerateContentRequest:
    """A ``generateContent`` request for an OpenAI chat completions request (the model
    goes in the URL)."""
    check_chat(body)
    system, contents = _contents(body)
    request: wire.GenerateContentRequest = {"contents": contents}
    if system:
        request["systemInstruction"] = {"parts": system}
    if config := _generation_config(body):
        request["generationConfig"] = config
    if declarations := _declarations(body):
        request["tools"] = [{"functionDeclarations": declarations}]
        if (tool_config := _tool_config(body.get("tool_choice"))) is not None:
            request["toolConfig"] = tool_config
    return request


def usage_of(meta: wire.UsageMetadata) -> CompletionUsage:
    prompt = int(meta.get("promptTokenCount") or 0) + int(meta.get("toolUsePromptTokenCount") or 0)
    thoughts = int(meta.get("thoughtsTokenCount") or 0)
    answer = int(meta.get("candidatesTokenCount") or 0) + thoughts
    cached = int(meta.get("cachedContentTokenCount") or 0)
    return usage(prompt, answer, cached=cached, reasoning=thoughts)


def finish_reason(raw: object, has_calls: bool) -> FinishReason | None:
    if raw is None or raw == "FINISH_REASON_UNSPECIFIED":
        return None
    if raw in _FILTERED:
        return "content_filter"
    if has_calls:
        return "tool_calls"
    return FINISH_REASONS.get(str(raw), "stop")


@dataclass(slots=True)
class Reply:
    """What one candidate says, in OpenAI's terms."""

    content: str | None
    reasoning_content: str | None
    tool_calls: list[FunctionToolCall]
    finish_reason: FinishReason | None


def _parts_of(candidate: wire.Candidate) -> list[wire.Part]:
    """A candidate's parts (an upstream's: only the objects among them)."""
    parts = (candidate.get("content") or {}).get("parts") or []
    return [part for part in parts if isinstance(part, dict)]


def choice_of(candidate: wire.Candidate, call_ids: list[str]) -> Reply:
    """What one candidate says; ``call_ids`` names the tool calls (one id per
    functionCall part, in order)."""
    text: list[str] = []
    thoughts: list[str] = []
    calls: list[FunctionToolCall] = []
    for part in _parts_of(candidate):
        if "functionCall" in part:
            call = part["functionCall"]
            call_id = with_signature(call_ids[len(calls)], part.get("thoughtSignature"))
            calls.append(
                {
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
    return Reply(
        "".join(text) if text else None,
        "".join(thoughts) if thoughts else None,
        calls,
        finish_reason(candidate.get("finishReason"), bool(calls)),
    )


def count_calls(candidate: wire.Candidate) -> int:
    return sum(1 for part in _parts_of(candidate) if "functionCall" in part)
