"""Reading the registry out of the store, and the registry version.

Raises :class:`~radiant.errors.StoreError` when the database cannot be reached or has not
been migrated.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Engine,
    delete,
    func,
    inspect,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.sql.sqltypes import NULLTYPE

from radiant.domain import (
    MONEY_FIELDS,
    PriceSheet,
    ProviderHealth,
    ThermalStatus,
)
from radiant.errors import StoreError
from radiant.store.engine import json_loads
from radiant.store.mapping import (
    MODEL_COLUMNS,
    PRICE_COLUMNS,
    ROUTE_COLUMNS,
    model_from_columns,
    price_from_fields,
    route_from_columns,
    row_to_platform,
    row_to_price,
    row_to_provider,
)
from radiant.store.registry_data import RegistryData
from radiant.store.tables import (
    ModelAliasRow,
    ModelRow,
    PlatformRow,
    PriceHistoryRow,
    ProviderHealthRow,
    ProviderRow,
    RegistryChangeRow,
    RegistryStateRow,
    RouteRow,
    SelfHostedModelRow,
    SyncLogRow,
    ThermalStateRow,
    utcnow,
)
from radiant.store.types import JSONText, money_from_column

__all__ = [
    "NOTIFY_CHANNEL",
    "RegistryData",
    "bump_version",
    "count_sync_runs",
    "price_history",
    "read_registry",
    "registry_version",
    "route_models",
    "store_errors",
    "sync_history",
]

NOTIFY_CHANNEL = "radiant_registry"


@contextmanager
def store_errors() -> Iterator[None]:
    """Turn "no such table" and connection failures into a clear StoreError."""
    try:
        yield
    except (OperationalError, ProgrammingError) as exc:
        detail = str(exc.orig) if exc.orig is not None else str(exc)
        first_line = detail.strip().splitlines()[0] if detail.strip() else type(exc).__name__
        if "no such table" in detail or "does not exist" in detail:
            raise StoreError(
                f"the database is not migrated ({first_line}); run `radiant db upgrade`"
            ) from None
        raise StoreError(f"cannot use the database: {first_line}") from None
    except SQLAlchemyError as exc:
        orig = getattr(exc, "orig", None)
        detail = str(orig) if orig is not None else str(exc)
        raise StoreError(f"database error: {detail.strip().splitlines()[0]}") from exc


def registry_version(engine: Engine) -> int:
    with store_errors(), engine.connect() as conn:
        value = conn.execute(select(RegistryStateRow.version).where(RegistryStateRow.id == 1))
        return int(value.scalar_one())


#: versions whose changes are kept; a reader further behind reads the whole registry
CHANGES_KEPT = 1000
#: a reader behind by more changed models than this reads the whole registry
_PARTIAL_READ_MAX = 500


def bump_version(session: Session, models: Iterable[str] | None = None) -> int:
    """Increase the registry version inside the caller's transaction (and NOTIFY on
    PostgreSQL), recording what changed: ``models``, the ids of the models whose rows
    (the model, its aliases, routes, prices, self-hosted facts) this transaction wrote,
    or none when it wrote only the state around them (health, thermal, rules, markups).
    None, the default, says anything may have changed: readers then read everything."""
    session.execute(
        update(RegistryStateRow)
        .where(RegistryStateRow.id == 1)
        .values(version=RegistryStateRow.version + 1, updated_at=utcnow())
    )
    version = int(
        session.execute(
            select(RegistryStateRow.version).where(RegistryStateRow.id == 1)
        ).scalar_one()
    )
    session.execute(
        delete(RegistryChangeRow).where(RegistryChangeRow.version <= version - CHANGES_KEPT)
    )
    session.add(
        RegistryChangeRow(version=version, models=None if models is None else sorted(set(models)))
    )
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": NOTIFY_CHANNEL, "payload": str(version)},
        )
    return version


def route_models(session: Session, route_id: str) -> list[str]:
    """The model of a route as :func:`bump_version` takes it (none when the route is
    unknown): what a write of the route's row or price changed."""
    model_id = session.execute(select(RouteRow.model_id).where(RouteRow.id == route_id)).scalar()
    return [] if model_id is None else [model_id]


def _changed_since(session: Session, since: int, version: int) -> frozenset[str] | None:
    """The models changed after version ``since`` up to ``version``; None when that is
    not known (a version without its record, one that may have changed anything) or too
    many to read one by one."""
    if version - since > CHANGES_KEPT or version < since:
        return None
    rows = session.execute(
        select(RegistryChangeRow.models).where(
            RegistryChangeRow.version > since, RegistryChangeRow.version <= version
        )
    ).all()
    if len(rows) != version - since:
        return None
    changed: set[str] = set()
    for (models,) in rows:
        if models is None:
            return None
        changed.update(models)
        if len(changed) > _PARTIAL_READ_MAX:
            return None
    return frozenset(changed)


#: Columns the domain objects do not carry; not worth loading into a snapshot.
_BOOKKEEPING = frozenset(
    {
        "admin_fields",
        "origin",
        "row_version",
        "created_at",
        "updated_at",
        "recorded_at",
        "recorded_by",
    }
)


