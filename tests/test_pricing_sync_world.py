"""The registry grows from public catalogs and is priced as they say, whatever the order.

A small registry (tests/fixtures/catalogs/registry: the built-in catalog's shapes for
Mistral Large, Medium, Codestral, GPT-4o, an embedding and a text-to-speech model) takes
the three conflicting fixtures of tests/fixtures/catalogs/world, written in the sources'
own formats with facts from the real snapshots. Each bad case the issue found is a test.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from typer.testing import CliRunner

from pricing_world import (
    NOW,
    REGISTRY,
    SOURCES,
    current_prices,
    database,
    registry_rows,
    sheet,
)
from radiant.api.app import create_app
from radiant.catalog import load_catalog
from radiant.cli import app as cli_app
from radiant.domain import CostSource, PlatformKind, Task
from radiant.pricing.service import PricingService
from radiant.pricing.usage import Usage
from radiant.providers.target import target_for
from radiant.registry.service import Registry
from radiant.secrets import EnvSecretResolver
from radiant.selection.criteria import SelectionCriteria
from radiant.selection.engine import select as select_models
from radiant.store.admin_tables import ApprovalPolicyRow
from radiant.store.engine import session_scope
from radiant.store.repository import bump_version, registry_version
from radiant.store.tables import ModelRow, PriceHistoryRow, RouteRow
from radiant.sync import sync_catalog
from radiant.sync.jobs import JOBS, JobContext
from radiant.sync.pricing_sync import sync_pricing

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="module", params=BACKENDS)
def imported(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, Any]]:
    """The small registry with the three fixtures imported once (read-only tests)."""
    with database(request.param, tmp_path_factory.mktemp("world")) as engine:
        plan, report = sync_pricing(engine, SOURCES, now=NOW)
        yield engine, (plan, report)


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """The small registry, nothing imported yet."""
    with database(request.param, tmp_path) as engine:
        yield engine


def _snapshot(engine: Engine) -> Any:
    return Registry(engine, check_interval=0).snapshot()


# ----------------------------------------------------------------------------- precedence


def test_an_exact_model_string_beats_an_alias_of_any_source(imported: tuple[Engine, Any]) -> None:
    engine, _ = imported
    # LiteLLM's mistral-large-latest (0.5/1.5) is another endpoint: models.dev's and
    # OpenRouter's mistral-large-2411 (2/6) price the route that calls mistral-large-2411
    large, _, sources = sheet(engine, "mistral-large@direct")
    assert (large.input_per_1m, large.output_per_1m) == (Decimal(2), Decimal(6))
    assert sources == {
        "input_per_1m": "models-dev:mistral/mistral-large-2411",
        "output_per_1m": "models-dev:mistral/mistral-large-2411",
    }
    quote = PricingService(Registry(engine, check_interval=0)).quote(
        "mistral-large", Usage(input_tokens=1_000_000, output_tokens=1_000_000), platform="direct"
    )
    assert quote.priced.total_price == Decimal("11.2")  # 8 at cost, the default 40 % markup
    # LiteLLM's undated mistral-medium (1.5/7.5) is the model's id, but not its endpoint
    medium, _, _ = sheet(engine, "mistral-medium@direct")
    assert (medium.input_per_1m, medium.output_per_1m) == (Decimal("0.4"), Decimal(2))
    assert not medium.is_estimated  # the catalog's estimate is replaced whole
    # the "latest" pointer is kept as another model string of the route, never its price
    snapshot = _snapshot(engine)
    route = next(r for r in snapshot.resolve("mistral-large").routes if r.platform_id == "direct")
    assert route.model_string == "mistral-large-2411"


def test_a_free_endpoint_never_claims_the_paid_route(imported: tuple[Engine, Any]) -> None:
    engine, (plan, _) = imported
    # LiteLLM's "codestral" provider is the free codestral.mistral.ai endpoint: a platform
    paid, _, _ = sheet(engine, "mistral-codestral@direct")
    assert (paid.input_per_1m, paid.output_per_1m) == (Decimal("0.3"), Decimal("0.9"))
    free, _, _ = sheet(engine, "mistral-codestral@codestral")
    assert (free.input_per_1m, free.output_per_1m) == (Decimal(0), Decimal(0))
    route = plan.routes["mistral-codestral@direct"]
    assert sorted(f"{p.entry.source}:{p.entry.source_key}" for _, p in route.ranked()) == [
        "litellm:mistral/codestral-latest",
        "models-dev:mistral/codestral-latest",
    ]
    assert not [s for s in plan.skipped if "codestral" in s[1]]


def test_price_sheets_merge_field_by_field(imported: tuple[Engine, Any]) -> None:
    engine, _ = imported
    # the catalog's own prices stand; LiteLLM adds the batch prices it alone gives
    gpt, by, sources = sheet(engine, "openai-gpt-4o@direct")
    assert gpt.prices() == {
        "input_per_1m": Decimal("2.5"),
        "output_per_1m": Decimal(10),
        "cached_input_per_1m": Decimal("1.25"),
        "batch_input_per_1m": Decimal("1.25"),
        "batch_output_per_1m": Decimal(5),
    }
    assert sources is not None
    assert {k: v for k, v in sources.items() if v == "catalog"}.keys() == {
        "input_per_1m",
        "output_per_1m",
        "cached_input_per_1m",
    }
    assert sources["batch_input_per_1m"] == "litellm:gpt-4o-2024-08-06"
    assert gpt.source is CostSource.IMPORTED_CATALOG and by == "pricing-sync:litellm"
    # a new route: models.dev first for input and output, LiteLLM's batch prices kept
    opus, _, sources = sheet(engine, "claude-opus-4-1@direct")
    assert opus.batch_input_per_1m == Decimal("7.5") and opus.input_per_1m == Decimal(15)
    assert sources is not None and sources["input_per_1m"].startswith("models-dev:")


def test_a_later_source_lacking_a_price_does_not_delete_it(fresh: Engine) -> None:
    sync_pricing(fresh, SOURCES, now=NOW)
    before, _, _ = sheet(fresh, "claude-opus-4-1@direct")
    assert before.batch_output_per_1m == Decimal("37.5")
    sync_pricing(fresh, [SOURCES[1]], now=NOW)  # models.dev alone: no batch prices
    after, _, sources = sheet(fresh, "claude-opus-4-1@direct")
    assert after.prices() == before.prices()
    assert sources is not None and sources["batch_output_per_1m"] == "litellm:claude-opus-4-1"


def test_openrouters_own_listing_speaks_first_on_openrouter(imported: tuple[Engine, Any]) -> None:
    engine, _ = imported
    # models.dev's copy of OpenRouter says 16/80; OpenRouter's own API says 15/75
    opus, _, sources = sheet(engine, "claude-opus-4-1@openrouter")
    assert (opus.input_per_1m, opus.output_per_1m) == (Decimal(15), Decimal(75))
    assert sources is not None and sources["input_per_1m"] == "openrouter:anthropic/claude-opus-4.1"


def test_the_same_documents_in_any_order_give_the_same_registry(tmp_path: Path) -> None:
    registries = []
    for n, order in enumerate(itertools.permutations(SOURCES)):
        (tmp_path / str(n)).mkdir()
        with database("sqlite", tmp_path / str(n)) as engine:
            sync_pricing(engine, list(order), now=NOW)
            registries.append((current_prices(engine), registry_rows(engine)))
    first = registries[0]
    assert len(first[0]) > 20  # every route's prices are compared
    for other in registries[1:]:
        assert other == first


# ----------------------------------------------------------------------------- information


def test_an_embeddings_vector_size_is_not_its_maximum_output(imported: tuple[Engine, Any]) -> None:
    engine, (plan, _) = imported
    embedding = _snapshot(engine).resolve("text-embedding-3-large").model
    assert embedding.max_output_tokens is None  # models.dev's limit.output 3072 is its vector
    facts = [p.entry for _, p in plan.routes["openai-text-embedding-3-large@direct"].ranked()]
    assert {e.embedding_dimensions for e in facts} == {3072}


def test_plausibility_checks_flag_instead_of_storing(imported: tuple[Engine, Any]) -> None:
    engine, (_, report) = imported
    nebius, _, _ = sheet(engine, "llama-3.3-70b-instruct@nebius")
    assert nebius.cache_write_per_1m is None  # 0.05 is below the input price of 0.13
    assert nebius.input_per_1m == Decimal("0.13")
    flag = next(f for f in report.flags if f.get("route") == "llama-3.3-70b-instruct@nebius")
    assert flag["issue"] == "cache write below the input price"
    assert flag["value"] == "0.05" and flag["entry"].startswith("models-dev:nebius/")


def test_per_character_prices_stay_per_character(imported: tuple[Engine, Any]) -> None:
    engine, _ = imported
    tts, _, _ = sheet(engine, "openai-tts-1@direct")
    assert tts.input_per_1m == Decimal(15)  # 1M characters, the unit speech is metered in
    assert tts.notes is not None and "per 1M characters" in tts.notes
    # a chat model priced per character has no token price, and keeps its own
    medlm = _snapshot(engine).resolve("medlm-large")
    route = medlm.routes[0]
    assert route.price is None
    assert route.metadata["imported"]["per_character_prices"] == {
        "input_per_1m": "5",
        "output_per_1m": "15",
    }


def test_float_noise_is_no_price_change(fresh: Engine, tmp_path: Path) -> None:
    sync_pricing(fresh, SOURCES, now=NOW)
    kimi, _, _ = sheet(fresh, "kimi-k2.7-code@novita-ai")
    assert kimi.input_per_1m == Decimal("0.95")  # the file says 9.499999999999999e-07
    clean = tmp_path / "litellm.json"
    text = Path(SOURCES[0][1]).read_text().replace("9.499999999999999e-07", "9.5e-07")
    clean.write_text(text)
    _, report = sync_pricing(fresh, [("litellm", str(clean)), *SOURCES[1:]], now=NOW)
    assert not report.documents_unchanged
    assert report.prices_changed == report.prices_added == 0


def test_past_deprecation_dates_deprecate_with_the_successor(imported: tuple[Engine, Any]) -> None:
    engine, _ = imported
    snapshot = _snapshot(engine)
    old = snapshot.resolve("deepseek-ai/DeepSeek-V3").model
    assert old.is_deprecated and old.status.value == "deprecated"
    assert old.successor_id == "deepseek-v3.1"
    opus = snapshot.resolve("claude-opus-4-1").model
    assert str(opus.deprecation_date) == "2027-08-05" and not opus.is_deprecated


# ----------------------------------------------------------------------------- growth


def test_every_entry_is_a_route_or_a_reported_skip(imported: tuple[Engine, Any]) -> None:
    _, (plan, report) = imported
    for source, counts in report.outcomes.items():
        assert counts["read"] == counts.get("routes", 0) + counts.get(
            "other_endpoints", 0
        ) + counts.get("skipped", 0), source
    assert plan.reasons() == {
        "documentation of the format, not a model": 1,
        "not an object": 1,
        "price decided per request (a router, not a model)": 1,
    }


def test_one_model_many_routes_every_name_an_alias(imported: tuple[Engine, Any]) -> None:
    engine, _ = imported
    snapshot = _snapshot(engine)
    entry = snapshot.resolve("claude-opus-4-1")
    assert entry.model.provider_id == "anthropic" and entry.model.imported
    assert {r.platform_id for r in entry.routes} == {"direct", "bedrock", "vertex_ai", "openrouter"}
    for name in (
        "claude-opus-4-1-20250805",
        "anthropic.claude-opus-4-1-20250805-v1:0",
        "claude-opus-4-1@20250805",
        "anthropic/claude-opus-4.1",
        "vertex_ai/claude-opus-4-1@20250805",
    ):
        assert snapshot.resolve(name).id == "claude-opus-4-1", name
    # the Bedrock route calls the model itself; the us. profile is a regional endpoint of it
    bedrock = next(r for r in entry.routes if r.platform_id == "bedrock")
    assert bedrock.model_string == "anthropic.claude-opus-4-1-20250805-v1:0"
    assert bedrock.metadata["imported"]["regional"] == [
        "us=us.anthropic.claude-opus-4-1-20250805-v1:0"
    ]
    assert bedrock.price is not None and bedrock.price.input_per_1m == Decimal(15)  # not 16.5
    # facts with their provenance: models.dev's knowledge cutoff, LiteLLM's flags
    model = entry.model
    assert str(model.knowledge_cutoff) == "2025-03-31" and model.open_weights is False
    assert {"chat", "reasoning", "function_calling", "vision"} <= set(model.capabilities)
    fields = model.metadata["imported"]["fields"]
    assert fields["knowledge_cutoff"] == "models-dev:anthropic/claude-opus-4-1-20250805"
    # gpt-4o snapshots are models of their own: the 2024-05-13 one at its own price
    dated = snapshot.resolve("gpt-4o-2024-05-13")
    assert dated.id == "gpt-4o-2024-05-13"
    assert next(r for r in dated.routes if r.platform_id == "direct").price.input_per_1m == 5
    assert snapshot.resolve("gpt-4o").id == "openai-gpt-4o"
    assert snapshot.resolve("llama-3.3-70b-versatile").routes[0].platform_id == "groq"


def test_unknown_services_become_callable_platforms(
    imported: tuple[Engine, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, _ = imported
    snapshot = _snapshot(engine)
    nebius = snapshot.platforms["nebius"]
    assert nebius.kind is PlatformKind.HOST and nebius.openai_compatible
    assert nebius.base_url == "https://api.tokenfactory.nebius.com/v1"
    assert nebius.auth_config == {"api_key_env": "NEBIUS_API_KEY"}
    entry = snapshot.resolve("llama-3.3-70b-instruct")
    route = next(r for r in entry.routes if r.platform_id == "nebius")
    monkeypatch.setenv("NEBIUS_API_KEY", "nb-test-key")
    target = target_for(nebius, route, EnvSecretResolver())
    assert (target.wire, target.base_url, target.model) == (
        "openai",
        "https://api.tokenfactory.nebius.com/v1",
        "meta-llama/Llama-3.3-70B-Instruct",
    )
    assert target.api_key == "nb-test-key"
    # a maker's own API: a provider with its base URL and key, on the direct platform
    mimo = snapshot.resolve("mimo-v2-flash")
    xiaomi = snapshot.providers["xiaomi"]
    monkeypatch.setenv("XIAOMI_API_KEY", "xm-test-key")
    direct = target_for(
        snapshot.platforms["direct"], mimo.routes[0], EnvSecretResolver(), provider=xiaomi
    )
    assert (direct.wire, direct.base_url, direct.api_key) == (
        "openai",
        "https://api.xiaomimimo.com/v1",
        "xm-test-key",
    )


def test_a_second_run_changes_nothing(fresh: Engine) -> None:
    sync_pricing(fresh, SOURCES, now=NOW)
    version = registry_version(fresh)
    _, again = sync_pricing(fresh, SOURCES[::-1], now=NOW)
    assert again.documents_unchanged  # the same documents, in another order
    with session_scope(fresh) as session:
        bump_version(session)
    _, third = sync_pricing(fresh, SOURCES, now=NOW)
    assert not third.documents_unchanged and not third.written
    assert third.unchanged > 0 and registry_version(fresh) == version + 1


def test_the_approval_policy_holds_imported_models_for_review(fresh: Engine) -> None:
    with session_scope(fresh) as session:
        session.add(
            ApprovalPolicyRow(
                change_type="model_activation", requires_approval=True, risk_level="medium"
            )
        )
    sync_pricing(fresh, SOURCES, now=NOW)
    with session_scope(fresh) as session:
        opus = session.get(ModelRow, "claude-opus-4-1")
        assert opus is not None and opus.enabled is False and opus.imported
        assert opus.meta["imported"]["review"] == "pending"
        catalog = session.get(ModelRow, "mistral-large")
        assert catalog is not None and catalog.enabled  # the catalog's models are not held
    entry = _snapshot(fresh).resolve("claude-opus-4-1")
    assert not entry.model.enabled


def test_administrators_prices_and_fields_survive(fresh: Engine) -> None:
    with session_scope(fresh) as session:
        session.execute(
            update(RouteRow)
            .where(RouteRow.id == "mistral-large@direct")
            .values(admin_fields=["price"])
        )
    _, report = sync_pricing(fresh, SOURCES, now=NOW)
    assert "mistral-large@direct" in report.admin_kept
    with session_scope(fresh) as session:
        rows = session.execute(
            select(PriceHistoryRow).where(PriceHistoryRow.route_id == "mistral-large@direct")
        ).all()
        assert rows == []
        session.execute(
            update(ModelRow)
            .where(ModelRow.id == "claude-opus-4-1")
            .values(admin_fields=["context_window"], context_window=150_000)
        )
        bump_version(session)
    sync_pricing(fresh, SOURCES, now=NOW)
    with session_scope(fresh) as session:
        opus = session.get(ModelRow, "claude-opus-4-1")
        assert opus is not None and opus.context_window == 150_000


def test_the_job_reports_per_source_and_per_reason(fresh: Engine) -> None:
    result = JOBS["pricing"](fresh, JobContext("s1", options={"sources": SOURCES}))
    assert result.counts["entries_read"] == 41
    assert result.counts["models_added"] > 0 and result.counts["routes_added"] > 0
    outcomes = result.details["outcomes"]
    assert outcomes["openrouter"] == {
        "other_endpoints": 1,
        "read": 6,
        "routes": 4,
        "skipped": 1,
    }
    assert result.details["skipped"]["litellm"]["not an object"] == ["broken-entry"]
    assert result.details["skipped_by_reason"]["not an object"] == 1
    assert result.details["flags"][0]["issue"] == "cache write below the input price"


def test_selection_can_leave_imported_models_out(imported: tuple[Engine, Any]) -> None:
    engine, _ = imported
    snapshot = _snapshot(engine)
    # callability is another filter (this shell holds no provider keys): look past it
    every = SelectionCriteria(task=Task.CHAT, limit=100, include_uncallable=True)
    everything = select_models(snapshot, every)
    assert any(c.entry.model.imported for c in everything.candidates)
    criteria = every.model_copy(update={"exclude_imported": True})
    catalog_only = select_models(snapshot, criteria)
    assert catalog_only.candidates
    assert not any(c.entry.model.imported for c in catalog_only.candidates)
    explained = select_models(snapshot, criteria, explain=True)
    reasons = {e.code for e in explained.excluded if e.model_id == "claude-opus-4-1"}
    assert reasons == {"imported"}
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        cli_app,
        [
            *("--database-url", url, "select", "--task", "chat"),
            *("--exclude-imported", "--include-uncallable", "--json"),
        ],
    )
    assert result.exit_code == 0, result.output
    picked = {c["model_id"] for c in json.loads(result.output)["data"]}
    assert picked and picked <= {row for row in registry_rows(engine)["models"]} - {
        "claude-opus-4-1"
    }


def test_the_api_shows_an_imported_models_facts(imported: tuple[Engine, Any]) -> None:
    engine, _ = imported
    with TestClient(create_app(Registry(engine, check_interval=0))) as client:
        found = client.get("/api/registry/models/anthropic.claude-opus-4-1-20250805-v1:0")
    assert found.status_code == 200, found.text
    body = found.json()
    assert (body["id"], body["imported"], body["knowledge_cutoff"]) == (
        "claude-opus-4-1",
        True,
        "2025-03-31",
    )
    assert body["max_input_tokens"] == 200_000 and body["open_weights"] is False
    assert {r["platform"] for r in body["routes"]} >= {"bedrock", "vertex_ai"}
    assert body["metadata"]["imported"]["fields"]["context_window"].startswith("models-dev:")


def test_routes_the_gateway_cannot_call_are_kept_inactive(imported: tuple[Engine, Any]) -> None:
    engine, _ = imported
    snapshot = _snapshot(engine)
    # LiteLLM names Novita but says nothing of its API: no wire, no address
    kimi = snapshot.resolve("kimi-k2.7-code").routes[0]
    assert kimi.status.value == "inactive"
    assert "not_callable" in kimi.metadata["imported"]
    # models.dev gives Nebius an OpenAI-compatible base URL: callable once its key is set
    llama = snapshot.resolve("llama-3.3-70b-instruct")
    assert next(r for r in llama.routes if r.platform_id == "nebius").status.value == "active"


def test_a_catalog_sync_keeps_the_imported_aliases(fresh: Engine) -> None:
    sync_pricing(fresh, SOURCES, now=NOW)
    assert _snapshot(fresh).resolve("mistralai/mistral-large-2411").id == "mistral-large"
    report = sync_catalog(fresh, load_catalog(REGISTRY))
    assert report.errors == []
    assert _snapshot(fresh).resolve("mistralai/mistral-large-2411").id == "mistral-large"
