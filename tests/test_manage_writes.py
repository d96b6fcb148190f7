"""Registry writes through the service, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from manage_helpers import ctx, seed
from radiant.catalog import load_catalog
from radiant.core.audit import AuditQuery, list_audit
from radiant.core.context import WriteContext
from radiant.errors import (
    AuthenticationError,
    ConflictError,
    PermissionDeniedError,
    PreconditionFailedError,
    ValidationError,
)
from radiant.manage.registry_writes import RegistryWriter
from radiant.registry.service import Registry
from radiant.security import ANONYMOUS, Role
from radiant.store.repository import price_history
from radiant.store.tables import ModelRow
from radiant.sync import sync_catalog


@pytest.fixture
def writer(migrated: Engine, small_catalog: Path) -> RegistryWriter:
    seed(migrated, small_catalog)
    return RegistryWriter(migrated, Registry(migrated))


def test_update_validates_versions_and_survives_a_catalog_sync(
    writer: RegistryWriter, small_catalog: Path
) -> None:
    before = writer.get("model", "acme-large")
    registry = writer.registry
    assert registry is not None
    version = registry.snapshot().version
    result = writer.update(
        "model", "acme-large", {"description": "Edited by hand"}, before.row_version, ctx()
    )
    assert result.record is not None and result.record.row_version == before.row_version + 1
    assert result.record.obj.description == "Edited by hand"
    assert "description" in result.record.admin_fields
    assert registry.snapshot().version == version + 1
    assert registry.snapshot().resolve("acme-large").model.description == "Edited by hand"
    # a stale version is refused and changes nothing
    with pytest.raises(PreconditionFailedError) as stale:
        writer.update("model", "acme-large", {"description": "x"}, before.row_version, ctx())
    assert stale.value.current_version == str(before.row_version + 1)
    # the domain model rejects bad values: 422, nothing stored
    with pytest.raises(ValidationError, match="min_tier"):
        writer.update("model", "acme-large", {"min_tier": 9}, before.row_version + 1, ctx())
    # a catalog sync keeps the administrator's field
    sync_catalog(writer.engine, load_catalog(small_catalog))
    assert writer.get("model", "acme-large").obj.description == "Edited by hand"


def test_permissions_are_checked_before_anything(writer: RegistryWriter) -> None:
    with pytest.raises(AuthenticationError):
        writer.update("model", "acme-large", {"description": "x"}, 1, WriteContext(ANONYMOUS))
    with pytest.raises(PermissionDeniedError):
        writer.update("model", "acme-large", {"description": "x"}, 1, ctx(Role.OPERATOR))
    with pytest.raises(PermissionDeniedError):
        writer.update("model", "acme-large", {"status": "inactive"}, 1, ctx(Role.AUDITOR))
    current = writer.get("route", "acme-large@hostco")
    moved = writer.update(
        "route", "acme-large@hostco", {"priority": 5}, current.row_version, ctx(Role.OPERATOR)
    )
    assert moved.record is not None and moved.record.obj.priority == 5


def test_create_update_delete_every_kind(writer: RegistryWriter) -> None:
    writer.create("platform", {"id": "newhost", "name": "New Host", "kind": "host"}, ctx())
    writer.create(
        "provider",
        {"id": "newco", "name": "newco", "display_name": "NewCo", "category": "llm"},
        ctx(),
    )
    made = writer.create(
        "model",
        {
            "id": "newco-1",
            "aliases": ["newco/one"],
            "provider_id": "newco",
            "name": "newco-1",
            "display_name": "NewCo One",
            "category": "text_generation",
            "capabilities": ["chat"],
        },
        ctx(),
    )
    assert made.record is not None and made.record.origin == "admin"
    route = writer.create(
        "route",
        {
            "model_id": "newco-1",
            "platform_id": "newhost",
            "model_string": "newco/one",
            "price": {"pricing_type": "per_token", "input_per_1m": "1.25", "output_per_1m": "5"},
        },
        ctx(),
    )
    assert route.record is not None and route.record.id == "newco-1@newhost"
    snapshot = writer.registry.snapshot()  # type: ignore[union-attr]
    entry = snapshot.resolve("newco/one")
    assert entry.model.id == "newco-1"
    assert entry.routes[0].price is not None
    assert entry.routes[0].price.input_per_1m == Decimal("1.25")
    # duplicates and dangling links are refused
    with pytest.raises(ConflictError):
        writer.create("platform", {"id": "newhost", "name": "again", "kind": "host"}, ctx())
    with pytest.raises(ValidationError, match="provider 'nobody'"):
        writer.create(
            "model",
            {"id": "x", "provider_id": "nobody", "name": "x", "display_name": "x", "category": "c"},
            ctx(),
        )
    with pytest.raises(ConflictError, match="alias"):
        writer.create(
            "model",
            {
                "id": "thief",
                "aliases": ["acme/large"],
                "provider_id": "newco",
                "name": "t",
                "display_name": "t",
                "category": "c",
            },
            ctx(),
        )
    # the platform has a route: its delete is soft
    platform = writer.get("platform", "newhost")
    retired = writer.delete("platform", "newhost", platform.row_version, ctx())
    assert retired.retired and retired.record is not None
    assert retired.record.obj.status.value == "inactive"
    # the route has price history: soft; an unreferenced admin-made model would go for good
    lone = writer.create(
        "model",
        {"id": "lonely", "provider_id": "newco", "name": "l", "display_name": "L", "category": "c"},
        ctx(),
    )
    assert lone.record is not None
    gone = writer.delete("model", "lonely", lone.record.row_version, ctx())
    assert gone.deleted
    with Session(writer.engine) as session:
        assert session.get(ModelRow, "lonely") is None
    # a catalog model is always retired, never deleted (a sync would bring it back)
    small = writer.get("model", "acme-small")
    kept = writer.delete("model", "acme-small", small.row_version, ctx())
    assert kept.retired and kept.record is not None and kept.record.obj.enabled is False


def test_pricing_status_and_capabilities(writer: RegistryWriter) -> None:
    model = writer.get("model", "acme-large")
    priced = writer.set_price(
        "model", "acme-large", {"input_cost": "2.5", "output_cost": 12}, model.row_version, ctx()
    )
    assert priced.record is not None and priced.record.row_version == model.row_version + 1
    history = price_history(writer.engine, "acme-large@direct")
    assert [h.input_per_1m for h in history] == [Decimal("3"), Decimal("2.5")]
    assert history[0].effective_to is not None and history[1].effective_to is None
    assert history[1].source.value == "admin_manual_entry"
    assert history[1].cached_input_per_1m == Decimal("0.3")  # untouched fields carry over
    route = writer.get("route", "acme-large@direct")
    assert "price" in route.admin_fields
    with pytest.raises(PermissionDeniedError):
        writer.set_price("model", "acme-large", {"input_per_1m": 1}, 2, ctx(Role.OPERATOR))

    version = priced.record.row_version
    caps = writer.change_capability("acme-large", "add", "streaming", version, ctx())
    assert caps.record is not None and "streaming" in caps.record.obj.capabilities
    version = caps.record.row_version
    caps = writer.change_capability("acme-large", "remove", "vision", version, ctx())
    assert caps.record is not None and "vision" not in caps.record.obj.capabilities

    status = writer.set_status(
        "model",
        "acme-large",
        {
            "status": "deprecated",
            "deprecation_date": "2026-12-31",
            "migration_guide": "Use acme-small instead",
            "successor_id": "acme-small",
        },
        caps.record.row_version,
        ctx(Role.OPERATOR),
    )
    assert status.record is not None
    model_obj = status.record.obj
    assert model_obj.deprecated and str(model_obj.deprecation_date) == "2026-12-31"
    assert model_obj.successor_id == "acme-small"
    with pytest.raises(ValidationError, match="successor"):
        writer.set_status(
            "model", "acme-large", {"successor_id": "nope"}, status.record.row_version, ctx()
        )

    rows, total = list_audit(writer.engine, AuditQuery(resource_id="acme-large"))
    assert total == 3  # the price change is recorded on the route it changed
    assert [r["action"] for r in rows] == [
        "model.status",
        "model.capabilities",
        "model.capabilities",
    ]
    assert rows[0]["old_values"]["status"] == "active"
    assert rows[0]["new_values"]["status"] == "deprecated"
    assert rows[0]["actor"]["role"] == "operator" and rows[0]["ip_address"] == "127.0.0.1"
    assert rows[0]["request_id"]
    pricing = list_audit(writer.engine, AuditQuery(action="model.pricing"))[0][0]
    assert pricing["resource_id"] == "acme-large@direct"
    assert pricing["old_values"]["input_per_1m"] == "3"
    assert pricing["new_values"]["input_per_1m"] == "2.5"


def test_a_write_reaches_another_process_within_a_second(
    migrated: Engine, small_catalog: Path, db_url: str
) -> None:
    seed(migrated, small_catalog)
    writer = RegistryWriter(migrated, Registry(migrated))
    from radiant.store.engine import make_engine

    other_engine = make_engine(db_url)
    postgres = other_engine.dialect.name == "postgresql"
    # on PostgreSQL the other process relies on LISTEN/NOTIFY alone (no version polling)
    other = Registry(other_engine, check_interval=3600 if postgres else 0.5)
    other.start_listening()
    try:
        assert other.snapshot().resolve("acme-large").model.description == "The big one"
        current = writer.get("model", "acme-large")
        writer.update("model", "acme-large", {"description": "seen"}, current.row_version, ctx())
        started = time.monotonic()
        while other.snapshot().resolve("acme-large").model.description != "seen":
            assert time.monotonic() - started < 1.0, "the other process did not see the write"
            time.sleep(0.02)
    finally:
        other.stop_listening()
        other_engine.dispose()


def test_ids_cannot_change(writer: RegistryWriter) -> None:
    with pytest.raises(ValidationError, match="cannot change"):
        writer.update("route", "acme-large@direct", {"model_id": "acme-small"}, 1, ctx())
    with pytest.raises(ValidationError, match="nothing to change"):
        writer.update("model", "acme-large", {}, 1, ctx())
    with Session(writer.engine) as session:
        assert session.scalar(select(ModelRow.row_version).where(ModelRow.id == "acme-large")) == 1


def test_names_resolve_like_reads_do(writer: RegistryWriter) -> None:
    """Models may be named by alias, routes as <alias>@<platform>, successors by alias."""
    current = writer.get("model", "acme/large")
    assert current.id == "acme-large"
    done = writer.update("model", "ACME/Large", {"quality_score": 70}, current.row_version, ctx())
    assert done.record is not None and done.record.id == "acme-large"
    route = writer.get("route", "acme/large@hostco")
    moved = writer.update("route", "acme/large@hostco", {"priority": 3}, route.row_version, ctx())
    assert moved.record is not None and moved.record.id == "acme-large@hostco"
