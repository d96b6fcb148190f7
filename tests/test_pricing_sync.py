"""Pricing sync: public catalogs price the registry's routes, on SQLite and PostgreSQL.

Built-in catalog synced first (its estimated sheets raise alerts), then the hand-written
fixtures of tests/fixtures/catalogs are imported.
"""

from __future__ import annotations

import http.server
import json
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update
from typer.testing import CliRunner

from radiant.catalog import load_catalog
from radiant.cli import app as cli_app
from radiant.domain import CostSource, PricingType
from radiant.pricing import store as pricing_store
from radiant.pricing.service import PricingService
from radiant.registry.service import Registry
from radiant.store.engine import session_scope
from radiant.store.mapping import row_to_price
from radiant.store.repository import bump_version, price_history, registry_version
from radiant.store.tables import ModelRow, PriceHistoryRow, RouteRow
from radiant.sync import sync_catalog
from radiant.sync.jobs import JOBS, JobContext
from radiant.sync.pricing_sync import sync_pricing

CATALOGS = Path(__file__).parent / "fixtures" / "catalogs"
LITELLM = ("litellm", str(CATALOGS / "litellm.json"))
MODELS_DEV = ("models-dev", str(CATALOGS / "models_dev.json"))
OPENROUTER = ("openrouter", str(CATALOGS / "openrouter.json"))
LITELLM_TEXT = (CATALOGS / "litellm.json").read_text()


@pytest.fixture
def registry_db(migrated: Engine) -> Engine:
    """The built-in catalog, synced, with the estimated-cost alerts it raises."""
    sync_catalog(migrated, load_catalog(None))
    PricingService(Registry(migrated, check_interval=0)).reconcile_estimates()
    return migrated


def _sheet(engine: Engine, route_id: str) -> Any:
    with session_scope(engine) as session:
        row = session.execute(
            select(PriceHistoryRow).where(
                PriceHistoryRow.route_id == route_id, PriceHistoryRow.effective_to.is_(None)
            )
        ).scalar_one()
        return row_to_price(row), row.recorded_by


def _rows(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.execute(select(func.count()).select_from(PriceHistoryRow)).scalar_one())


def _skipped(plan: Any) -> dict[str, str]:
    return {key: reason for _, key, reason in plan.skipped}


def test_imports_fill_what_the_catalog_left_empty_and_a_second_run_changes_nothing(
    registry_db: Engine,
) -> None:
    version = registry_version(registry_db)
    rows = _rows(registry_db)
    plan, report = sync_pricing(registry_db, [LITELLM])

    # the catalog (provider documentation) keeps every price it states; LiteLLM adds the
    # cache-read and flex prices it lacks
    gemini, recorded_by = _sheet(registry_db, "google-gemini-25-pro@direct")
    assert gemini.source is CostSource.IMPORTED_CATALOG and not gemini.is_estimated
    assert recorded_by == "pricing-sync:litellm"
    assert gemini.notes == "the catalog's prices; imported from litellm:gemini/gemini-2.5-pro"
    assert gemini.last_verified_at is not None
    assert gemini.input_per_1m == Decimal("1.25") and gemini.long_context_threshold == 200_000
    assert (gemini.cached_input_per_1m, gemini.flex_output_per_1m) == (
        Decimal("0.125"),
        Decimal("5"),
    )
    history = price_history(registry_db, "google-gemini-25-pro@direct")
    assert [h.cached_input_per_1m for h in history] == [None, Decimal("0.125")]
    assert history[0].effective_to == history[1].effective_from
    # LiteLLM's gpt-4o is the pointer, not the 2024-08-06 snapshot the route calls
    gpt, by = _sheet(registry_db, "openai-gpt-4o@direct")
    assert (gpt.input_per_1m, by) == (Decimal("2.5"), "catalog-sync")
    whisper, by = _sheet(registry_db, "openai-whisper-1@direct")
    assert whisper.pricing_type is PricingType.PER_MINUTE and by == "catalog-sync"
    tts, by = _sheet(registry_db, "openai-tts-1@direct")
    assert tts.input_per_1m == Decimal("15") and by == "catalog-sync"
    # a zero where the catalog has a price changes nothing: the catalog's price stands
    assert _sheet(registry_db, "deepseek-chat@direct")[0].input_per_1m == Decimal("0.28")

    changed = {c["route"] for c in report.changes}
    assert "google-gemini-25-pro@direct" in changed and "openai-gpt-4o@direct" not in changed
    assert report.prices_changed + report.prices_added == len(changed)
    assert registry_version(registry_db) == version + 1
    assert _rows(registry_db) == rows + len(changed)
    # entries that are no model are skipped with their reason; every other one is a route
    assert _skipped(plan) == {
        "sample_spec": "documentation of the format, not a model",
        "no-provider-model": "no litellm_provider",
        "broken-entry": "not an object",
    }
    # the other endpoint: the gpt-4o pointer, filed under the model the route of which
    # calls its 2024-08-06 snapshot
    assert report.outcomes["litellm"] == {
        "other_endpoints": 1,
        "read": 19,
        "routes": 15,
        "skipped": 3,
    }
    assert (
        Registry(registry_db, check_interval=0).snapshot().resolve("mystery-model-1").model.imported
    )

    # the same document at the version the run left: known to change nothing, not re-read
    again_plan, again = sync_pricing(registry_db, [LITELLM])
    assert again.documents_unchanged and again_plan is None and again.entries_read == 19
    assert registry_version(registry_db) == version + 1

    # after any other write the prices are compared again, and still nothing changes
    with session_scope(registry_db) as session:
        bump_version(session)
    _, third = sync_pricing(registry_db, [LITELLM])
    assert not third.documents_unchanged and not third.written
    assert third.unchanged == len(changed)
    assert registry_version(registry_db) == version + 2
    assert _rows(registry_db) == rows + len(changed)


