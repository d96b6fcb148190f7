"""Gemini generateContent / streamGenerateContent behind the OpenAI format: requests
translated (system instruction, function declarations and responses, images, JSON mode,
thinking), answers and SSE stream events translated back with tool calls, thoughts and
cache-aware usage; embeddings; Imagen images; typed errors (Veo: test_providers_videos.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from providers_fakes import KEY, Trouble, Upstream, collect, fail, run, serve
from radiant.errors import ProviderError
from radiant.providers import UpstreamTarget
from radiant.providers.gemini_translate import to_gemini
from radiant.providers.shapes.openai import ChatParams, FunctionToolParam, MessageParam

pytestmark = pytest.mark.slow
WEATHER: FunctionToolParam = {
    "type": "function",
    "function": {
        "name": "weather",
        "description": "Weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}
#: 120 prompt tokens of which 100 cached; 5 answer + 7 thinking tokens
USAGE = {
    "prompt_tokens": 120,
    "completion_tokens": 12,
    "total_tokens": 132,
    "prompt_tokens_details": {"cached_tokens": 100},
    "completion_tokens_details": {"reasoning_tokens": 7},
}
HI: list[MessageParam] = [{"role": "user", "content": "Hi"}]


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    yield from serve(Upstream())


def target(upstream: Upstream) -> UpstreamTarget:
    return UpstreamTarget(
        platform_id="direct",
        provider_id="google",
        wire="gemini",
        base_url=upstream.url("gemini/v1beta"),
        model="models/gemini-2.5-pro",
        api_key=KEY,
        timeout=2.0,
    )


def test_an_openai_conversation_becomes_a_generate_content_request() -> None:
    body: ChatParams = {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Weather here?"},
                    {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/"}},
                ],
            },
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {
                        "id": "call_9",
                        "type": "function",
                        "function": {"name": "weather", "arguments": '{"city": "Oslo"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_9", "content": '{"celsius": -3}'},
        ],
        "tools": [WEATHER],
        "tool_choice": {"type": "function", "function": {"name": "weather"}},
        "max_tokens": 200,
        "temperature": 0.3,
        "stop": ["END"],
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "reply", "schema": {"type": "object"}},
        },
        "reasoning_effort": "medium",
    }
    request = to_gemini(body)
    assert request["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    user, model, tool = request["contents"]
    assert user["parts"][1] == {"inlineData": {"mimeType": "image/jpeg", "data": "/9j/"}}
    assert model == {
        "role": "model",
        "parts": [{"functionCall": {"name": "weather", "args": {"city": "Oslo"}}}],
    }
    assert tool == {
        "role": "user",
        "parts": [{"functionResponse": {"name": "weather", "response": {"celsius": -3}}}],
    }
    assert request["tools"] == [
        {
            "functionDeclarations": [
                {
                    "name": "weather",
                    "description": "Weather in a city",
                    "parameters": WEATHER["function"]["parameters"],
                }
            ]
        }
    ]
    assert request["toolConfig"] == {
        "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["weather"]}
    }
    assert request["generationConfig"] == {
        "temperature": 0.3,
        "maxOutputTokens": 200,
        "stopSequences": ["END"],
        "responseMimeType": "application/json",
        "responseJsonSchema": {"type": "object"},
        "thinkingConfig": {"thinkingBudget": 4096},
    }


def test_chat_translates_answer_thoughts_and_cache_usage(upstream: Upstream) -> None:
    done = run(target(upstream), lambda a: a.chat({"model": "gemini", "messages": HI}))
    message = done["choices"][0]["message"]
    assert message == {
        "role": "assistant",
        "content": "Hello there",
        "reasoning_content": "thinking...",
    }
    assert done["choices"][0]["finish_reason"] == "stop"
    assert done["usage"] == USAGE and done["id"] == "resp-1"
    sent = upstream.last
    assert sent.path == "/gemini/v1beta/models/gemini-2.5-pro:generateContent"
    assert sent.headers["x-goog-api-key"] == KEY and sent.query == {}
    assert sent.body["contents"] == [{"role": "user", "parts": [{"text": "Hi"}]}]


def test_chat_returns_function_calls_as_tool_calls(upstream: Upstream) -> None:
    done = run(target(upstream), lambda a: a.chat({"messages": HI, "tools": [WEATHER]}))
    choice = done["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    (call,) = choice["message"]["tool_calls"]
    assert call["type"] == "function" and call["id"].startswith("call-")
    assert call["function"]["name"] == "weather"
    assert json.loads(call["function"]["arguments"]) == {"city": "Paris"}
    # the thought signature rides in the id and goes back with the call next turn
    assert call["id"].endswith("~sig~c2lnLTE=")
    # the answer's message goes back as it came (an answer is not typed as a request)
    follow_up: list[Any] = [
        *HI,
        choice["message"],
        {"role": "tool", "tool_call_id": call["id"], "content": "sunny"},
    ]
    model_turn = to_gemini({"messages": follow_up})["contents"][1]
    assert model_turn["parts"][-1]["thoughtSignature"] == "c2lnLTE="
    answer = to_gemini({"messages": follow_up})["contents"][2]["parts"][0]
    assert answer == {"functionResponse": {"name": "weather", "response": {"content": "sunny"}}}


def test_stream_uses_sse_and_ends_with_usage(upstream: Upstream) -> None:
    chunks, error = collect(target(upstream), {"messages": HI, "tools": [WEATHER]})
    assert error is None
    assert upstream.last.path.endswith(":streamGenerateContent")
    assert upstream.last.query == {"alt": "sse"}
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    assert deltas[0] == {"role": "assistant", "reasoning_content": "thinking..."}
    assert "".join(d.get("content") or "" for d in deltas) == "Hello there"
    (call,) = [tc for d in deltas for tc in d.get("tool_calls", [])]
    assert call["index"] == 0 and call["function"]["name"] == "weather"
    assert chunks[-2]["choices"][0]["finish_reason"] == "tool_calls"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] == USAGE


def test_a_stream_without_a_finish_reason_is_incomplete(upstream: Upstream) -> None:
    upstream.script.append(Trouble(truncate=2))
    chunks, error = collect(target(upstream), {"messages": HI})
    assert len(chunks) == 2
    assert isinstance(error, ProviderError) and error.kind == "protocol"
    upstream.script.append(Trouble(cut=1))
    chunks, error = collect(target(upstream), {"messages": HI})
    assert len(chunks) == 1 and isinstance(error, ProviderError) and error.retryable


def test_an_error_inside_the_stream(upstream: Upstream) -> None:
    event = {"error": {"code": 503, "message": "The model is overloaded", "status": "UNAVAILABLE"}}
    upstream.script.append(Trouble(error_at=1, error_event=event))
    chunks, error = collect(target(upstream), {"messages": HI})
    assert len(chunks) == 1
    assert isinstance(error, ProviderError)
    assert (error.status, error.code, error.retryable) == (503, "UNAVAILABLE", True)


def test_http_errors_keep_gemini_details(upstream: Upstream) -> None:
    body = {"error": {"code": 429, "message": "Resource exhausted", "status": "RESOURCE_EXHAUSTED"}}
    upstream.script.append(Trouble(status=429, body=json.dumps(body).encode(), retry_after="2"))
    error = fail(target(upstream), lambda a: a.chat({"messages": HI}))
    assert (error.status, error.retry_after, error.retryable) == (429, 2.0, True)
    assert "Resource exhausted" in str(error)
    too_long = {
        "error": {
            "code": 400,
            "message": "The input token count (1200000) exceeds the maximum number of tokens"
            " allowed (1048576).",
            "status": "INVALID_ARGUMENT",
        }
    }
    upstream.script.append(Trouble(status=400, body=json.dumps(too_long).encode()))
    error = fail(target(upstream), lambda a: a.chat({"messages": HI}))
    assert error.context_too_long and not error.retryable


def test_embeddings_batch(upstream: Upstream) -> None:
    done = run(target(upstream), lambda a: a.embeddings({"input": ["a", "b"], "dimensions": 2}))
    assert [d["embedding"] for d in done["data"]] == [[0.5, 0.0], [0.5, 1.0]]
    assert upstream.last.path.endswith("/models/gemini-2.5-pro:batchEmbedContents")
    first = upstream.last.body["requests"][0]
    assert first == {
        "model": "models/gemini-2.5-pro",
        "content": {"parts": [{"text": "a"}]},
        "outputDimensionality": 2,
    }


def test_openai_image_requests_reach_imagen(upstream: Upstream) -> None:
    imagen = UpstreamTarget(**{**target(upstream).__dict__, "model": "imagen-4.0-generate-001"})
    done = run(imagen, lambda a: a.images({"prompt": "a fox", "n": 2, "size": "1024x1792"}))
    assert done["data"] == [{"b64_json": "iVBORw0KGgo="}]
    assert upstream.last.body["parameters"] == {"sampleCount": 2, "aspectRatio": "9:16"}
