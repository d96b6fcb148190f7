"""``radiant select``, ``recommend``, ``routes list|best|fallbacks|availability|cheapest``
and ``models alternatives`` on a database synced from the built-in catalog.

The commands run with a credential for every platform (``catalog_credentials``) unless a
test says otherwise: routes with an adapter are callable, self-hosted ones are not (no
adapter calls them yet) and are reached with ``--include-uncallable``."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from cli_in_process import run_radiant
from conftest import migrate
from radiant.catalog import load_catalog
from radiant.registry.service import Registry
from radiant.selection import SelectionCriteria
from radiant.selection import select as engine_select
from radiant.store.engine import make_engine
from radiant.store.tables import ThermalStateRow
from radiant.sync import sync_catalog
from selection_helpers import catalog_credentials


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = f"sqlite:///{tmp_path_factory.mktemp('selcli') / 'radiant.db'}"
    migrate(db)
    engine = make_engine(db)
    sync_catalog(engine, load_catalog())
    engine.dispose()
    return db


@pytest.fixture(autouse=True)
def configured(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in catalog_credentials().items():
        monkeypatch.setenv(name, value)


def invoke(url: str, *args: str) -> str:
    result = run_radiant(["--database-url", url, *args])
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout + result.stderr


def as_json(url: str, *args: str) -> Any:
    return json.loads(invoke(url, *args, "--json"))


def test_select_prints_the_engine_ranking(url: str) -> None:
    args = ("select", "--task", "chat", "--input", "text", "--output", "text", "--tier", "3")
    result = as_json(url, *args, "--capability", "vision", "--limit", "4")
    engine = make_engine(url)
    criteria = SelectionCriteria(
        task="chat",
        input_modalities=["text"],
        output_modalities=["text"],
        tier=3,
        required_capabilities=["vision"],
        limit=4,
    )
    expected = engine_select(Registry(engine).snapshot(), criteria)
    engine.dispose()
    assert [c["route_id"] for c in result["data"]] == [c.route.id for c in expected.candidates]
    assert [Decimal(c["price_per_request"]) for c in result["data"]] == [
        c.price_per_request for c in expected.candidates
    ]
    table = invoke(url, *args, "--capability", "vision", "--limit", "4")
    assert expected.candidates[0].entry.id in table and "price/request" in table


def test_select_explain_lists_every_excluded_model(url: str) -> None:
    result = as_json(url, "select", "--task", "embedding", "--compliance", "HIPAA", "--explain")
    excluded = {e["model_id"]: e["code"] for e in result["excluded"]}
    assert excluded["openai-gpt-4o"] == "task"
    assert all(c["reasons"] for c in result["data"])
    assert len(excluded) + result["total"] >= 158
    text = invoke(url, "select", "--task", "embedding", "--compliance", "HIPAA", "--explain")
    assert "Excluded" in text and "compliance" in text


def test_select_with_fallback_records_the_warm_up(url: str) -> None:
    args = ("select", "--task", "chat", "--tier", "5", "--fallback", "--include-uncallable")
    result = as_json(url, *args)
    assert result["path"] == "ready_alternative"
    cold = result["warmup"]["model_id"]
    assert result["warmup"]["requested"] is True and result["data"][0]["model_id"] == cold
    engine = make_engine(url)
    with engine.connect() as conn:
        row = conn.execute(
            select(ThermalStateRow.target_state, ThermalStateRow.is_transitioning).where(
                ThermalStateRow.model_id == cold
            )
        ).one()
    engine.dispose()
    assert tuple(row) == ("WARM", True)
    text = invoke(url, *args)
    assert f"warm-up of {cold}: already under way" in text


def test_routes_and_recommendations(url: str) -> None:
    # no AWS credentials in this environment: the self-hosted (SageMaker) route is listed
    chain = as_json(url, "routes", "fallbacks", "llama-3.3-70b")
    assert [r["platform_id"] for r in chain["data"]] == ["together"]
    every = as_json(url, "routes", "fallbacks", "llama-3.3-70b", "--include-uncallable")
    assert [r["platform_id"] for r in every["data"]] == ["together", "self_hosted"]
    best = as_json(url, "routes", "best", "gpt-4o")
    assert best["route_id"] == "openai-gpt-4o@direct"
    where = as_json(url, "routes", "availability", "llama-3.3-70b")
    assert sorted(where) == ["self_hosted", "together"]
    cheap = as_json(
        url, "routes", "cheapest", "--prompt-tokens", "2000", "--max-output-tokens", "300"
    )
    prices = [Decimal(r["price"]) for r in cheap["data"]]
    assert len(prices) == 5 and prices == sorted(prices)
    recs = as_json(url, "recommend", "--task", "chat", "--optional", "vision", "--limit", "3")
    assert recs["count"] == 3 and all(r["reasons"] for r in recs["data"])
    alts = as_json(url, "models", "alternatives", "anthropic-claude-3-opus", "--limit", "3")
    shared = [len(a["shared_capabilities"]) for a in alts["data"]]
    assert shared == sorted(shared, reverse=True) and shared[0] >= 4
    for output in (chain, best, where, cheap, recs, alts):
        assert not _money_keys(output) & {"cost", "margin", "markup"}


def test_recommend_names_only_routes_this_shell_can_call(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue: with no adapter for self-hosted endpoints and only OpenAI's key set,
    ``radiant recommend --task chat`` put ``mistral-7b@self_hosted`` first."""
    for name in catalog_credentials():
        monkeypatch.delenv(name, raising=False)
    assert as_json(url, "recommend", "--task", "chat")["data"] == []
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    recs = as_json(url, "recommend", "--task", "chat", "--limit", "5")
    assert recs["count"] == 5
    assert {(r["platform_id"], r["provider_id"]) for r in recs["data"]} == {("direct", "openai")}
    listed = invoke(url, "routes", "list", "mistral-7b-v0.3")
    assert "no: no AWS credentials (set AWS_ACCESS_KEY_ID" in listed
    every = as_json(url, "recommend", "--task", "chat", "--include-uncallable", "--limit", "1")
    assert every["data"][0]["hosting_type"] == "self_hosted"