def test_administrators_values_survive(registry_db: Engine) -> None:
    with session_scope(registry_db) as session:
        session.execute(
            update(RouteRow)
            .where(RouteRow.id == "google-gemini-25-pro@direct")
            .values(admin_fields=["price"])
        )
        manual = _sheet(registry_db, "anthropic-claude-opus-4-5@bedrock")[0].model_copy(
            update={
                "source": CostSource.ADMIN_MANUAL_ENTRY,
                "input_per_1m": Decimal("4.5"),
                "is_estimated": False,
            }
        )
        pricing_store.write_sheet(
            session, "anthropic-claude-opus-4-5@bedrock", manual, "ops@example.test"
        )
    _, report = sync_pricing(registry_db, [LITELLM])
    gemini, _ = _sheet(registry_db, "google-gemini-25-pro@direct")
    opus, by = _sheet(registry_db, "anthropic-claude-opus-4-5@bedrock")
    assert gemini.cached_input_per_1m is None and gemini.source is CostSource.PROVIDER_DOCUMENTATION
    assert (opus.input_per_1m, by) == (Decimal("4.5"), "ops@example.test")
    assert set(report.admin_kept) == {
        "google-gemini-25-pro@direct",
        "anthropic-claude-opus-4-5@bedrock",
    }
    assert not set(report.admin_kept) & {c["route"] for c in report.changes}


def test_a_real_price_replaces_an_estimate_and_resolves_its_alert(registry_db: Engine) -> None:
    route = "anthropic-claude-opus-4-5@bedrock"
    estimated, _ = _sheet(registry_db, route)
    assert estimated.is_estimated
    open_alerts = [a for a in pricing_store.list_alerts(registry_db) if a.route_id == route]
    assert [a.status.value for a in open_alerts] == ["pending"]

    _, report = sync_pricing(registry_db, [LITELLM])

    real, _ = _sheet(registry_db, route)
    assert not real.is_estimated and real.cache_write_per_1m == Decimal("6.25")
    # the estimate's guessed batch prices did not pass into the real sheet
    assert estimated.batch_input_per_1m is not None and real.batch_input_per_1m is None
    assert route in report.estimates_replaced
    alert = next(a for a in pricing_store.list_alerts(registry_db) if a.id == open_alerts[0].id)
    assert alert.status.value == "resolved"
    assert (alert.resolved_by, alert.resolution_source) == ("system", "imported_catalog")
    others = [a for a in pricing_store.list_alerts(registry_db) if a.route_id != route]
    assert others and all(a.status.value == "pending" for a in others)


