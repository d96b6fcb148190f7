"""Upsert a catalog into the store, in one transaction.

* adds new platforms, providers, models and routes;
* updates changed ones, except fields an administrator owns (``admin_fields``);
* marks entries that left the catalog deprecated (models, providers, platforms) or inactive
  (routes); never deletes;
* closes the current price sheet and opens a new one when a route's price changes;
* records a ``registry_sync_log`` row (type, counts, errors, duration, status), written
  in the same transaction as the changes it counts (or, run by the sync runner, through
  ``on_commit``: the runner's row, likewise);
* bumps the registry version only when something changed, so a second run changes nothing.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from radiant.catalog import Catalog
from radiant.domain import LifecycleStatus, Route, SyncStatus, SyncType
from radiant.store.discovery_tables import DiscoveryRouteStateRow
from radiant.store.engine import session_scope
from radiant.store.mapping import (
    model_columns,
    platform_columns,
    provider_columns,
    route_columns,
    row_to_price,
    self_hosted_columns,
)
from radiant.store.repository import bump_version, store_errors
from radiant.store.tables import (
    ModelAliasRow,
    ModelRow,
    PlatformRow,
    PriceHistoryRow,
    ProviderRow,
    RouteRow,
    SelfHostedModelRow,
    SyncLogRow,
    ThermalStateRow,
    utcnow,
)
from radiant.sync.price_sheets import catalog_keeps_import, open_sheet

__all__ = ["SyncReport", "fail_sync_log", "start_sync_log", "sync_catalog"]


@dataclass
class SyncReport:
    sync_id: str
    sync_type: str = SyncType.CATALOG.value
    source: str = ""
    status: str = SyncStatus.RUNNING.value
    providers_added: int = 0
    providers_updated: int = 0
    platforms_added: int = 0
    platforms_updated: int = 0
    models_added: int = 0
    models_updated: int = 0
    models_deprecated: int = 0
    routes_added: int = 0
    routes_updated: int = 0
    routes_deactivated: int = 0
    prices_changed: int = 0
    errors: list[str] = field(default_factory=list)
    duration_ms: int = 0
    version: int | None = None

    @property
    def changed(self) -> bool:
        return any(
            getattr(self, name)
            for name in (
                "providers_added",
                "providers_updated",
                "platforms_added",
                "platforms_updated",
                "models_added",
                "models_updated",
                "models_deprecated",
                "routes_added",
                "routes_updated",
                "routes_deactivated",
                "prices_changed",
            )
        )

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


def start_sync_log(engine: Engine, *, source: str, sync_type: str = SyncType.CATALOG.value) -> str:
    """Record a sync as running and return its id (a background sync reports it at once)."""
    sync_id = str(uuid.uuid4())
    with store_errors(), session_scope(engine) as session:
        session.add(SyncLogRow(id=sync_id, sync_type=sync_type, source=source))
    return sync_id


def sync_catalog(
    engine: Engine,
    catalog: Catalog,
    *,
    source: str = "builtin",
    sync_id: str | None = None,
    log: bool = True,
    on_commit: Callable[[Session, SyncReport], None] | None = None,
) -> SyncReport:
    """Apply ``catalog`` to the store. Raises StoreError when the store is unusable.

    ``sync_id`` continues a run that :func:`start_sync_log` recorded; without it a new
    sync log row is written first. ``log=False``: the caller (the sync runner) writes the
    sync log row itself. ``on_commit(session, report)`` is called inside the transaction,
    after the last change and before the commit (the runner records its counts there).
    """
    started = time.perf_counter()
    if sync_id is None:
        sync_id = start_sync_log(engine, source=source) if log else str(uuid.uuid4())
    report = SyncReport(sync_id=sync_id, source=source)
    try:
        with store_errors(), session_scope(engine) as session:
            _Upsert(session, catalog, report).run()
            if report.changed:
                report.version = bump_version(session)
            report.status = SyncStatus.COMPLETED.value
            if log:  # the completed row commits with the changes it counts
                _write(session, report, started)
            if on_commit is not None:
                on_commit(session, report)
    except Exception as exc:
        report.status = SyncStatus.FAILED.value
        report.errors.append(str(exc))
        if log:
            _finish(engine, report, started, error=str(exc))
        raise
    report.duration_ms = int((time.perf_counter() - started) * 1000)
    return report


def fail_sync_log(engine: Engine, sync_id: str, error: str) -> None:
    """Close a recorded sync that could not even start (e.g. its catalog did not load)."""
    report = SyncReport(sync_id=sync_id, status=SyncStatus.FAILED.value, errors=[error])
    _finish(engine, report, time.perf_counter(), error=error)


def _finish(engine: Engine, report: SyncReport, started: float, error: str | None = None) -> None:
    with store_errors(), session_scope(engine) as session:
        _write(session, report, started, error)


def _write(session: Session, report: SyncReport, started: float, error: str | None = None) -> None:
    report.duration_ms = int((time.perf_counter() - started) * 1000)
    row = session.get(SyncLogRow, report.sync_id)
    if row is None:  # pragma: no cover - written at the start
        return
    row.status = report.status
    row.providers_updated = report.providers_updated
    row.models_added = report.models_added
    row.models_updated = report.models_updated
    row.models_deprecated = report.models_deprecated
    row.routes_added = report.routes_added
    row.routes_updated = report.routes_updated
    row.prices_changed = report.prices_changed
    row.errors = list(report.errors)
    row.completed_at = utcnow()
    row.duration_ms = report.duration_ms
    row.error_message = error


def _apply(row: Any, columns: dict[str, Any], *, skip: tuple[str, ...] = ("id",)) -> bool:
    """Set the non-admin-owned columns that differ; True when anything changed."""
    owned = set(getattr(row, "admin_fields", None) or [])
    imported = dict(getattr(row, "imported_fields", None) or {})
    changed = False
    for key, value in columns.items():
        if key in skip or key in owned:
            continue
        if key in imported:  # filled by a pricing sync: kept until the catalog has a value
            if value is None:
                continue
            del imported[key]
            row.imported_fields = imported
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    if changed and hasattr(row, "row_version"):
        row.row_version = (row.row_version or 0) + 1
    return changed


def _retire(rows: Iterable[Any], known: Mapping[str, Any], columns: dict[str, Any]) -> int:
    """Mark catalog rows that left the catalog (never delete them); how many changed."""
    gone = [row for row in rows if row.origin == "catalog" and row.id not in known]
    return sum(1 for row in gone if _apply(row, columns))


#: what discovery decides for a route, or a model, that upstream dropped
_MODEL_LIFECYCLE = ("status", "deprecated", "deprecation_date")


def _route_skip(retired: bool) -> tuple[str, ...]:
    fixed = ("id", "model_id", "platform_id")
    return (*fixed, "status") if retired else fixed


def _retired_by_discovery(session: Session) -> tuple[set[str], set[str]]:
    """Routes discovery retired for being gone upstream, and the models it deprecated with
    them: a catalog sync leaves their lifecycle to discovery until upstream lists them again
    (otherwise every full sync would bring them back, and the next discovery retire them)."""
    rows = session.execute(
        select(
            DiscoveryRouteStateRow.route_id, DiscoveryRouteStateRow.retired_model, RouteRow.model_id
        )
        .join(RouteRow, RouteRow.id == DiscoveryRouteStateRow.route_id)
        .where(DiscoveryRouteStateRow.retired_at.is_not(None))
    ).all()
    return {r.route_id for r in rows}, {r.model_id for r in rows if r.retired_model}


class _Upsert:
    def __init__(self, session: Session, catalog: Catalog, report: SyncReport) -> None:
        self.session = session
        self.catalog = catalog
        self.report = report
        self.now = utcnow()
        self._pending: dict[Any, list[dict[str, Any]]] = {}
        self.retired_routes, self.retired_models = _retired_by_discovery(session)

    def _insert(self, row_cls: Any, columns: dict[str, Any]) -> None:
        """Queue a new row; queued rows go in as one multi-row INSERT per table."""
        self._pending.setdefault(row_cls, []).append(columns)

    def _flush_inserts(self) -> None:
        self.session.flush()
        for row_cls, batch in self._pending.items():
            groups: dict[frozenset[str], list[dict[str, Any]]] = {}
            for columns in batch:
                groups.setdefault(frozenset(columns), []).append(columns)
            for group in groups.values():
                self.session.execute(insert(row_cls), group)
        self._pending.clear()

    def run(self) -> None:
        self._platforms()
        self._providers()
        self.session.flush()
        self._models()
        self.session.flush()
        self._routes()
        self.session.flush()
        self._self_hosted()

    # ---------------------------------------------------------------- platforms, providers

    def _merge(
        self,
        row_cls: Any,
        items: Mapping[str, Any],
        to_columns: Callable[[Any], dict[str, Any]],
        hold: Mapping[str, tuple[str, ...]] | None = None,
    ) -> tuple[int, int, dict[str, Any]]:
        """Insert new items, update changed ones except the ``hold`` fields of a row;
        (added, updated, rows by id)."""
        rows = {r.id: r for r in self.session.execute(select(row_cls)).scalars()}
        held = hold or {}
        added = updated = 0
        for key, item in items.items():
            columns = to_columns(item)
            row = rows.get(key)
            if row is None:
                self._insert(row_cls, {**columns, "origin": "catalog"})
                added += 1
            elif _apply(row, columns, skip=("id", *held.get(key, ()))):
                updated += 1
        self._flush_inserts()
        return added, updated, rows

    def _platforms(self) -> None:
        known = self.catalog.platforms
        added, updated, rows = self._merge(PlatformRow, known, platform_columns)
        gone = _retire(rows.values(), known, {"status": LifecycleStatus.DEPRECATED.value})
        self.report.platforms_added += added
        self.report.platforms_updated += updated + gone

    def _providers(self) -> None:
        known = self.catalog.providers
        added, updated, rows = self._merge(ProviderRow, known, provider_columns)
        gone = _retire(rows.values(), known, {"status": LifecycleStatus.DEPRECATED.value})
        self.report.providers_added += added
        self.report.providers_updated += updated + gone

    # ---------------------------------------------------------------- models

    def _models(self) -> None:
        hold = dict.fromkeys(self.retired_models, _MODEL_LIFECYCLE)
        added, updated, rows = self._merge(ModelRow, self.catalog.models, model_columns, hold)
        self.report.models_added += added
        self.report.models_updated += updated
        self.report.models_deprecated += _retire(
            rows.values(),
            self.catalog.models,
            {"deprecated": True, "status": LifecycleStatus.DEPRECATED.value},
        )
        self.session.flush()
        self._aliases(rows)

    def _aliases(self, rows: dict[str, ModelRow]) -> None:
        existing = {a.alias_key: a for a in self.session.execute(select(ModelAliasRow)).scalars()}
        wanted: dict[str, tuple[str, str]] = {}
        for model in self.catalog.models.values():
            row = rows.get(model.id)
            if row is not None and "aliases" in (row.admin_fields or []):
                continue
            for alias in model.aliases:
                wanted[alias.casefold()] = (alias, model.id)
        catalog_ids = set(self.catalog.models)
        for key, alias_row in existing.items():
            if key in wanted:
                continue
            owner = rows.get(alias_row.model_id)
            owned = owner is not None and "aliases" in (owner.admin_fields or [])
            if alias_row.model_id in catalog_ids and not owned and alias_row.origin != "imported":
                self.session.delete(alias_row)
        for key, (alias, model_id) in wanted.items():
            current = existing.get(key)
            if current is None:
                self._insert(
                    ModelAliasRow, {"alias_key": key, "alias": alias, "model_id": model_id}
                )
            elif current.model_id != model_id:
                owner = rows.get(current.model_id)
                if current.model_id not in catalog_ids or (
                    owner is not None and "aliases" in (owner.admin_fields or [])
                ):
                    self.report.errors.append(
                        f"alias {alias!r} of {model_id!r} kept by {current.model_id!r}"
                    )
                    continue
                current.model_id = model_id
                current.alias = alias
            elif current.alias != alias:
                current.alias = alias
        self._flush_inserts()

    # ---------------------------------------------------------------- routes and prices

    def _routes(self) -> None:
        rows = {r.id: r for r in self.session.execute(select(RouteRow)).scalars()}
        current = {
            r.route_id: r
            for r in self.session.execute(
                select(PriceHistoryRow).where(PriceHistoryRow.effective_to.is_(None))
            ).scalars()
        }
        for route in self.catalog.routes.values():
            columns = route_columns(route)
            row = rows.get(route.id)
            if row is None:
                self._insert(RouteRow, {**columns, "origin": "catalog"})
                self.report.routes_added += 1
            elif _apply(row, columns, skip=_route_skip(route.id in self.retired_routes)):
                self.report.routes_updated += 1
        self._flush_inserts()
        for route in self.catalog.routes.values():
            row = rows.get(route.id)
            if row is None or "price" not in (row.admin_fields or []):
                self._price(route, current.get(route.id))
        self._flush_inserts()
        self.report.routes_deactivated += _retire(
            list(rows.values()), self.catalog.routes, {"status": "inactive"}
        )

    def _price(self, route: Route, current: PriceHistoryRow | None) -> None:
        sheet = route.price
        if sheet is None:
            return
        if current is not None and (
            row_to_price(current).same_prices(sheet) or catalog_keeps_import(current, sheet)
        ):
            return
        if current is not None:
            self.report.prices_changed += 1
        columns = open_sheet(route.id, sheet, current, self.now, "catalog-sync")
        self._insert(PriceHistoryRow, columns)

    # ---------------------------------------------------------------- self-hosted data

    def _self_hosted(self) -> None:
        rows = {r.model_id: r for r in self.session.execute(select(SelfHostedModelRow)).scalars()}
        thermal = {r.model_id for r in self.session.execute(select(ThermalStateRow)).scalars()}
        deployed = {
            r.model_id: r for r in self.catalog.routes.values() if r.self_hosted is not None
        }
        for model in self.catalog.models.values():
            route = deployed.get(model.id)
            columns = self_hosted_columns(model, route)
            if columns is None:
                continue
            row = rows.get(model.id)
            if row is None:
                self._insert(SelfHostedModelRow, columns)
            elif _apply(row, columns, skip=("model_id",)):
                self.report.models_updated += 1
            if route is not None and route.self_hosted is not None and model.id not in thermal:
                state = route.self_hosted.thermal.default_state.value
                self._insert(ThermalStateRow, {"model_id": model.id, "current_state": state})
        self._flush_inserts()
