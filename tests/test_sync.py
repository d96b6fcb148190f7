"""Catalog sync on both backends: add, update, deprecate, price history, admin fields."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from radiant.catalog import load_catalog
from radiant.errors import CatalogError
from radiant.registry.service import Registry
from radiant.store.repository import price_history, registry_version, sync_history
from radiant.store.tables import (
    Base,
    ModelRow,
    PriceHistoryRow,
    RouteRow,
    SyncLogRow,
    ThermalStateRow,
)
from radiant.sync import sync_catalog


def _dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every registry row, minus the sync log, for before/after comparisons."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with Session(engine) as session:
        for name, table in Base.metadata.tables.items():
            if name == "registry_sync_log":
                continue
            rows = session.execute(select(table)).all()
            out[name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def _edit(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_builtin_catalog_loads_and_second_run_changes_nothing(migrated: Engine) -> None:
    catalog = load_catalog()
    first = sync_catalog(migrated, catalog)
    assert first.status == "completed"
    assert first.models_added == len(catalog.models)
    assert first.routes_added == len(catalog.routes)
    assert registry_version(migrated) == 1

    before = _dump(migrated)
    second = sync_catalog(migrated, catalog)
    assert not second.changed
    assert registry_version(migrated) == 1
    assert _dump(migrated) == before

    history = sync_history(migrated)
    assert [h["status"] for h in history] == ["completed", "completed"]
    assert {h["models_added"] for h in history} == {len(catalog.models), 0}
    assert all(h["duration_ms"] is not None for h in history)


def test_changes_update_deprecate_and_keep_price_history(
    migrated: Engine, small_catalog: Path
) -> None:
    sync_catalog(migrated, load_catalog(small_catalog))
    models_file = small_catalog / "models" / "acme.yaml"

    def change(data: dict[str, Any]) -> None:
        large = data["models"][0]
        large["description"] = "The big one, now bigger"
        large["routes"][0]["price"]["input_per_1m"] = 2.5
        data["models"] = [m for m in data["models"] if m["id"] != "acme-small"]

    _edit(models_file, change)
    report = sync_catalog(migrated, load_catalog(small_catalog))
    assert report.models_updated == 1
    assert report.models_deprecated == 1
    assert report.prices_changed == 1
    assert registry_version(migrated) == 2

    with Session(migrated) as session:
        small = session.get(ModelRow, "acme-small")
        assert small is not None and small.deprecated and small.status == "deprecated"
        route = session.get(RouteRow, "acme-small@direct")
        assert route is not None and route.status == "inactive"  # kept, never deleted

    sheets = price_history(migrated, "acme-large@direct")
    assert [s.input_per_1m for s in sheets] == [Decimal("3"), Decimal("2.5")]
    assert sheets[0].effective_to is not None
    assert sheets[0].effective_to == sheets[1].effective_from
    assert sheets[1].effective_to is None
    assert sheets[1].cached_input_per_1m == Decimal("0.3")

    # and nothing more on a repeat
    again = sync_catalog(migrated, load_catalog(small_catalog))
    assert not again.changed
    assert len(price_history(migrated, "acme-large@direct")) == 2


def test_admin_owned_fields_survive_a_sync(migrated: Engine, small_catalog: Path) -> None:
    sync_catalog(migrated, load_catalog(small_catalog))
    with Session(migrated) as session, session.begin():
        session.execute(
            update(ModelRow)
            .where(ModelRow.id == "acme-large")
            .values(description="Set by hand", admin_fields=["description"])
        )
        session.execute(
            update(RouteRow)
            .where(RouteRow.id == "acme-large@direct")
            .values(admin_fields=["price"])
        )

    def change(data: dict[str, Any]) -> None:
        large = data["models"][0]
        large["description"] = "Catalog text"
        large["display_name"] = "Acme Large v2"
        large["routes"][0]["price"]["input_per_1m"] = 9.99

    _edit(small_catalog / "models" / "acme.yaml", change)
    sync_catalog(migrated, load_catalog(small_catalog))
    with Session(migrated) as session:
        large = session.get(ModelRow, "acme-large")
        assert large is not None
        assert large.description == "Set by hand"
        assert large.display_name == "Acme Large v2"
        prices = (
            session.execute(
                select(PriceHistoryRow.input_per_1m).where(
                    PriceHistoryRow.route_id == "acme-large@direct"
                )
            )
            .scalars()
            .all()
        )
    assert prices == [Decimal("3")]


def test_self_hosted_rows_and_thermal_state(migrated: Engine, small_catalog: Path) -> None:
    sync_catalog(migrated, load_catalog(small_catalog))
    with Session(migrated) as session:
        thermal = session.get(ThermalStateRow, "tiny-detector")
        assert thermal is not None and thermal.current_state == "COLD"
    registry = Registry(migrated)
    entry = registry.get_model("sagemaker/tiny-detector")
    route = entry.routes[0]
    assert route.self_hosted is not None
    assert route.self_hosted.instance_type == "ml.g4dn.xlarge"
    assert route.self_hosted.thermal.warmup_time_seconds == 60
    assert route.price is not None and route.price.per_hour == Decimal("1.3")
    assert entry.model.self_hosted is not None
    assert entry.model.self_hosted.parameters == 25900000


def test_failed_sync_is_logged_and_changes_nothing(migrated: Engine, small_catalog: Path) -> None:
    sync_catalog(migrated, load_catalog(small_catalog))
    before = _dump(migrated)
    catalog = load_catalog(small_catalog)
    # a route pointing at a model the store does not have: the transaction must roll back
    broken = dict(catalog.routes)
    route = broken.pop("acme-small@direct")
    broken["ghost@direct"] = route.model_copy(update={"model_id": "ghost"})
    catalog = dataclasses.replace(catalog, routes=broken)
    with pytest.raises(Exception, match="database error|FOREIGN KEY|foreign key"):
        sync_catalog(migrated, catalog)
    assert _dump(migrated) == before
    with Session(migrated) as session:
        last = session.execute(
            select(SyncLogRow).order_by(SyncLogRow.started_at.desc()).limit(1)
        ).scalar_one()
    assert last.status == "failed"
    assert last.error_message


def test_bad_catalog_is_rejected_before_touching_the_store(
    migrated: Engine, small_catalog: Path
) -> None:
    sync_catalog(migrated, load_catalog(small_catalog))
    before = _dump(migrated)
    _edit(
        small_catalog / "models" / "acme.yaml",
        lambda d: d["models"][1].__setitem__("context_window", "lots"),
    )
    with pytest.raises(CatalogError) as info:
        sync_catalog(migrated, load_catalog(small_catalog))
    assert "acme.yaml" in str(info.value)
    assert "acme-small" in str(info.value)
    assert "context_window" in str(info.value)
    assert _dump(migrated) == before
