"""The OpenAI-compatible wire adapter against a fake upstream on 127.0.0.1 (real HTTP):
chat (tools, JSON mode), streams with usage in the last chunk, embeddings, images, speech,
transcriptions, Azure's URL shape, and every failure as a typed ProviderError."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any, TypeVar

import pytest

from providers_fakes import KEY, Trouble, Upstream, collect, fail, resetting_server, run, serve
from radiant.errors import ProviderError, UnsupportedError
from radiant.http.client import HttpClient
from radiant.providers import UpstreamTarget
from radiant.providers.shapes.openai import MessageParam, ResponseFormatParam, ToolParam

pytestmark = pytest.mark.slow
T = TypeVar("T")
MESSAGES: list[MessageParam] = [{"role": "user", "content": "Say hello"}]


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    yield from serve(Upstream())


def openai_target(base: str, **overrides: Any) -> UpstreamTarget:
    fields: dict[str, Any] = dict(
        platform_id="together",
        wire="openai",
        base_url=base,
        model="meta-llama/Llama-3-70b",
        api_key=KEY,
        timeout=2.0,
    )
    return UpstreamTarget(**{**fields, **overrides})


# ----------------------------------------------------------------------------- chat


def test_chat_returns_the_completion_for_the_route_model(upstream: Upstream) -> None:
    target = openai_target(upstream.url("openai/v1"))
    done = run(
        target, lambda a: a.chat({"model": "llama-3-70b", "messages": MESSAGES, "stream": False})
    )
    assert done["choices"][0]["message"]["content"] == "Hello there"
    assert done["usage"] == {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}
    sent = upstream.last
    assert sent.path == "/openai/v1/chat/completions"
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    # the client's alias is replaced by the route's upstream model string
    assert sent.body["model"] == "meta-llama/Llama-3-70b" and "stream" not in sent.body


def test_tools_and_json_mode_pass_through(upstream: Upstream) -> None:
    target = openai_target(upstream.url("openai/v1"))
    tools: list[ToolParam] = [
        {"type": "function", "function": {"name": "weather", "parameters": {"type": "object"}}}
    ]
    done = run(
        target, lambda a: a.chat({"messages": MESSAGES, "tools": tools, "tool_choice": "auto"})
    )
    call = done["choices"][0]["message"]["tool_calls"][0]
    assert call["function"] == {"name": "weather", "arguments": '{"city": "Paris"}'}
    assert done["choices"][0]["finish_reason"] == "tool_calls"
    assert upstream.last.body["tools"] == tools and upstream.last.body["tool_choice"] == "auto"

    fmt: ResponseFormatParam = {"type": "json_object"}
    done = run(target, lambda a: a.chat({"messages": MESSAGES, "response_format": fmt}))
    assert done["choices"][0]["message"]["content"] == '{"ok": true}'
    assert upstream.last.body["response_format"] == fmt


def test_stream_asks_for_usage_and_ends_with_it(upstream: Upstream) -> None:
    target = openai_target(upstream.url("openai/v1"))
    # an option OpenAI does not name passes through
    options: Any = {"foo": 1}
    chunks, error = collect(target, {"messages": MESSAGES, "stream_options": options})
    assert error is None
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == "Hello there"
    assert chunks[-1]["usage"] == {"prompt_tokens": 12, "completion_tokens": 2, "total_tokens": 14}
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    sent = upstream.last.body
    assert sent["stream"] is True and sent["stream_options"] == {"foo": 1, "include_usage": True}


def test_a_server_refusing_stream_options_is_not_sent_them(upstream: Upstream) -> None:
    """``wire_options: {stream_usage: false}`` (built in for api.mistral.ai)."""
    target = openai_target(upstream.url("openai/v1"), options={"stream_usage": False})
    options: Any = {"x": 1}
    chunks, error = collect(target, {"messages": MESSAGES, "stream_options": options})
    assert error is None and "stream_options" not in upstream.last.body
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks) == "Hello there"


def test_mistral_is_known_to_refuse_stream_options() -> None:
    from radiant.providers.openai_compat import OpenAICompatibleAdapter

    async def check() -> tuple[bool, bool]:
        async with HttpClient() as client:
            mistral = openai_target("https://api.mistral.ai/v1")
            forced = openai_target("https://api.mistral.ai/v1", options={"stream_usage": True})
            return (
                OpenAICompatibleAdapter(mistral, client).stream_usage,
                OpenAICompatibleAdapter(forced, client).stream_usage,
            )

    assert asyncio.run(check()) == (False, True)


def test_azure_deployment_url_api_version_and_api_key_header(upstream: Upstream) -> None:
    target = openai_target(
        upstream.url("azure"),
        platform_id="azure_openai",
        wire="azure_openai",
        model="gpt4o-prod",
        api_version="2024-10-21",
    )
    done = run(target, lambda a: a.chat({"model": "gpt-4o", "messages": MESSAGES}))
    assert done["choices"][0]["message"]["content"] == "Hello there"
    sent = upstream.last
    assert sent.path == "/azure/openai/deployments/gpt4o-prod/chat/completions"
    assert sent.query == {"api-version": "2024-10-21"}
    assert sent.headers["api-key"] == KEY and "authorization" not in sent.headers
    chunks, error = collect(target, {"messages": MESSAGES})
    usage = chunks[-1]["usage"]
    assert error is None and usage is not None and usage["total_tokens"] == 14


def test_a_local_server_without_a_key_sends_no_authorization(upstream: Upstream) -> None:
    target = openai_target(upstream.url("openai/v1"), platform_id="local", api_key=None)
    error = fail(target, lambda a: a.chat({"messages": MESSAGES}))
    assert "authorization" not in upstream.last.headers
    assert error.status == 401 and "Incorrect API key" in str(error) and not error.retryable


# ----------------------------------------------------------------------------- other endpoints


def test_embeddings_images_speech_and_transcriptions(upstream: Upstream) -> None:
    target = openai_target(upstream.url("openai/v1"), model="text-embedding-3-small")
    done = run(target, lambda a: a.embeddings({"model": "emb", "input": ["a", "b"]}))
    assert [d["index"] for d in done["data"]] == [0, 1] and done["usage"]["prompt_tokens"] == 8
    assert upstream.last.body["model"] == "text-embedding-3-small"

    images = run(target, lambda a: a.images({"prompt": "a cat", "n": 2, "size": "1024x1024"}))
    assert len(images["data"]) == 2 and upstream.last.path.endswith("/images/generations")

    audio, content_type = run(target, lambda a: a.speech({"input": "hi", "voice": "alloy"}))
    assert audio == b"ID3fake-mp3-bytes" and content_type == "audio/mpeg"

    heard = run(target, lambda a: a.transcription(b"\x00" * 1234, "note.wav", {"language": "en"}))
    assert heard["text"] == "heard 1234 bytes"
    assert upstream.last.body["file"] == {"filename": "note.wav", "size": 1234}
    assert upstream.last.body["language"] == "en"
    assert upstream.last.body["model"] == "text-embedding-3-small"

    plain = run(target, lambda a: a.transcription(b"x", "a.mp3", {"response_format": "text"}))
    assert plain == {"text": "hello world\n"}


# ----------------------------------------------------------------------------- failures


def test_a_500_is_a_retryable_provider_error(upstream: Upstream) -> None:
    upstream.script.append(
        Trouble(status=500, body=b'{"error": {"message": "boom", "type": "server_error"}}')
    )
    error = fail(openai_target(upstream.url("openai/v1")), lambda a: a.chat({"messages": MESSAGES}))
    assert (error.kind, error.status, error.code) == ("http", 500, "server_error")
    assert error.retryable and error.provider == "together" and "boom" in str(error)
    assert error.problem_status == 502


def test_a_429_keeps_its_retry_after(upstream: Upstream) -> None:
    upstream.script.append(Trouble(status=429, retry_after="7"))
    error = fail(openai_target(upstream.url("openai/v1")), lambda a: a.chat({"messages": MESSAGES}))
    assert error.status == 429 and error.retry_after == 7.0 and error.retryable
    # also before a stream starts
    upstream.script.append(Trouble(status=429, retry_after="3"))
    chunks, stream_error = collect(openai_target(upstream.url("openai/v1")), {"messages": MESSAGES})
    assert chunks == [] and isinstance(stream_error, ProviderError)
    assert stream_error.retry_after == 3.0


def test_context_too_long_is_told_apart(upstream: Upstream) -> None:
    body = (
        b'{"error": {"message": "This model\'s maximum context length is 8192 tokens",'
        b' "type": "invalid_request_error", "code": "context_length_exceeded"}}'
    )
    upstream.script.append(Trouble(status=400, body=body))
    error = fail(openai_target(upstream.url("openai/v1")), lambda a: a.chat({"messages": MESSAGES}))
    assert (
        error.context_too_long and not error.retryable and error.code == "context_length_exceeded"
    )
    upstream.script.append(Trouble(status=400, body=b'{"error": {"message": "bad temperature"}}'))
    error = fail(openai_target(upstream.url("openai/v1")), lambda a: a.chat({"messages": MESSAGES}))
    assert not error.context_too_long and error.body is not None and "bad temperature" in error.body


def test_malformed_json_is_a_protocol_error(upstream: Upstream) -> None:
    upstream.script.append(Trouble(status=200, body=b'{"choices": [oops'))
    error = fail(openai_target(upstream.url("openai/v1")), lambda a: a.chat({"messages": MESSAGES}))
    assert error.kind == "protocol" and error.retryable and error.status is None


def test_a_stream_cut_midway_raises_after_the_chunks_sent(upstream: Upstream) -> None:
    upstream.script.append(Trouble(cut=2))
    chunks, error = collect(openai_target(upstream.url("openai/v1")), {"messages": MESSAGES})
    assert len(chunks) == 2
    assert isinstance(error, ProviderError) and error.kind == "protocol" and error.retryable


def test_a_stream_that_ends_without_done_is_incomplete(upstream: Upstream) -> None:
    upstream.script.append(Trouble(truncate=3))
    chunks, error = collect(openai_target(upstream.url("openai/v1")), {"messages": MESSAGES})
    assert len(chunks) == 3
    assert isinstance(error, ProviderError) and error.kind == "protocol"
    assert "ended before" in str(error)


def test_an_error_event_inside_a_stream(upstream: Upstream) -> None:
    event = {"error": {"message": "The server is overloaded", "type": "server_error", "code": 503}}
    upstream.script.append(Trouble(error_at=1, error_event=event))
    chunks, error = collect(openai_target(upstream.url("openai/v1")), {"messages": MESSAGES})
    assert len(chunks) == 1
    assert isinstance(error, ProviderError) and error.status == 503 and error.retryable
    assert "overloaded" in str(error) and error.kind == "http"


def test_a_reset_connection_is_a_connect_error() -> None:
    with resetting_server() as base:
        error = fail(openai_target(base), lambda a: a.chat({"messages": MESSAGES}))
    assert error.kind == "connect" and error.retryable and error.status is None


def test_no_server_is_a_connect_error() -> None:
    from local_server import free_port

    error = fail(
        openai_target(f"http://127.0.0.1:{free_port()}"), lambda a: a.chat({"messages": MESSAGES})
    )
    assert error.kind == "connect" and error.retryable


def test_a_slow_upstream_times_out(upstream: Upstream) -> None:
    upstream.script.append(Trouble(delay=0.6))
    target = openai_target(upstream.url("openai/v1"), timeout=0.2)
    error = fail(target, lambda a: a.chat({"messages": MESSAGES}))
    assert error.kind == "timeout" and error.retryable and error.problem_status == 504


def test_a_stream_that_stalls_midway_times_out(upstream: Upstream) -> None:
    upstream.script.append(Trouble(stall_at=2, stall=0.8))
    target = openai_target(upstream.url("openai/v1"), timeout=0.2)
    chunks, error = collect(target, {"messages": MESSAGES})
    assert len(chunks) == 2
    assert isinstance(error, ProviderError) and error.kind == "timeout" and error.retryable


def test_a_wire_without_an_endpoint_is_refused_before_any_request(upstream: Upstream) -> None:
    target = openai_target(upstream.url("openai/v1"), wire="bedrock", platform_id="bedrock")
    error = fail(target, lambda a: a.chat({"messages": MESSAGES}))
    assert error.kind == "config" and "register_adapter('bedrock'" in str(error)
    with pytest.raises(UnsupportedError, match="does not support image generation"):
        run(target, lambda a: a.images({"prompt": "x"}))
    assert upstream.seen == []
