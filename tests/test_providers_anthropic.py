"""Anthropic Messages behind the OpenAI format: requests translated (system, tools, tool
results, images, JSON mode, thinking), answers and stream events translated back with
tool calls and cache-aware usage, errors typed (also those sent inside a stream)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from providers_fakes import KEY, Trouble, Upstream, collect, fail, run, serve
from radiant.errors import ProviderError
from radiant.providers import UpstreamTarget
from radiant.providers.anthropic_translate import to_anthropic
from radiant.providers.shapes.openai import ChatParams, FunctionToolParam, TextPartParam

pytestmark = pytest.mark.slow
WEATHER: FunctionToolParam = {
    "type": "function",
    "function": {
        "name": "weather",
        "description": "Weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}
#: 10 fresh + 100 cache reads + 20 cache writes in, 5 out
USAGE = {
    "prompt_tokens": 130,
    "completion_tokens": 5,
    "total_tokens": 135,
    "prompt_tokens_details": {"cached_tokens": 100, "cache_creation_tokens": 20},
}


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    yield from serve(Upstream())


def target(upstream: Upstream) -> UpstreamTarget:
    return UpstreamTarget(
        platform_id="direct",
        provider_id="anthropic",
        wire="anthropic",
        base_url=upstream.url("anthropic/v1"),
        model="claude-sonnet-4-5-20250929",
        api_key=KEY,
        timeout=2.0,
    )


def test_an_openai_conversation_becomes_a_messages_request() -> None:
    body: ChatParams = {
        "model": "claude",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "developer", "content": "Use metric units."},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Weather here?"},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBOR"}},
                ],
            },
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_9",
                        "type": "function",
                        "function": {"name": "weather", "arguments": '{"city": "Oslo"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_9", "content": "-3 C"},
            {"role": "user", "content": "And tomorrow?"},
        ],
        "tools": [WEATHER],
        "tool_choice": "required",
        "parallel_tool_calls": False,
        "stop": "END",
        "temperature": 0.2,
        "user": "u-1",
    }
    request = to_anthropic(body, "claude-sonnet-4-5")
    assert request["model"] == "claude-sonnet-4-5" and request["max_tokens"] == 4096
    assert request["system"] == "Be brief.\n\nUse metric units."
    assert [m["role"] for m in request["messages"]] == ["user", "assistant", "user"]
    image = request["messages"][0]["content"][1]
    assert image == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": "iVBOR"},
    }
    assert request["messages"][1]["content"] == [
        {"type": "tool_use", "id": "call_9", "name": "weather", "input": {"city": "Oslo"}}
    ]
    # the tool result and the next user text share one user turn
    result, follow_up = request["messages"][2]["content"]
    assert result == {
        "type": "tool_result",
        "tool_use_id": "call_9",
        "content": [{"type": "text", "text": "-3 C"}],
    }
    assert follow_up == {"type": "text", "text": "And tomorrow?"}
    assert request["tools"] == [
        {
            "name": "weather",
            "description": "Weather in a city",
            "input_schema": WEATHER["function"]["parameters"],
        }
    ]
    assert request["tool_choice"] == {"type": "any", "disable_parallel_tool_use": True}
    assert request["stop_sequences"] == ["END"] and request["temperature"] == 0.2
    assert request["metadata"] == {"user_id": "u-1"}


def test_no_tool_use_carries_no_parallel_flag() -> None:
    """Anthropic's ``tool_choice`` ``none`` has a ``type`` and nothing else: with
    ``parallel_tool_calls: false`` it is still just ``{"type": "none"}``."""
    body: ChatParams = {
        "messages": [{"role": "user", "content": "Hi"}],
        "tools": [WEATHER],
        "tool_choice": "none",
        "parallel_tool_calls": False,
    }
    assert to_anthropic(body, "claude")["tool_choice"] == {"type": "none"}
    auto = to_anthropic({**body, "tool_choice": "auto"}, "claude")["tool_choice"]
    assert auto == {"type": "auto", "disable_parallel_tool_use": True}


def test_empty_texts_are_left_out() -> None:
    body: ChatParams = {
        "messages": [
            {"role": "user", "content": "Go"},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "ping", "arguments": ""}}
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": ""},
        ]
    }
    request = to_anthropic(body, "claude")
    assert request["messages"][1]["content"] == [
        {"type": "tool_use", "id": "c1", "name": "ping", "input": {}}
    ]
    assert request["messages"][2]["content"] == [{"type": "tool_result", "tool_use_id": "c1"}]


def test_json_mode_thinking_and_cache_control() -> None:
    cached: TextPartParam = {
        "type": "text",
        "text": "A long manual.",
        "cache_control": {"type": "ephemeral"},
    }
    body: ChatParams = {
        "messages": [{"role": "system", "content": [cached]}, {"role": "user", "content": "Q"}],
        "response_format": {"type": "json_object"},
        "reasoning_effort": "low",
        "max_tokens": 100,
        "temperature": 1,
    }
    request: Mapping[str, Any] = to_anthropic(body, "claude")  # read as the JSON it is
    assert request["system"][0] == cached
    assert "JSON" in request["system"][1]["text"]
    assert request["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    assert request["max_tokens"] > 1024 and "temperature" not in request


def test_chat_translates_the_answer_and_cache_usage(upstream: Upstream) -> None:
    done = run(
        target(upstream),
        lambda a: a.chat({"model": "claude", "messages": [{"role": "user", "content": "Hi"}]}),
    )
    assert done["object"] == "chat.completion"
    assert done["choices"][0]["message"] == {"role": "assistant", "content": "Hello there"}
    assert done["choices"][0]["finish_reason"] == "stop"
    assert done["usage"] == USAGE
    sent = upstream.last
    assert sent.path == "/anthropic/v1/messages" and sent.headers["x-api-key"] == KEY
    assert sent.headers["anthropic-version"] == "2023-06-01"
    assert sent.body["model"] == "claude-sonnet-4-5-20250929"


def test_chat_returns_tool_calls(upstream: Upstream) -> None:
    body: ChatParams = {"messages": [{"role": "user", "content": "Weather?"}], "tools": [WEATHER]}
    done = run(target(upstream), lambda a: a.chat(body))
    choice = done["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    call = choice["message"]["tool_calls"][0]
    assert call["id"] == "toolu_1" and call["function"]["name"] == "weather"
    assert json.loads(call["function"]["arguments"]) == {"city": "Paris"}


def test_stream_events_become_chunks_with_usage_last(upstream: Upstream) -> None:
    chunks, error = collect(target(upstream), {"messages": [{"role": "user", "content": "Hi"}]})
    assert error is None
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == "Hello there"
    finishes = [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]]
    assert finishes[-1] == "stop"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] == USAGE
    assert {c["id"] for c in chunks} == {"msg_1"}
    assert upstream.last.body["stream"] is True


def test_streamed_tool_calls_assemble(upstream: Upstream) -> None:
    body: ChatParams = {"messages": [{"role": "user", "content": "Weather?"}], "tools": [WEATHER]}
    chunks, error = collect(target(upstream), body)
    assert error is None
    calls = [
        tc for c in chunks if c["choices"] for tc in c["choices"][0]["delta"].get("tool_calls", [])
    ]
    assert calls[0]["id"] == "toolu_1" and calls[0]["function"]["name"] == "weather"
    assert {tc["index"] for tc in calls} == {0}
    arguments = "".join(tc["function"]["arguments"] for tc in calls)
    assert json.loads(arguments) == {"city": "Paris"}
    assert [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]][-1] == "tool_calls"


def test_thinking_with_tools_round_trips_its_signature(upstream: Upstream) -> None:
    body: ChatParams = {
        "messages": [{"role": "user", "content": "Weather?"}],
        "tools": [WEATHER],
        "reasoning_effort": "low",
    }
    done = run(target(upstream), lambda a: a.chat(body))
    message = done["choices"][0]["message"]
    assert message["reasoning_content"] == "Hmm."
    (call,) = message["tool_calls"]
    assert call["id"] == "toolu_1~sig~EqQBsig"

    chunks, error = collect(target(upstream), body)
    assert error is None
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    assert "".join(d.get("reasoning_content", "") for d in deltas) == "Hmm."
    streamed = [tc for d in deltas for tc in d.get("tool_calls", []) if tc.get("id")]
    assert streamed[0]["id"] == "toolu_1~sig~EqQBsig"

    # the answer's message goes back as it came (an answer is not typed as a request)
    follow_up: list[Any] = [
        *body["messages"],
        message,
        {"role": "tool", "tool_call_id": call["id"], "content": "sunny"},
    ]
    request: Mapping[str, Any] = to_anthropic({**body, "messages": follow_up}, "claude")
    assistant = request["messages"][1]["content"]
    assert assistant[0] == {"type": "thinking", "thinking": "Hmm.", "signature": "EqQBsig"}
    assert assistant[1] == {"type": "text", "text": "Hello there"}
    assert assistant[2]["id"] == "toolu_1"
    assert request["messages"][2]["content"][0]["tool_use_id"] == "toolu_1"


def test_an_error_event_mid_stream_is_a_typed_error(upstream: Upstream) -> None:
    event = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    upstream.script.append(Trouble(error_at=4, error_event=event))
    chunks, error = collect(target(upstream), {"messages": [{"role": "user", "content": "Hi"}]})
    assert [c["choices"][0]["delta"].get("content") for c in chunks] == ["", "Hel"]
    assert isinstance(error, ProviderError)
    assert (error.status, error.code, error.retryable) == (529, "overloaded_error", True)


def test_a_stream_ending_before_message_stop_is_a_protocol_error(upstream: Upstream) -> None:
    upstream.script.append(Trouble(truncate=6))
    chunks, error = collect(target(upstream), {"messages": [{"role": "user", "content": "Hi"}]})
    assert len(chunks) == 3
    assert isinstance(error, ProviderError) and error.kind == "protocol"
    upstream.script.append(Trouble(cut=3))
    chunks, error = collect(target(upstream), {"messages": [{"role": "user", "content": "Hi"}]})
    assert len(chunks) == 1 and isinstance(error, ProviderError) and error.kind == "protocol"


def test_http_errors_keep_anthropic_details(upstream: Upstream) -> None:
    limited = {"type": "error", "error": {"type": "rate_limit_error", "message": "Slow down"}}
    upstream.script.append(Trouble(status=429, body=json.dumps(limited).encode(), retry_after="12"))
    error = fail(
        target(upstream), lambda a: a.chat({"messages": [{"role": "user", "content": "Hi"}]})
    )
    assert (error.status, error.retry_after, error.code) == (429, 12.0, "rate_limit_error")
    assert "Slow down" in str(error) and error.provider == "direct:anthropic"

    too_long = {
        "type": "error",
        "error": {
            "type": "invalid_request_error",
            "message": "prompt is too long: 210000 tokens > 200000 maximum",
        },
    }
    upstream.script.append(Trouble(status=400, body=json.dumps(too_long).encode()))
    error = fail(
        target(upstream), lambda a: a.chat({"messages": [{"role": "user", "content": "Hi"}]})
    )
    assert error.context_too_long and not error.retryable


def test_a_wrong_key_is_not_retryable(upstream: Upstream) -> None:
    wrong = UpstreamTarget(**{**target(upstream).__dict__, "api_key": "nope"})
    error = fail(wrong, lambda a: a.chat({"messages": [{"role": "user", "content": "Hi"}]}))
    assert error.status == 401 and not error.retryable and "invalid x-api-key" in str(error)
    assert "nope" not in str(error)
