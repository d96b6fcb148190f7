"""Cohere v2 (chat, streamed chat, embeddings, rerank) behind Radiant's OpenAI-shaped
adapter contract, over a real HTTP fake (:mod:`fakes_retrieval`)."""

from __future__ import annotations

import base64
import struct
from collections.abc import Iterator

import pytest

from fakes_retrieval import ARGUMENTS, RetrievalState, serve_retrieval
from providers_fakes import KEY, Trouble, collect, fail, run
from radiant.catalog.loader import load_catalog
from radiant.domain import Route
from radiant.providers import UpstreamTarget, target_for
from radiant.providers.shapes.openai import ChatParams, ToolCallParam
from radiant.secrets import EnvSecretResolver

pytestmark = pytest.mark.slow

TOOLS: ChatParams = {
    "messages": [{"role": "user", "content": "Weather in Paris?"}],
    "tools": [
        {
            "type": "function",
            "function": {"name": "weather", "parameters": {"type": "object"}},
        }
    ],
}


@pytest.fixture
def fake() -> Iterator[RetrievalState]:
    yield from serve_retrieval(RetrievalState())


def cohere(fake: RetrievalState, model: str = "command-r-08-2024") -> UpstreamTarget:
    return UpstreamTarget(
        platform_id="direct",
        provider_id="cohere",
        wire="cohere",
        base_url=fake.url("cohere"),
        model=model,
        api_key=KEY,
    )


def test_the_catalog_rows_resolve_to_this_wire() -> None:
    catalog = load_catalog()
    route = Route(model_id="m", platform_id="direct", model_string="x")
    target = target_for(
        catalog.platforms["direct"],
        route,
        EnvSecretResolver({"COHERE_API_KEY": "c"}),
        provider=catalog.providers["cohere"],
    )
    assert (target.wire, target.base_url, target.api_key) == (
        "cohere",
        "https://api.cohere.com",
        "c",
    )
    routes = [r for r in catalog.routes.values() if r.model_id == "cohere-rerank-v3.5"]
    assert [r.model_string for r in routes] == ["rerank-v3.5"]
    assert routes[0].price is not None and routes[0].price.per_search_request is not None


def test_chat_translates_both_ways(fake: RetrievalState) -> None:
    body: ChatParams = {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "Hi"}]},
        ],
        "max_tokens": 20,
        "top_p": 0.5,
        "stop": "END",
        "response_format": {"type": "json_object"},
    }
    answer = run(cohere(fake), lambda a: a.chat(body))
    assert answer["choices"][0]["message"]["content"] == "Hello there"
    assert answer["choices"][0]["finish_reason"] == "stop"
    assert answer["usage"]["prompt_tokens"] == 12 and answer["usage"]["completion_tokens"] == 3
    sent = fake.last
    assert sent.path == "/cohere/v2/chat" and sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.body == {
        "model": "command-r-08-2024",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
        ],
        "stream": False,
        "max_tokens": 20,
        "p": 0.5,
        "stop_sequences": ["END"],
        "response_format": {"type": "json_object"},
    }


def test_tool_calls_go_and_come_back(fake: RetrievalState) -> None:
    answer = run(cohere(fake), lambda a: a.chat(TOOLS))
    choice = answer["choices"][0]
    assert choice["finish_reason"] == "tool_calls" and choice["message"]["content"] is None
    assert choice["message"]["tool_calls"] == [
        {
            "id": "call_1",
            "type": "function",
            "function": {"name": "weather", "arguments": ARGUMENTS},
        }
    ]
    assert fake.last.body["tools"] == TOOLS["tools"]
    calls: list[ToolCallParam] = [*choice["message"]["tool_calls"]]
    follow_up: ChatParams = {
        "messages": [
            *TOOLS["messages"],
            {"role": "assistant", "content": None, "tool_calls": calls},
            {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
        ]
    }
    run(cohere(fake), lambda a: a.chat(follow_up))
    assert fake.last.body["messages"][1:] == [
        {"role": "assistant", "tool_calls": choice["message"]["tool_calls"]},
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
    ]


def test_a_stream_becomes_openai_chunks_with_usage_last(fake: RetrievalState) -> None:
    chunks, error = collect(cohere(fake), {"messages": [{"role": "user", "content": "Hi"}]})
    assert error is None and fake.last.body["stream"] is True
    text = "".join(
        str(c["choices"][0]["delta"].get("content") or "") for c in chunks if c["choices"]
    )
    assert text == "Hello there"
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] is not None
    assert chunks[-1]["usage"]["prompt_tokens"] == 9
    assert chunks[-1]["usage"]["completion_tokens"] == 2
    assert {c["id"] for c in chunks} == {"msg-1"}


