"""Whatever the upstream speaks, what comes out is what the official ``openai`` client
reads: completions and stream chunks of every chat wire validate against its types."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from openai.types import CreateEmbeddingResponse
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from providers_fakes import KEY, Upstream, serve
from radiant.http.client import HttpClient
from radiant.providers import UpstreamTarget, adapter_for
from radiant.providers.shapes.openai import ChatCompletion as Completion
from radiant.providers.shapes.openai import ChatCompletionChunk as Chunk
from radiant.providers.shapes.openai import ChatParams, EmbeddingList, FunctionToolParam

pytestmark = pytest.mark.slow
WEATHER: FunctionToolParam = {
    "type": "function",
    "function": {"name": "weather", "parameters": {"type": "object"}},
}


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    yield from serve(Upstream())


@pytest.mark.parametrize(
    ("wire", "path"),
    [("openai", "openai/v1"), ("anthropic", "anthropic/v1"), ("gemini", "gemini/v1beta")],
)
@pytest.mark.parametrize("tools", [False, True])
def test_chat_output_is_what_the_openai_client_reads(
    upstream: Upstream, wire: str, path: str, tools: bool
) -> None:
    target = UpstreamTarget(
        platform_id="p", wire=wire, base_url=upstream.url(path), model="m", api_key=KEY
    )
    body: ChatParams = {"messages": [{"role": "user", "content": "hi"}]}
    if tools:
        body.update({"tools": [WEATHER], "reasoning_effort": "low"})

    async def go() -> tuple[Completion, list[Chunk]]:
        async with HttpClient() as client:
            done = await adapter_for(target, client).chat(body)
            chunks = [c async for c in adapter_for(target, client).chat_stream(body)]
            return done, chunks

    done, chunks = asyncio.run(go())
    completion = ChatCompletion.model_validate(done)
    assert completion.usage is not None and completion.usage.total_tokens > 0
    parsed = [ChatCompletionChunk.model_validate(c) for c in chunks]
    assert parsed[-1].usage is not None and parsed[-1].usage.prompt_tokens > 0
    if tools:
        assert completion.choices[0].finish_reason == "tool_calls"
        assert completion.choices[0].message.tool_calls


@pytest.mark.parametrize(("wire", "path"), [("openai", "openai/v1"), ("gemini", "gemini/v1beta")])
def test_embeddings_are_what_the_openai_client_reads(
    upstream: Upstream, wire: str, path: str
) -> None:
    target = UpstreamTarget(
        platform_id="p", wire=wire, base_url=upstream.url(path), model="e", api_key=KEY
    )

    async def go() -> EmbeddingList:
        async with HttpClient() as client:
            return await adapter_for(target, client).embeddings({"input": ["a", "b"]})

    parsed = CreateEmbeddingResponse.model_validate(asyncio.run(go()))
    assert [d.index for d in parsed.data] == [0, 1]
