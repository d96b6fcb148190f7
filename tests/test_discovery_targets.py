"""Which platforms discovery lists, how, with which key (the built-in catalog); the small
conversions it relies on."""

from __future__ import annotations

from decimal import Decimal

import pytest

from radiant.catalog import load_catalog
from radiant.secrets import env_name
from radiant.sync.discovery import EnvSecretResolver, Target, build_targets
from radiant.sync.discovery.reconcile import suggest_provider, suggested_id
from radiant.sync.discovery.upstream import UpstreamModel, per_token_to_per_1m


def _targets(
    env: dict[str, str], only: list[str] | None = None
) -> tuple[dict[str, Target], list[str]]:
    catalog = load_catalog()
    targets, unsupported = build_targets(
        catalog.platforms.values(),
        catalog.providers.values(),
        EnvSecretResolver(env),
        only=only,
    )
    return {t.name: t for t in targets}, unsupported


def test_the_builtin_catalog_is_listed_by_protocol_and_shares_keys() -> None:
    targets, unsupported = _targets({"OPENAI_API_KEY": "sk-1", "RADIANT_PROVIDERS_GOOGLE": "g"})
    assert targets["openrouter"].protocol == "openrouter"
    assert targets["direct:anthropic"].protocol == "anthropic"
    assert targets["direct:google"].protocol == "gemini"
    assert targets["together"].base_url == "https://api.together.xyz/v1"
    # OpenAI's chat, image, audio and embedding providers share one API, one key, one listing
    openai = targets["direct:openai"]
    assert openai.protocol == "openai" and openai.api_key == "sk-1" and openai.skipped is None
    assert openai.provider_ids == frozenset(
        {"openai", "openai-images", "openai-audio", "openai-embeddings"}
    )
    assert targets["direct:google"].api_key == "g"  # its secret_ref radiant/providers/google
    assert targets["direct:anthropic"].skipped == (
        "no credentials (environment variable ANTHROPIC_API_KEY or RADIANT_PROVIDERS_ANTHROPIC)"
    )
    # a local server needs no key
    assert targets["local"].needs_key is False and targets["local"].skipped is None
    assert {"bedrock", "vertex_ai", "azure_openai", "self_hosted"} <= set(unsupported)
    assert all(t.platform_id not in unsupported for t in targets.values())


@pytest.mark.parametrize(
    ("only", "names"),
    [
        (["openrouter"], {"openrouter"}),
        (["anthropic"], {"direct:anthropic"}),
        (["direct:google", "groq"], {"direct:google", "groq"}),
    ],
)
def test_a_filter_keeps_platforms_providers_or_targets(only: list[str], names: set[str]) -> None:
    assert set(_targets({}, only)[0]) == names


def test_secret_references_and_variables() -> None:
    assert env_name("OPENAI_API_KEY") == "OPENAI_API_KEY"
    assert env_name("radiant/providers/openai") == "RADIANT_PROVIDERS_OPENAI"
    resolver = EnvSecretResolver({"RADIANT_PROVIDERS_X": " k ", "EMPTY": "  "})
    assert resolver.get("radiant/providers/x") == "k"
    assert resolver.get("EMPTY") is None and resolver.get("MISSING") is None


@pytest.mark.parametrize(
    ("upstream", "expected"),
    [
        ("models/gemini-2.5-pro", "gemini-2.5-pro"),
        ("anthropic/claude-3.5-sonnet", "claude-3.5-sonnet"),
        ("Meta-Llama-3 70B Instruct", "meta-llama-3-70b-instruct"),
        ("gpt-4o-2024-08-06", "gpt-4o-2024-08-06"),
        ("///", "model"),
    ],
)
def test_suggested_ids_are_registry_ids(upstream: str, expected: str) -> None:
    assert suggested_id(upstream) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.000003", Decimal("3")),
        ("0.0000000125", Decimal("0.0125")),
        ("0", Decimal("0")),
        ("-1", None),
        ("free", None),
        (None, None),
        (True, None),
        ("NaN", None),
    ],
)
def test_openrouter_per_token_strings(value: object, expected: Decimal | None) -> None:
    assert per_token_to_per_1m(value) == expected


@pytest.mark.parametrize(
    ("upstream_id", "hint", "expected"),
    [
        ("meta-llama/llama-3-70b", "meta-llama", "meta"),
        ("mistralai/mistral-large", "mistralai", "mistral"),
        ("anthropic/claude-x", "anthropic", "anthropic"),
        ("nobody/thing", "nobody", None),
    ],
)
def test_openrouter_authors_become_providers(
    upstream_id: str, hint: str, expected: str | None
) -> None:
    targets, _ = _targets({})
    model = UpstreamModel(upstream_id=upstream_id, provider_hint=hint)
    providers = set(load_catalog().providers)
    assert suggest_provider(targets["openrouter"], model, providers) == expected
    # a provider's own API: that provider, whatever the id says
    assert suggest_provider(targets["direct:anthropic"], model, providers) == "anthropic"