def _rows(session: Session, table: Any, *order: Any, where: Any = None) -> list[dict[str, Any]]:
    """Rows as plain dicts keyed by mapped attribute name (no ORM instances: fast to load)."""
    attrs = [a for a in inspect(table).column_attrs if a.key not in _BOOKKEEPING]
    keys = [attr.key for attr in attrs]
    query = select(*[attr.columns[0] for attr in attrs])  # a Core select: no ORM loading
    if where is not None:
        query = query.where(where)
    result = session.connection().execute(query.order_by(*order))
    return [dict(zip(keys, row, strict=True)) for row in result]


def read_registry(engine: Engine, since: int | None = None) -> RegistryData:
    """The registry now. Given ``since``, the version a reader holds, only the models
    changed after it are read when the change records say which (see
    :attr:`RegistryData.changed`); platforms, providers, health and thermal state are
    always read whole."""
    with store_errors(), Session(engine) as session:
        version = int(
            session.execute(
                select(RegistryStateRow.version).where(RegistryStateRow.id == 1)
            ).scalar_one()
        )
        changed = None if since is None else _changed_since(session, since, version)
        only = None if changed is None else sorted(changed)
        aliases: dict[str, list[str]] = defaultdict(list)
        for model_id, alias in _values(session, ModelAliasRow, ("model_id", "alias"), models=only):
            aliases[model_id].append(alias)
        # each model's aliases in order: a few sorts of a few names, cheaper than the
        # database sorting every alias of the registry
        for names in aliases.values():
            if len(names) > 1:
                names.sort()
        self_hosted = {
            row["model_id"]: row
            for row in _rows(
                session,
                SelfHostedModelRow,
                where=None if only is None else SelfHostedModelRow.model_id.in_(only),
            )
        }
        prices = _current_prices(session, only)
        data = RegistryData(version=version, changed=changed)
        data.platforms = [row_to_platform(r) for r in _rows(session, PlatformRow, PlatformRow.id)]
        data.providers = [row_to_provider(r) for r in _rows(session, ProviderRow, ProviderRow.id)]
        data.models = [
            model_from_columns(values, aliases.get(values[0], []), self_hosted.get(values[0]))
            for values in _values(session, ModelRow, MODEL_COLUMNS, models=only, key="id")
        ]
        model_id = ROUTE_COLUMNS.index("model_id")
        data.routes = [
            route_from_columns(values, prices.get(values[-1]), self_hosted.get(values[model_id]))
            for values in _values(session, RouteRow, ROUTE_COLUMNS, models=only)
        ]
        # a provider's own health; platforms probed as a whole (no provider) are not in it
        data.health = [
            _health(r)
            for r in session.execute(
                select(ProviderHealthRow).where(ProviderHealthRow.provider_id.is_not(None))
            ).scalars()
        ]
        data.thermal = [
            ThermalStatus(
                model_id=r.model_id,
                current_state=r.current_state,
                target_state=r.target_state,
                is_transitioning=r.is_transitioning,
                instance_count=r.instance_count,
            )
            for r in session.execute(select(ThermalStateRow)).scalars()
        ]
        return data


def _values(
    session: Session,
    table: Any,
    names: Sequence[str],
    *,
    models: Sequence[str] | None = None,
    key: str = "model_id",
) -> Iterator[Sequence[Any]]:
    """The values of the columns ``names`` (mapped attribute names) of every row, in no
    particular order, as tuples: no dictionary per row. ``models``: only the rows whose
    ``key`` column is one of these."""
    columns = [getattr(table, name) for name in names]
    if session.get_bind().dialect.name == "sqlite":
        columns = [type_coerce(c, _JSON_TEXT) if isinstance(c.type, JSON) else c for c in columns]
    query = select(*columns)
    if models is not None:
        query = query.where(getattr(table, key).in_(models))
    return iter(session.connection().execute(query))


_JSON_TEXT = JSONText(json_loads)


def _current_prices(session: Session, models: Sequence[str] | None) -> dict[str, PriceSheet]:
    """The price sheet in force on every route that has one (of ``models`` only, when
    given), by route id.

    Rows with the same figures share one sheet (sheets are immutable). Rows are compared
    as the driver returns them, before any conversion, so each distinct sheet is
    converted and validated once: a registry whose routes repeat prices pays per sheet,
    not per route.

    On SQLite a row's figures come as one JSON array (``json_array`` renders each value
    as the driver would return it: text, integer or null): one value per row for the
    driver to make instead of one per column, most of them NULL, and its text is the
    row's key. That reads the prices of a large registry in about half the time.
    """
    table = PriceHistoryRow
    columns = [getattr(table, name) for name in PRICE_COLUMNS]
    dialect = session.get_bind().dialect
    convert = [_reader(column, dialect) for column in columns]
    packed = dialect.name == "sqlite"
    figures = (
        [func.json_array(*columns)]
        if packed
        else [type_coerce(column, NULLTYPE) for column in columns]
    )
    query = select(table.route_id, *figures).where(table.effective_to.is_(None))
    if models is not None:
        query = query.where(
            table.route_id.in_(select(RouteRow.id).where(RouteRow.model_id.in_(models)))
        )
    result = session.connection().execute(query)
    sheets: dict[Any, PriceSheet] = {}
    prices: dict[str, PriceSheet] = {}
    for route_id, *raw in result:
        key: Any = raw[0] if packed else tuple(raw)
        sheet = sheets.get(key)
        if sheet is None:
            values = json.loads(key) if packed else raw
            # most columns are NULL on any one sheet: those are left to the defaults (None)
            fields = {
                name: v if f is None else f(v)
                for name, f, v in zip(PRICE_COLUMNS, convert, values, strict=True)
                if v is not None
            }
            sheet = sheets[key] = price_from_fields(fields)
        prices[route_id] = sheet
    return prices


