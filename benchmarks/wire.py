"""What checking a ``/v1`` body costs: pydantic-core validating a typical chat request
against the OpenAI shape (:mod:`radiant.providers.openai_wire`), and all of what the
gateway reads from the body (:func:`radiant.gateway.requests.read_ask`: the shape, the
names, the stream, the token estimate), beside parsing the same body's JSON (orjson)."""

from __future__ import annotations

import json
from typing import Any

from benchmarks._report import Row, median_us

__all__ = ["wire_rows"]

_LABEL = "typical chat body"
#: a chat turn with a system prompt, an image, a tool round trip and the usual options
BODY: dict[str, Any] = {
    "model": "gpt-4o-mini",
    "messages": [
        {"role": "system", "content": "You are a helpful assistant. Answer briefly."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in this picture, and what is the weather?"},
                {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "weather", "arguments": '{"city": "Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": '{"sky": "clear"}'},
    ],
    "tools": [
        {
            "type": "function",
            "function": {
                "name": "weather",
                "description": "The weather in a city",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}},
                    "required": ["city"],
                },
            },
        }
    ],
    "tool_choice": "auto",
    "temperature": 0.7,
    "max_tokens": 512,
    "stream": True,
    "stream_options": {"include_usage": True},
}
#: a check of a typical body costs at most this many microseconds
_TARGET_US = 40.0


def wire_rows() -> list[Row]:
    from radiant.gateway.jsonx import loads
    from radiant.gateway.requests import Endpoint, read_ask
    from radiant.providers.openai_wire import ChatCompletionRequest, check_request

    raw = json.dumps(BODY).encode()
    parse = median_us(lambda: loads(raw))
    shape = median_us(lambda: check_request(ChatCompletionRequest, BODY))
    ask = median_us(lambda: read_ask(Endpoint.CHAT, BODY, len(raw)))
    return [
        Row("parse the JSON (orjson), for comparison", _LABEL, parse, "us"),
        Row("check the OpenAI chat shape (pydantic-core)", _LABEL, shape, "us", _TARGET_US),
        Row("read_ask: shape, names, stream, estimate", _LABEL, ask, "us", _TARGET_US * 1.5),
    ]