def _money_keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {k for k in value if any(w in k for w in ("cost", "margin", "markup"))}
        return found | {k for v in value.values() for k in _money_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _money_keys(v)}
    return set()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("routes", "best", "gpt-4x"), 3, "did you mean"),
        (("select", "--task", "teleport"), 2, "task"),
        (("select", "--max-price", "abc"), 2, "--max-price must be a number"),
        (("select", "--tier", "9"), 2, "tier"),
        (("models", "alternatives", "nope"), 3, "not found"),
    ],
)
def test_errors_are_one_line(url: str, args: tuple[str, ...], code: int, message: str) -> None:
    env = {**os.environ, "RADIANT_DATABASE_URL": url}
    result = run_radiant(args, env=env)
    assert result.returncode == code, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr


def test_routes_list_without_a_model_splits_the_registry_by_callability(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``radiant routes list --callable/--not-callable``: every route on one side or the
    other, the others with the reason they cannot be called."""
    every = as_json(url, "routes", "list")
    assert every["count"] == len(load_catalog().routes)
    ready = as_json(url, "routes", "list", "--callable")
    not_ready = as_json(url, "routes", "list", "--not-callable")
    assert ready["count"] + not_ready["count"] == every["count"]
    assert all(r["callable"] and r["not_callable_reason"] is None for r in ready["data"])
    reasons = {r["route_id"]: r["not_callable_reason"] for r in not_ready["data"]}
    assert reasons["midjourney-v6@direct"].startswith("no public API")
    assert reasons["whisper-large-v3@self_hosted"].startswith("no AWS credentials")
    of_model = as_json(url, "routes", "list", "llama-3.3-70b", "--not-callable")
    assert [r["route_id"] for r in of_model["data"]] == ["llama-3.3-70b@self_hosted"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")  # SageMaker can be called now
    more = as_json(url, "routes", "list", "--callable")
    assert more["count"] == ready["count"] + 56
    assert as_json(url, "routes", "list", "llama-3.3-70b", "--not-callable")["count"] == 0