def _reader(column: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """What turns a driver value of ``column`` into the value the column reads back
    (None: the driver's value is it). Money uses :func:`money_from_column` directly."""
    if column.key in _MONEY:
        return money_from_column
    processor: Callable[[Any], Any] | None = column.type.dialect_impl(dialect).result_processor(
        dialect, None
    )
    return processor


_MONEY = frozenset(MONEY_FIELDS)


def _health(row: ProviderHealthRow) -> ProviderHealth:
    return ProviderHealth(
        provider_id=row.provider_id or "",  # read_registry reads provider rows only
        platform_id=row.platform_id,
        region=row.region,
        status=row.status,
        avg_latency_ms=row.avg_latency_ms,
        p95_latency_ms=row.p95_latency_ms,
        p99_latency_ms=row.p99_latency_ms,
        error_rate=row.error_rate,
        success_rate=row.success_rate,
        last_check_at=row.last_check_at,
        last_success_at=row.last_success_at,
        last_failure_at=row.last_failure_at,
        last_error=row.last_error,
    )


def price_history(engine: Engine, route_id: str) -> list[PriceSheet]:
    with store_errors(), Session(engine) as session:
        rows = session.execute(
            select(PriceHistoryRow)
            .where(PriceHistoryRow.route_id == route_id)
            .order_by(PriceHistoryRow.effective_from, PriceHistoryRow.id)
        ).scalars()
        return [row_to_price(r) for r in rows]


def sync_history(
    engine: Engine,
    limit: int = 50,
    *,
    sync_type: str | None = None,
    status: str | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Sync runs, newest first, of one type and/or status when given."""
    with store_errors(), Session(engine) as session:
        query = _sync_filter(select(SyncLogRow), sync_type, status)
        rows = session.execute(
            query.order_by(SyncLogRow.started_at.desc(), SyncLogRow.id).offset(offset).limit(limit)
        ).scalars()
        return [_sync_run(r) for r in rows]


def count_sync_runs(
    engine: Engine, *, sync_type: str | None = None, status: str | None = None
) -> int:
    """How many sync runs :func:`sync_history` would page through."""
    with store_errors(), Session(engine) as session:
        query = _sync_filter(select(func.count()).select_from(SyncLogRow), sync_type, status)
        return int(session.execute(query).scalar() or 0)


def _sync_filter(query: Any, sync_type: str | None, status: str | None) -> Any:
    if sync_type is not None:
        query = query.where(SyncLogRow.sync_type == sync_type)
    if status is not None:
        query = query.where(SyncLogRow.status == status)
    return query


def sync_run(engine: Engine, sync_id: str) -> dict[str, Any] | None:
    """One sync log row, or None when no sync has that id."""
    with store_errors(), Session(engine) as session:
        row = session.get(SyncLogRow, sync_id)
        return None if row is None else _sync_run(row)


def running_sync(engine: Engine, sync_type: str, since: datetime) -> str | None:
    """The id of a sync of ``sync_type`` still running that started after ``since``."""
    with store_errors(), Session(engine) as session:
        return session.execute(
            select(SyncLogRow.id)
            .where(
                SyncLogRow.sync_type == sync_type,
                SyncLogRow.status == "running",
                SyncLogRow.started_at > since,
            )
            .order_by(SyncLogRow.started_at.desc())
            .limit(1)
        ).scalar()


def _sync_run(r: SyncLogRow) -> dict[str, Any]:
    return {
        "id": r.id,
        "sync_type": r.sync_type,
        "source": r.source,
        "status": r.status,
        "providers_updated": r.providers_updated,
        "models_added": r.models_added,
        "models_updated": r.models_updated,
        "models_deprecated": r.models_deprecated,
        "routes_added": r.routes_added,
        "routes_updated": r.routes_updated,
        "prices_changed": r.prices_changed,
        "errors": list(r.errors or []),
        "started_at": r.started_at,
        "completed_at": r.completed_at,
        "duration_ms": r.duration_ms,
        "error_message": r.error_message,
        "trigger": r.trigger,
        "heartbeat_at": r.heartbeat_at,
        "progress": {
            "done": r.progress_done,
            "total": r.progress_total,
            "message": r.progress_message,
        },
        "details": r.details or {},
    }