def test_a_streamed_tool_call(fake: RetrievalState) -> None:
    chunks, error = collect(cohere(fake), TOOLS)
    assert error is None
    calls = [
        c["choices"][0]["delta"]["tool_calls"][0]
        for c in chunks
        if c["choices"] and "tool_calls" in c["choices"][0]["delta"]
    ]
    assert calls[0]["id"] == "call_1" and calls[0]["function"]["name"] == "weather"
    assert "".join(str(c["function"].get("arguments", "")) for c in calls) == ARGUMENTS
    assert chunks[-2]["choices"][0]["finish_reason"] == "tool_calls"


def test_a_broken_stream_is_a_provider_error(fake: RetrievalState) -> None:
    fake.script.append(Trouble(cut=3))
    chunks, error = collect(cohere(fake), {"messages": [{"role": "user", "content": "Hi"}]})
    assert error is not None and error.kind == "protocol" and error.retryable  # type: ignore[attr-defined]
    fake.script.append(Trouble(truncate=4))
    chunks, error = collect(cohere(fake), {"messages": [{"role": "user", "content": "Hi"}]})
    assert error is not None and "message-end" in str(error)
    assert not any(c.get("usage") for c in chunks)


def test_embeddings_carry_billed_tokens(fake: RetrievalState) -> None:
    target = UpstreamTarget(
        **{**cohere(fake, "embed-v4.0").__dict__, "options": {"input_type": "search_query"}}
    )
    answer = run(target, lambda a: a.embeddings({"input": ["ab", "abcd"], "dimensions": 256}))
    assert [d["embedding"] for d in answer["data"]] == [[0.5, -0.25, 2.0], [0.5, -0.25, 4.0]]
    assert answer["usage"] == {"prompt_tokens": 6, "total_tokens": 6}
    assert fake.last.path == "/cohere/v2/embed"
    assert fake.last.body == {
        "model": "embed-v4.0",
        "texts": ["ab", "abcd"],
        "input_type": "search_query",
        "embedding_types": ["float"],
        "output_dimension": 256,
    }
    encoded = run(
        cohere(fake, "embed-v4.0"),
        lambda a: a.embeddings({"input": "ab", "encoding_format": "base64"}),
    )
    raw = base64.b64decode(str(encoded["data"][0]["embedding"]))
    assert struct.unpack("<3f", raw) == (0.5, -0.25, 2.0)
    assert fake.last.body["input_type"] == "search_document"


def test_rerank_answers_search_units(fake: RetrievalState) -> None:
    documents = ["cats purr", "dogs bark loudly", "the dogs"]
    answer = run(
        cohere(fake, "rerank-v3.5"),
        lambda a: a.rerank({"query": "dogs bark", "documents": documents, "top_n": 2}),
    )
    assert answer["id"] == "rr-1"
    assert [r["index"] for r in answer["results"]] == [1, 2]
    assert answer["meta"] == {"billed_units": {"search_units": 1}}
    assert fake.last.path == "/cohere/v2/rerank"
    assert fake.last.body == {
        "model": "rerank-v3.5",
        "query": "dogs bark",
        "documents": documents,
        "top_n": 2,
    }


def test_upstream_errors_are_typed(fake: RetrievalState) -> None:
    fake.script.append(Trouble(status=429, retry_after="7", body=b'{"message": "slow down"}'))
    error = fail(cohere(fake), lambda a: a.chat({"messages": [{"role": "user", "content": "x"}]}))
    assert error.status == 429 and error.retry_after == 7.0 and error.retryable
    assert "slow down" in str(error)
    fake.script.append(Trouble(status=400, body=b'{"message": "invalid request: bad"}'))
    error = fail(cohere(fake), lambda a: a.embeddings({"input": "x"}))
    assert error.status == 400 and not error.retryable
    wrong = UpstreamTarget(**{**cohere(fake).__dict__, "api_key": "nope"})
    error = fail(wrong, lambda a: a.rerank({"query": "q", "documents": ["d"]}))
    assert error.status == 401 and "invalid api token" in str(error)
