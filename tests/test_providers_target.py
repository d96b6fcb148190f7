"""From registry rows to an upstream target: every OpenAI-compatible platform of the
built-in catalog is a data row on the ``openai`` wire; credentials come from the
environment through the secret resolver discovery uses, and are never shown."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from providers_fakes import KEY, Upstream, serve
from radiant.catalog.loader import Catalog, load_catalog
from radiant.domain import Route
from radiant.errors import ProviderError
from radiant.http.client import HttpClient
from radiant.providers import (
    UpstreamTarget,
    WireAdapter,
    adapter_for,
    register_adapter,
    registered_wires,
    target_for,
)
from radiant.providers.shapes.openai import ChatCompletion, ChatParams
from radiant.secrets import EnvSecretResolver


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def route(platform_id: str, model: str = "some-model", **extra: object) -> Route:
    return Route(model_id="m", platform_id=platform_id, model_string=model, **extra)


ENV = {
    "OPENAI_API_KEY": "sk-openai",
    "XAI_API_KEY": "xai-1",
    "DEEPSEEK_API_KEY": "ds-1",
    "MISTRAL_API_KEY": "mi-1",
    "PERPLEXITY_API_KEY": "pp-1",
    "GROQ_API_KEY": "gq-1",
    "TOGETHER_API_KEY": "tg-1",
    "FIREWORKS_API_KEY": "fw-1",
    "OPENROUTER_API_KEY": "or-1",
    "AZURE_OPENAI_API_KEY": "az-1",
    "AZURE_OPENAI_ENDPOINT": "https://acme.openai.azure.com/",
    "ANTHROPIC_API_KEY": "ant-1",
    "GOOGLE_API_KEY": "g-1",
}


@pytest.mark.parametrize(
    ("platform_id", "provider_id", "wire", "base_url", "key"),
    [
        ("direct", "openai", "openai", "https://api.openai.com/v1", "sk-openai"),
        ("direct", "xai", "openai", "https://api.x.ai/v1", "xai-1"),
        ("direct", "deepseek", "openai", "https://api.deepseek.com/v1", "ds-1"),
        ("direct", "mistral", "openai", "https://api.mistral.ai/v1", "mi-1"),
        ("direct", "perplexity", "openai", "https://api.perplexity.ai", "pp-1"),
        ("groq", None, "openai", "https://api.groq.com/openai/v1", "gq-1"),
        ("together", None, "openai", "https://api.together.xyz/v1", "tg-1"),
        ("fireworks", None, "openai", "https://api.fireworks.ai/inference/v1", "fw-1"),
        ("openrouter", None, "openai", "https://openrouter.ai/api/v1", "or-1"),
        ("local", None, "openai", "http://127.0.0.1:11434/v1", None),
        ("azure_openai", None, "azure_openai", "https://acme.openai.azure.com", "az-1"),
        ("direct", "anthropic", "anthropic", "https://api.anthropic.com/v1", "ant-1"),
        ("direct", "google", "gemini", "https://generativelanguage.googleapis.com/v1beta", "g-1"),
    ],
)
def test_each_platform_is_a_data_row(
    catalog: Catalog,
    platform_id: str,
    provider_id: str | None,
    wire: str,
    base_url: str,
    key: str | None,
) -> None:
    provider = catalog.providers[provider_id] if provider_id else None
    target = target_for(
        catalog.platforms[platform_id],
        route(platform_id),
        EnvSecretResolver(ENV),
        provider=provider,
    )
    assert (target.wire, target.base_url, target.api_key) == (wire, base_url, key)
    assert target.model == "some-model"


def test_a_direct_route_needs_its_provider(catalog: Catalog) -> None:
    with pytest.raises(ProviderError, match="needs its provider"):
        target_for(catalog.platforms["direct"], route("direct"), EnvSecretResolver(ENV))


def test_a_providers_own_key_never_goes_to_another_platform(catalog: Catalog) -> None:
    only_openai = EnvSecretResolver({"OPENAI_API_KEY": "sk-openai"})
    with pytest.raises(ProviderError, match="OPENROUTER_API_KEY") as info:
        target_for(
            catalog.platforms["openrouter"],
            route("openrouter", "openai/gpt-4o"),
            only_openai,
            provider=catalog.providers["openai"],
        )
    assert "sk-openai" not in str(info.value)


def test_azure_api_version_defaults_and_can_be_set(catalog: Catalog) -> None:
    azure = catalog.platforms["azure_openai"]
    secrets = EnvSecretResolver(ENV)
    assert target_for(azure, route("azure_openai"), secrets).api_version == "2024-10-21"
    pinned = route("azure_openai", metadata={"api_version": "2025-01-01-preview"})
    assert target_for(azure, pinned, secrets).api_version == "2025-01-01-preview"


def test_a_missing_key_names_the_variable_to_set(catalog: Catalog) -> None:
    with pytest.raises(ProviderError, match="GROQ_API_KEY") as info:
        target_for(catalog.platforms["groq"], route("groq"), EnvSecretResolver({}))
    assert info.value.kind == "config" and not info.value.retryable
    with pytest.raises(ProviderError, match="AZURE_OPENAI_ENDPOINT"):
        target_for(
            catalog.platforms["azure_openai"],
            route("azure_openai"),
            EnvSecretResolver({"AZURE_OPENAI_API_KEY": "k"}),
        )


def test_the_route_secret_and_endpoint_override_win(catalog: Catalog) -> None:
    special = route(
        "together",
        secret_ref="radiant/routes/special",
        endpoint_override="http://127.0.0.1:9/v1/",
        metadata={"timeout": 5, "headers": {"x-team": "blue"}},
    )
    secrets = EnvSecretResolver({**ENV, "RADIANT_ROUTES_SPECIAL": "route-key"})
    target = target_for(catalog.platforms["together"], special, secrets)
    assert (target.api_key, target.base_url, target.timeout) == (
        "route-key",
        "http://127.0.0.1:9/v1",
        5.0,
    )
    assert dict(target.headers) == {"x-team": "blue"}
    assert "route-key" not in repr(target)


def test_wire_options_merge_provider_platform_route(catalog: Catalog) -> None:
    mistral = catalog.providers["mistral"].model_copy(
        update={"metadata": {"wire_options": {"stream_usage": False, "a": 1}}}
    )
    special = route("direct", metadata={"wire_options": {"a": 2}})
    target = target_for(
        catalog.platforms["direct"], special, EnvSecretResolver(ENV), provider=mistral
    )
    assert dict(target.options) == {"stream_usage": False, "a": 2}


def test_a_wire_declared_in_metadata_wins(catalog: Catalog) -> None:
    platform = catalog.platforms["huggingface"].model_copy(update={"metadata": {"wire": "openai"}})
    target = target_for(platform, route("huggingface"), EnvSecretResolver({"HF_TOKEN": "hf"}))
    assert target.wire == "openai" and target.api_key == "hf"
    unknown = catalog.platforms["replicate"].model_copy(update={"id": "nowhere"})
    with pytest.raises(ProviderError, match="no wire protocol"):
        target_for(unknown, route("nowhere"), EnvSecretResolver(ENV))


def test_bedrock_and_vertex_are_registered_seams(catalog: Catalog) -> None:
    assert {"openai", "azure_openai", "bedrock", "vertex"} <= set(registered_wires())
    target = target_for(catalog.platforms["bedrock"], route("bedrock"), EnvSecretResolver({}))
    assert target.wire == "bedrock"

    async def call() -> None:
        async with HttpClient() as client:
            await adapter_for(target, client).chat({"messages": []})

    with pytest.raises(ProviderError, match="not configured") as info:
        asyncio.run(call())
    assert info.value.kind == "config"


def test_an_unknown_wire_suggests_a_known_one() -> None:
    target = UpstreamTarget(platform_id="x", wire="opena", base_url="http://127.0.0.1:1", model="m")

    async def call() -> None:
        async with HttpClient() as client:
            adapter_for(target, client)

    with pytest.raises(ProviderError, match="did you mean 'openai'"):
        asyncio.run(call())


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    yield from serve(Upstream())


def test_a_plugged_in_adapter_serves_its_wire(catalog: Catalog, upstream: Upstream) -> None:
    """The documented seam: register an adapter for ``vertex`` and routes on it work."""

    class EchoVertex(WireAdapter):
        async def chat(self, body: ChatParams) -> ChatCompletion:
            return {
                "id": "echo",
                "object": "chat.completion",
                "created": 0,
                "model": self.target.model,
                "choices": [],
            }

    register_adapter("vertex", EchoVertex)
    try:
        target = target_for(catalog.platforms["vertex_ai"], route("vertex_ai", "claude@v"))

        async def call() -> ChatCompletion:
            async with HttpClient() as client:
                return await adapter_for(target, client).chat({"messages": []})

        assert asyncio.run(call())["model"] == "claude@v"
    finally:
        from radiant.providers.seams import NotConfiguredAdapter

        register_adapter("vertex", NotConfiguredAdapter)


def test_a_target_from_the_registry_calls_the_fake_upstream(
    catalog: Catalog, upstream: Upstream
) -> None:
    together = catalog.platforms["together"].model_copy(
        update={"base_url": upstream.url("openai/v1")}
    )
    target = target_for(
        together, route("together", "meta/llama"), EnvSecretResolver({"TOGETHER_API_KEY": KEY})
    )

    async def call() -> ChatCompletion:
        async with HttpClient() as client:
            return await adapter_for(target, client).chat(
                {"messages": [{"role": "user", "content": "hi"}]}
            )

    assert asyncio.run(call())["model"] == "meta/llama"
