"""The OpenAI wire's typed request bodies: what they take (vendors' extensions too), what
they refuse and how the refusal names the parameter; the translators refuse a bad shape
as the client's error instead of crashing."""

from __future__ import annotations

from typing import Any

import pytest

from radiant.providers.anthropic_translate import to_anthropic
from radiant.providers.gemini_translate import to_gemini
from radiant.providers.openai_wire import (
    ChatCompletionRequest,
    EmbeddingsRequest,
    ImageGenerationRequest,
    InvalidRequest,
    SpeechRequest,
    TranscriptionForm,
    check_request,
)

HI = [{"role": "user", "content": "hi"}]

#: a chat body with a bit of everything OpenAI's chat completions take
FULL: dict[str, Any] = {
    "model": "gpt-4o",
    "messages": [
        {"role": "developer", "content": "Answer in French."},
        {"role": "system", "content": [{"type": "text", "text": "Be brief."}]},
        {
            "role": "user",
            "name": "ann",
            "content": [
                {"type": "text", "text": "What is this?"},
                {
                    "type": "image_url",
                    "image_url": {"url": "https://x.test/a.png", "detail": "low"},
                },
                {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
                {"type": "file", "file": {"file_id": "file-1"}},
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                {"id": "c2", "type": "custom", "custom": {"name": "g", "input": "x"}},
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "42"},
        {"role": "function", "name": "f", "content": None},
    ],
    "temperature": 0,
    "top_p": 1,
    "n": 2,
    "max_completion_tokens": 100,
    "frequency_penalty": -2,
    "presence_penalty": 2.0,
    "logit_bias": {"50256": -100},
    "logprobs": True,
    "top_logprobs": 20,
    "seed": -(2**63),
    "stop": ["\n\n"],
    "stream": True,
    "stream_options": {"include_usage": True},
    "tools": [
        {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}},
        {"type": "custom", "custom": {"name": "g", "format": {"type": "text"}}},
    ],
    "tool_choice": {"type": "allowed_tools", "allowed_tools": {"mode": "auto", "tools": []}},
    "parallel_tool_calls": False,
    "response_format": {"type": "json_schema", "json_schema": {"name": "r", "schema": {}}},
    "modalities": ["text", "audio"],
    "audio": {"voice": {"id": "v1"}, "format": "mp3"},
    "prediction": {"type": "content", "content": "draft"},
    "reasoning_effort": "low",
    "metadata": {"k": "v"},
    "user": "u1",
}


def test_what_openai_takes_is_taken() -> None:
    check_request(ChatCompletionRequest, FULL)
    for tool_choice in (
        "none",
        "auto",
        "required",
        {"type": "function", "function": {"name": "f"}},
    ):
        check_request(ChatCompletionRequest, {**FULL, "tool_choice": tool_choice})
    check_request(EmbeddingsRequest, {"model": "e", "input": [[1, 2], [3]], "dimensions": 8})
    check_request(ImageGenerationRequest, {"model": "i", "prompt": "a cat", "n": 10})
    check_request(SpeechRequest, {"model": "s", "input": "hi", "voice": "alloy", "speed": 0.25})
    check_request(TranscriptionForm, {"model": "w", "temperature": "0.2", "language": "fr"})


def test_vendor_extensions_and_whole_floats_pass() -> None:
    body = {
        "model": "claude",
        "messages": [
            {
                "role": "user",
                "content": [{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}],
            },
            {"role": "assistant", "content": "ok", "reasoning_content": "because"},
        ],
        "top_k": 40,  # not OpenAI's: passed on to the upstream untouched
        "max_tokens": 100.0,  # JSON has one number type: 100.0 is the integer 100
        "provider": {"order": ["x"]},
    }
    check_request(ChatCompletionRequest, body)


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"messages": "hi"}, "messages"),
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "user", "content": 5}]}, "messages[0].content"),
        ({"messages": [{"role": "user", "content": []}]}, "messages[0].content"),
        ({"messages": [{"role": "robot", "content": "x"}]}, "messages[0].role"),
        ({"messages": [{"role": "tool", "content": "x"}]}, "messages[0].tool_call_id"),
        (
            {"messages": [{"role": "system", "content": [{"type": "image_url"}]}]},
            "messages[0].content[0].type",
        ),
        (
            {"messages": [{"role": "user", "content": [{"type": "text", "text": 1}]}]},
            "messages[0].content[0].text",
        ),
        (
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [{"type": "input_audio", "input_audio": {"data": "x"}}],
                    }
                ]
            },
            "messages[0].content[0].input_audio.format",
        ),
        ({"temperature": 2.01}, "temperature"),
        ({"temperature": "0.5"}, "temperature"),
        ({"top_p": 1.5}, "top_p"),
        ({"n": 0}, "n"),
        ({"n": True}, "n"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"max_tokens": 1.5}, "max_tokens"),
        ({"seed": 2**63}, "seed"),
        ({"frequency_penalty": -3}, "frequency_penalty"),
        ({"top_logprobs": 21}, "top_logprobs"),
        ({"logit_bias": {"1": 101}}, "logit_bias.1"),
        ({"stop": []}, "stop"),
        ({"stream": "yes"}, "stream"),
        ({"stream_options": {"include_usage": "yes"}}, "stream_options.include_usage"),
        ({"tools": [{"type": "function", "function": {}}]}, "tools[0].function.name"),
        ({"tools": [{"type": "retrieval"}]}, "tools[0].type"),
        ({"tool_choice": "always"}, "tool_choice"),
        ({"response_format": {"type": "xml"}}, "response_format.type"),
        ({"response_format": {"type": "json_schema"}}, "response_format.json_schema"),
        ({"reasoning_effort": "extreme"}, "reasoning_effort"),
        ({"model": ""}, "model"),
        ({"model": "  "}, "model"),
    ],
)
def test_a_bad_chat_body_names_the_parameter(change: dict[str, Any], param: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        check_request(ChatCompletionRequest, {"model": "m", "messages": HI, **change})
    assert caught.value.status == 400
    assert caught.value.param == param
    assert f"'{param}'" in caught.value.message


@pytest.mark.parametrize(
    ("shape", "body", "param"),
    [
        (EmbeddingsRequest, {"model": "e"}, "input"),
        (EmbeddingsRequest, {"model": "e", "input": [["a"]]}, "input[0][0]"),
        (EmbeddingsRequest, {"model": "e", "input": ["a"] * 2049}, "input"),
        (ImageGenerationRequest, {"model": "i", "prompt": "x", "size": 5}, "size"),
        (ImageGenerationRequest, {"model": "i", "prompt": "x", "quality": "best"}, "quality"),
        (SpeechRequest, {"model": "s", "input": "x" * 4097, "voice": "a"}, "input"),
        (SpeechRequest, {"model": "s", "input": "x", "voice": "a", "speed": 0.1}, "speed"),
        (TranscriptionForm, {"model": "w", "temperature": "warm"}, "temperature"),
        (TranscriptionForm, {"model": "w", "response_format": "pdf"}, "response_format"),
    ],
)
def test_bad_bodies_of_the_other_endpoints(shape: Any, body: dict[str, Any], param: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        check_request(shape, body)
    assert caught.value.param == param


@pytest.mark.parametrize("name", ["a\nb", 'say "hi"', "n\x9came", "ünïcode", ""])
def test_a_form_field_the_upstream_could_not_read_is_refused(name: str) -> None:
    # the name goes on in a part header: aiohttp refused a control character (a 500 once),
    # an upstream dropped the connection on a C1 one (counted against its route)
    with pytest.raises(InvalidRequest, match="form field name"):
        check_request(TranscriptionForm, {"model": "w", name: "x"})
    check_request(TranscriptionForm, {"model": "w", "timestamp_granularities[]": "word"})


@pytest.mark.parametrize("translate", [lambda b: to_anthropic(b, "claude"), to_gemini])
@pytest.mark.parametrize(
    "body",
    [
        {"messages": "hi"},
        {"messages": ["hi"]},
        {"messages": [{"role": "user", "content": 5}]},
        {"messages": HI, "tools": "all"},
        {"messages": HI, "response_format": "json"},
        {"messages": HI, "max_tokens": "many"},
    ],
)
def test_translators_refuse_a_bad_shape_as_the_clients_error(
    translate: Any, body: dict[str, Any]
) -> None:
    with pytest.raises(InvalidRequest):
        translate(body)