def test_openrouter_prices_its_routes_and_new_ones_appear(registry_db: Engine) -> None:
    plan, _ = sync_pricing(registry_db, [MODELS_DEV, LITELLM, OPENROUTER])
    nano, by = _sheet(registry_db, "openai-gpt-5-nano@openrouter")
    assert by == "pricing-sync:openrouter" and not nano.is_estimated
    assert nano.per_search_request == Decimal("0.01")
    # OpenRouter's gpt-4o is a new route of the catalog's model; 302.AI a new platform
    snapshot = Registry(registry_db, check_interval=0).snapshot()
    gpt = snapshot.resolve("gpt-4o")
    assert {"direct", "openrouter", "302ai"} <= {r.platform_id for r in gpt.routes}
    assert snapshot.platforms["302ai"].kind.value == "aggregator"
    assert plan is not None and not [
        s
        for s in plan.skipped
        if s[0] == "openrouter" and s[1] != "openrouter/auto" and s[1] != "data[7]"
    ]


def test_a_later_catalog_sync_keeps_the_imported_fills(registry_db: Engine) -> None:
    sync_pricing(registry_db, [LITELLM])
    version = registry_version(registry_db)
    report = sync_catalog(registry_db, load_catalog(None))
    assert report.prices_changed == 0
    assert registry_version(registry_db) == version
    assert _sheet(registry_db, "google-gemini-25-pro@direct")[0].cached_input_per_1m == Decimal(
        "0.125"
    )


class _Progress:
    def __init__(self) -> None:
        self.total: int | None = None
        self.steps = 0
        self.messages: list[str] = []

    def start(self, total: int | None, message: str = "") -> None:
        self.total = total
        self.messages.append(message)

    def advance(self, amount: int = 1, message: str | None = None) -> None:
        self.steps += amount
        if message:
            self.messages.append(message)


def test_the_pricing_job_counts_and_lists_what_it_skipped(registry_db: Engine) -> None:
    progress = _Progress()
    result = JOBS["pricing"](
        registry_db, JobContext("s1", progress=progress, options={"sources": [LITELLM]})
    )
    assert progress.steps == progress.total == 4
    assert any("reading litellm" in m for m in progress.messages)
    assert result.counts["entries_read"] == 19
    assert result.counts["prices_changed"] + result.counts["prices_added"] > 0
    assert result.details["skipped_by_reason"]["not an object"] == 1
    listed = result.details["skipped"]["litellm"]
    assert listed["not an object"] == ["broken-entry"]
    assert result.counts["skipped"] == sum(len(keys) for keys in listed.values())
    assert result.details["outcomes"]["litellm"]["read"] == 19
    assert result.source == f"litellm={LITELLM[1]}"


