"""Model names taken apart: one model under every name the catalogs give it, and never two
models under one name."""

from __future__ import annotations

import pytest

from radiant.catalog.importers.makers import family_maker, vendor_maker
from radiant.catalog.importers.names import identity, name_key, parse_name, spelled_id

CLAUDE_OPUS_41 = [
    ("anthropic/claude-opus-4-1-20250805", False),
    ("claude-opus-4-1", False),
    ("claude-opus-4-1-20250805", False),
    ("anthropic.claude-opus-4-1-20250805-v1:0", True),  # Bedrock
    ("us.anthropic.claude-opus-4-1-20250805-v1:0", True),  # a cross-region profile
    ("claude-opus-4-1@20250805", False),  # Vertex AI
    ("anthropic/claude-opus-4.1", False),  # OpenRouter
    ("claude-4.1-opus", False),  # the older word order some hosts use
]


def test_every_name_of_claude_opus_4_1_is_one_model() -> None:
    names = [parse_name(n, bedrock=b) for n, b in CLAUDE_OPUS_41]
    dates = {n.date for n in names if n.date}
    assert dates == {"20250805"}
    assert {identity(n, dates) for n in names} == {"claude-opus-4-1"}
    assert {spelled_id(n, dates) for n in names if not n.raw.endswith("4.1")} >= {"claude-opus-4-1"}
    bedrock = names[4]
    assert (bedrock.vendor, bedrock.region) == ("anthropic", "us")


def test_several_snapshots_are_several_models_and_the_undated_name_a_pointer() -> None:
    raw = ["gpt-4o", "gpt-4o-2024-05-13", "gpt-4o-2024-08-06", "openai/gpt-4o-2024-11-20"]
    names = [parse_name(n) for n in raw]
    dates = {n.date for n in names if n.date}
    assert [identity(n, dates) for n in names] == [
        "gpt-4o",
        "gpt-4o@20240513",
        "gpt-4o@20240806",
        "gpt-4o@20241120",
    ]
    assert spelled_id(names[1], dates) == "gpt-4o-2024-05-13"
    assert spelled_id(names[0], dates) == "gpt-4o"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("gpt-4o", "gpt-4o-mini"),
        ("mistral-large-2411", "mistral-large-latest"),
        ("mistral-large-2411", "mistral-large-2407"),  # releases, not snapshots of a pointer
        ("deepseek-r1", "deepseek-r1-0528"),
        ("claude-3-5-sonnet", "claude-3-5-sonnet-v2"),
    ],
)
def test_different_models_never_share_a_key(a: str, b: str) -> None:
    assert parse_name(a).key != parse_name(b).key


def test_latest_pointers_are_never_a_dated_model() -> None:
    for raw in ("mistral-large-latest", "mistral-large@latest", "~anthropic/claude-opus-latest"):
        name = parse_name(raw)
        assert name.latest and name.date is None
    assert parse_name("mistral-large@latest").key == parse_name("mistral-large-latest").key


def test_spellings_of_one_name_compare_equal() -> None:
    assert name_key("Llama3.3_70B") == name_key("llama-3.3-70b") == "llama-3-3-70b"
    assert name_key("qwen2p5-72b") == name_key("Qwen2.5-72B")
    assert name_key("o1-mini") == "o1-mini"  # short prefixes keep their digits


def test_paths_variants_and_vertex_revisions() -> None:
    free = parse_name("google/gemma-4-31b-it:free")
    assert (free.key, free.variant, free.vendor) == ("gemma-4-31b-it", "free", "google")
    assert parse_name("accounts/fireworks/models/deepseek-r1").key == "deepseek-r1"
    assert parse_name("meta-llama/Llama-3.3-70B-Instruct").vendor == "meta-llama"
    assert parse_name("fal-ai/flux/dev").key == "flux-dev"  # a bare word keeps its family
    assert parse_name("vertex_ai/mistral-large@2411-001").key == "mistral-large-2411"
    assert parse_name("claude-opus-4-6@default").key == "claude-opus-4-6"
    assert parse_name("deepseek.r1-v1:0", bedrock=True).key == "deepseek-r1"


def test_makers_from_vendors_and_families() -> None:
    assert vendor_maker("meta-llama") == "meta"
    assert vendor_maker("x-ai") == "xai"
    assert vendor_maker("SomeLab") == "somelab"
    assert family_maker("claude-opus-4-1") == "anthropic"
    assert family_maker("gemma-4-31b-it") == "google"
    assert family_maker("gpt-4o") == "openai"
    assert family_maker("unknown-thing") is None
