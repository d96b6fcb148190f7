"""The discovery job over real SQLite and PostgreSQL stores and fake upstream servers on
127.0.0.1: new models wait for review, vanished routes retire after N full listings,
failed or skipped listings count for nothing, administrators' fields survive."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from discovery_catalog import seed_catalog
from discovery_fakes import (
    KEY,
    Trouble,
    Upstream,
    anthropic_model,
    gemini_model,
    openrouter_model,
    serve,
)
from manage_helpers import ctx
from radiant.errors import ValidationError
from radiant.manage.registry_writes import RegistryWriter
from radiant.registry.service import Registry
from radiant.store.discovery_tables import DiscoveredModelRow, DiscoveryRouteStateRow
from radiant.store.repository import registry_version
from radiant.store.tables import ModelRow, RouteRow
from radiant.sync.discovery.http import RetryPolicy
from radiant.sync.jobs import JOBS, JobContext, JobResult

pytestmark = pytest.mark.slow
FAST = RetryPolicy(attempts=2, initial=0.01, max_wait=2)


class Recorder:
    def __init__(self) -> None:
        self.total: int | None = None
        self.steps: list[tuple[int, str | None]] = []

    def start(self, total: int | None, message: str = "") -> None:
        self.total = total

    def advance(self, amount: int = 1, message: str | None = None) -> None:
        self.steps.append((amount, message))


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    yield from serve(Upstream())


@pytest.fixture
def store(
    migrated: Engine, upstream: Upstream, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Engine:
    """The test catalog pointed at the fake upstream; keys for all but HostCo."""
    seed_catalog(migrated, tmp_path / "catalog", upstream.base)
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.setenv("OPENROUTER_API_KEY", KEY)
    monkeypatch.setenv("RADIANT_PROVIDERS_GOOGLE", KEY)  # secret_ref radiant/providers/google
    upstream.anthropic = [anthropic_model("claude-one-20250101"), anthropic_model("claude-two")]
    upstream.gemini = [gemini_model("gemini-pro")]
    upstream.openrouter = [openrouter_model("anthropic/claude-one")]
    return migrated


def discover(engine: Engine, progress: Recorder | None = None, **options: Any) -> JobResult:
    import radiant.sync.discovery.job  # noqa: F401  (registers the job)

    context = JobContext(sync_id=str(uuid.uuid4()), options={"retry": FAST, **options})
    if progress is not None:
        context.progress = progress
    return JOBS["discovery"](engine, context)


def pending(engine: Engine) -> dict[tuple[str, str], DiscoveredModelRow]:
    with Session(engine) as session:
        rows = session.scalars(
            select(DiscoveredModelRow).where(DiscoveredModelRow.status == "pending")
        )
        return {(r.platform_id, r.upstream_id): r for r in rows}


def model(engine: Engine, model_id: str) -> ModelRow:
    with Session(engine) as session:
        row = session.get(ModelRow, model_id)
        assert row is not None
        return row


def route_status(engine: Engine, route_id: str) -> str:
    with Session(engine) as session:
        row = session.get(RouteRow, route_id)
        assert row is not None
        return row.status


def test_new_models_wait_for_review_and_keyless_platforms_are_skipped(
    store: Engine, upstream: Upstream
) -> None:
    upstream.anthropic.append(anthropic_model("claude-three"))
    upstream.gemini.append(gemini_model("gemini-ultra", context=2_000_000))
    upstream.openrouter.append(openrouter_model("vendor/newbie", "0.000002", "0.000008"))
    upstream.endpoints["vendor/newbie"] = [
        {"name": "Vendor", "context_length": 100000, "pricing": {"prompt": "0.000002"}}
    ]
    version = registry_version(store)
    progress = Recorder()

    result = discover(store, progress)

    assert "hostco: skipped: no credentials (environment variable HOSTCO_API_KEY)" in result.errors
    assert result.counts["models_discovered"] == 3
    # listed, but none of them changed in the registry: no provider updated
    assert result.counts["providers_updated"] == 0
    assert result.details["targets"]["direct:anthropic"] == {
        "status": "listed",
        "pages": 1,
        "models": 3,
        "new": 1,
        "routes_checked": 2,
        "routes_missing": 0,
    }
    assert result.details["unsupported"] == ["bedrock"]
    assert progress.total == 4 and sum(a for a, _ in progress.steps) == 4
    assert any(m and "page 1" in m for _, m in progress.steps)

    found = pending(store)
    assert set(found) == {
        ("direct", "claude-three"),
        ("direct", "gemini-ultra"),
        ("openrouter", "vendor/newbie"),
    }
    three, ultra, newbie = (
        found["direct", "claude-three"],
        found["direct", "gemini-ultra"],
        found["openrouter", "vendor/newbie"],
    )
    assert (three.suggested_provider_id, three.display_name) == ("anthropic", "Claude claude-three")
    assert ultra.suggested_provider_id == "google" and ultra.context_window == 2_000_000
    assert ultra.raw["name"] == "models/gemini-ultra"
    assert newbie.suggested_provider_id is None  # 'vendor' is no provider of the registry
    assert (newbie.input_per_1m, newbie.output_per_1m) == (Decimal("2"), Decimal("8"))
    assert newbie.endpoints is not None and newbie.endpoints[0]["input_per_1m"] == "2"
    # pending models are nowhere in the registry, and the registry did not change
    snapshot = Registry(store).snapshot()
    assert snapshot.find("claude-three") is None and snapshot.find("gemini-ultra") is None
    assert registry_version(store) == version

    again = discover(store)
    assert again.counts["models_discovered"] == 0 and len(pending(store)) == 3
    assert again.counts["providers_updated"] == 0  # nothing changed: no phantom update
    assert upstream.hits("/endpoints") == 1  # endpoints are looked up once per new model


def test_failed_listings_are_errors_and_never_count_as_missing(
    store: Engine, upstream: Upstream
) -> None:
    upstream.script["anthropic"] = [Trouble(status=500)] * 20
    upstream.script["gemini"] = [Trouble(body=b"<html>not json")] * 20
    for _ in range(3):
        result = discover(store)
        assert result.details["targets"]["direct:anthropic"]["status"] == "failed"
        assert result.details["targets"]["openrouter"]["status"] == "listed"
    assert any(
        e.startswith("direct:anthropic: GET ") and "HTTP 500 (after 2 attempts)" in e
        for e in result.errors
    )
    assert any(e.startswith("direct:google: ") and "not JSON" in e for e in result.errors)
    assert not model(store, "claude-two").deprecated
    assert route_status(store, "claude-two@direct") == "active"
    with Session(store) as session:
        states = session.scalars(select(DiscoveryRouteStateRow)).all()
        assert {s.route_id for s in states} == {"claude-one@openrouter"}


def test_a_vanished_model_is_deprecated_after_two_runs_not_one(
    store: Engine, upstream: Upstream
) -> None:
    assert discover(store).counts["models_deprecated"] == 0
    upstream.anthropic = [anthropic_model("claude-one-20250101")]  # claude-two is gone

    first = discover(store)
    assert first.counts["routes_missing"] == 1 and first.counts["models_deprecated"] == 0
    assert not model(store, "claude-two").deprecated
    assert route_status(store, "claude-two@direct") == "active"
    version = registry_version(store)

    second = discover(store)
    assert second.counts["models_deprecated"] == 1
    assert second.counts["providers_updated"] == 1  # the direct API's routes changed
    gone = model(store, "claude-two")
    assert gone.deprecated and gone.status == "deprecated"
    assert gone.deprecation_date == date.today()
    assert route_status(store, "claude-two@direct") == "inactive"
    assert registry_version(store) > version
    assert Registry(store).snapshot().resolve("claude-two").model.is_deprecated

    once = discover(store)  # once is enough
    assert once.counts["models_deprecated"] == 0 and once.counts["providers_updated"] == 0

    upstream.anthropic.append(anthropic_model("claude-two"))  # it came back
    back = discover(store)
    assert back.counts["models_updated"] == 1
    assert not model(store, "claude-two").deprecated
    assert route_status(store, "claude-two@direct") == "active"


def test_a_model_still_served_elsewhere_only_loses_the_vanished_route(
    store: Engine, upstream: Upstream
) -> None:
    upstream.anthropic = [anthropic_model("claude-two")]  # claude-one left the direct API
    for _ in range(2):
        result = discover(store)
    assert result.details["routes_retired"] == 1 and result.counts["models_deprecated"] == 0
    assert route_status(store, "claude-one@direct") == "inactive"
    assert route_status(store, "claude-one@openrouter") == "active"
    assert not model(store, "claude-one").deprecated


def test_missing_runs_is_a_setting(store: Engine, upstream: Upstream) -> None:
    upstream.anthropic = [anthropic_model("claude-one-20250101")]
    for _ in range(2):
        assert discover(store, missing_runs=3).counts["models_deprecated"] == 0
    assert discover(store, missing_runs=3).counts["models_deprecated"] == 1


def test_fields_an_administrator_set_survive(store: Engine, upstream: Upstream) -> None:
    writer = RegistryWriter(store)
    current = writer.get("model", "claude-two")
    writer.update(
        "model",
        "claude-two",
        {"status": "preview", "description": "ours"},
        current.row_version,
        ctx(),
    )
    upstream.anthropic = [anthropic_model("claude-one-20250101")]
    for _ in range(2):
        discover(store)
    kept = model(store, "claude-two")
    assert kept.status == "preview" and kept.description == "ours"  # the administrator's
    assert kept.deprecated and kept.deprecation_date == date.today()  # the catalog's


def test_a_platform_filter_lists_only_that_platform(store: Engine, upstream: Upstream) -> None:
    result = discover(store, platforms="anthropic,openrouter")
    assert set(result.details["targets"]) == {"direct:anthropic", "openrouter"}
    assert upstream.hits("gemini") == 0
    # a name that matches nothing is the caller's mistake, before anything is listed
    hits = upstream.hits("anthropic")
    with pytest.raises(ValidationError, match="no platform to discover matches nowhere"):
        discover(store, platforms=["anthropic", "nowhere"])
    with pytest.raises(ValidationError, match="no list-models API to discover bedrock"):
        discover(store, platforms="bedrock")
    assert upstream.hits("anthropic") == hits


def test_an_upstream_listing_5000_models(store: Engine, upstream: Upstream) -> None:
    upstream.openrouter = [openrouter_model(f"vendor/m-{i:04d}") for i in range(5000)]
    result = discover(store, platforms="openrouter", endpoint_lookups=10)
    assert result.counts["models_discovered"] == 5000
    assert result.details["targets"]["openrouter"]["routes_missing"] == 1  # claude-one
    with Session(store) as session:
        count = session.scalar(select(func.count()).where(DiscoveredModelRow.status == "pending"))
    assert count == 5000
    assert upstream.hits("/endpoints") == 10  # a bounded number of endpoint lookups a run
    assert discover(store, platforms="openrouter").counts["models_discovered"] == 0


def test_a_run_through_the_sync_runner_is_logged(store: Engine, upstream: Upstream) -> None:
    from radiant.store.repository import sync_run
    from radiant.sync.runner import run_job

    upstream.anthropic = [anthropic_model("claude-one-20250101")]
    options = {"retry": FAST}
    run_job(store, "discovery", options=options)
    run = run_job(store, "discovery", options=options)
    assert run.ok and run.counts["models_deprecated"] == 1
    logged = sync_run(store, run.id)
    assert logged is not None and logged["status"] == "completed"
    assert logged["models_deprecated"] == 1 and logged["providers_updated"] == 1
    assert any("HOSTCO_API_KEY" in e for e in logged["errors"])


def test_a_catalog_sync_cannot_bring_back_what_upstream_dropped(
    store: Engine, upstream: Upstream, tmp_path: Path
) -> None:
    from radiant.catalog import load_catalog
    from radiant.sync import sync_catalog

    upstream.anthropic = [anthropic_model("claude-one-20250101")]
    for _ in range(2):
        discover(store)
    retired = model(store, "claude-two")
    assert retired.deprecated and retired.deprecation_date == date.today()
    # the catalog still lists claude-two as active: its sync leaves discovery's verdict ...
    report = sync_catalog(store, load_catalog(tmp_path / "catalog"), source="test")
    assert not report.changed
    assert model(store, "claude-two").deprecated
    assert route_status(store, "claude-two@direct") == "inactive"
    # ... so the next discovery has nothing to undo, and a full sync does not churn
    assert discover(store).counts.get("models_deprecated", 0) == 0
    # when upstream lists it again, discovery brings it back and the catalog owns it again
    upstream.anthropic = [anthropic_model("claude-one-20250101"), anthropic_model("claude-two")]
    discover(store)
    assert not model(store, "claude-two").deprecated
    assert route_status(store, "claude-two@direct") == "active"