class _Files(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = (CATALOGS / self.path.lstrip("/")).read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.mark.slow
def test_radiant_sync_pricing_from_a_url_prints_the_run(registry_db: Engine) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = registry_db.url.render_as_string(hide_password=False)
    source = f"openrouter=http://127.0.0.1:{server.server_address[1]}/openrouter.json"
    try:
        result = CliRunner().invoke(
            cli_app, ["--database-url", url, "sync", "pricing", "--source", source, "--json"]
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 0, result.output
    run = json.loads(result.output)
    assert run["status"] == "completed" and run["sync_type"] == "pricing"
    assert run["details"]["skipped"]["openrouter"] == {
        "price decided per request (a router, not a model)": ["openrouter/auto"],
        "entry without an id": ["data[7]"],
    }
    assert run["details"]["outcomes"]["openrouter"]["routes"] == 6
    assert "openai-gpt-5-nano@openrouter" in [c["route"] for c in run["details"]["changes"]]
    nano, by = _sheet(registry_db, "openai-gpt-5-nano@openrouter")
    assert by == "pricing-sync:openrouter" and not nano.is_estimated


def test_missing_model_facts_are_filled_never_replaced(registry_db: Engine) -> None:
    from radiant.store.tables import ModelRow

    with session_scope(registry_db) as session:
        session.execute(
            update(ModelRow)
            .where(ModelRow.id == "openai-gpt-4o")
            .values(admin_fields=["deprecation_date"])
        )
    registry = Registry(registry_db, check_interval=0)
    gemini = registry.snapshot().resolve("gemini-1.5-pro").model
    assert (gemini.context_window, gemini.max_output_tokens) == (2_000_000, None)

    _, report = sync_pricing(registry_db, [LITELLM, MODELS_DEV])

    filled = {c["model"]: c["fields"] for c in report.model_changes}
    assert filled["openai-tts-1"] == {"deprecation_date": "2027-01-06"}
    assert filled["gemini-1.5-pro"] == {"max_output": 8192}  # its context window stands
    assert "openai-gpt-4o" not in filled  # the administrator owns its deprecation date
    with session_scope(registry_db) as session:
        tts = session.get(ModelRow, "openai-tts-1")
        assert tts is not None and tts.imported_fields == {"deprecation_date": "litellm:tts-1"}
    model = registry.snapshot().resolve("gemini-1.5-pro").model
    assert model.max_output_tokens == 8192
    assert str(registry.snapshot().resolve("tts-1").model.deprecation_date) == "2027-01-06"

    # a catalog sync keeps them (the catalog has none); a second import changes nothing
    assert sync_catalog(registry_db, load_catalog(None)).models_updated == 0
    assert registry.snapshot().resolve("gemini-1.5-pro").model.max_output_tokens == 8192
    with session_scope(registry_db) as session:
        bump_version(session)
    _, again = sync_pricing(registry_db, [LITELLM, MODELS_DEV])
    assert again.model_changes == [] and not again.written


def test_a_catalog_value_takes_over_from_an_imported_one() -> None:
    from radiant.store.tables import ModelRow
    from radiant.sync.catalog_sync import _apply

    row = ModelRow(
        id="m", max_output=8192, row_version=1, imported_fields={"max_output": "litellm:m"}
    )
    assert not _apply(row, {"max_output": None})  # the catalog has none: the import stays
    assert row.max_output == 8192 and row.imported_fields == {"max_output": "litellm:m"}
    assert _apply(row, {"max_output": 4096})  # the catalog's own value wins from now on
    assert row.max_output == 4096 and row.imported_fields == {}
    assert _apply(row, {"max_output": None}) and row.max_output is None


def test_a_catalog_sync_writes_its_sheet_only_when_its_own_prices_changed() -> None:
    from datetime import UTC, datetime

    from radiant.domain import PriceSheet
    from radiant.sync.price_sheets import catalog_keeps_import

    merged = PriceHistoryRow(
        route_id="r",
        pricing_type="per_token",
        currency="USD",
        input_per_1m=Decimal("2.5"),
        output_per_1m=Decimal("10"),
        batch_input_per_1m=Decimal("1.25"),
        effective_from=datetime(2026, 1, 1, tzinfo=UTC),
        source="imported_catalog",
        is_estimated=False,
        field_sources={
            "input_per_1m": "catalog",
            "output_per_1m": "catalog",
            "batch_input_per_1m": "litellm:gpt-4o-2024-08-06",
        },
    )
    same = PriceSheet(
        pricing_type=PricingType.PER_TOKEN, input_per_1m=Decimal("2.5"), output_per_1m=10
    )
    assert catalog_keeps_import(merged, same)  # the import only added what it lacked
    dearer = same.model_copy(update={"input_per_1m": Decimal("3")})
    assert not catalog_keeps_import(merged, dearer)  # the catalog's own price moved
    estimate = dearer.model_copy(update={"is_estimated": True})
    assert catalog_keeps_import(merged, estimate)  # a real price beats the catalog's guess


def test_a_catalog_model_past_its_imported_deprecation_date_is_deprecated(
    registry_db: Engine, tmp_path: Path
) -> None:
    past = tmp_path / "litellm.json"
    past.write_text(LITELLM_TEXT.replace('"2027-01-06"', '"2025-01-06"'))
    sync_pricing(registry_db, [("litellm", str(past))])
    tts = Registry(registry_db, check_interval=0).snapshot().resolve("tts-1").model
    assert str(tts.deprecation_date) == "2025-01-06" and tts.is_deprecated
    with session_scope(registry_db) as session:
        row = session.get(ModelRow, "openai-tts-1")
        assert row is not None and row.status == "active"  # the catalog's status stands
