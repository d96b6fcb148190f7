"""Helpers of the pricing-sync tests: the small registry, the conflicting fixtures, and a
database per backend shared by the read-only tests of a module."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, select, text

from conftest import migrate
from radiant.catalog import load_catalog
from radiant.store.engine import make_engine, session_scope
from radiant.store.mapping import row_to_price
from radiant.store.tables import ModelAliasRow, ModelRow, PriceHistoryRow, RouteRow
from radiant.sync import sync_catalog
from services import PG_ADMIN_URL

CATALOGS = Path(__file__).parent / "fixtures" / "catalogs"
REGISTRY = CATALOGS / "registry"
WORLD = CATALOGS / "world"
#: the three conflicting fixtures: the same models in every source, exact and alias and
#: "latest" and free entries
SOURCES = [
    ("litellm", str(WORLD / "litellm.json")),
    ("models-dev", str(WORLD / "models_dev.json")),
    ("openrouter", str(WORLD / "openrouter.json")),
]
NOW = datetime(2026, 7, 1, 12, tzinfo=UTC)


@contextmanager
def database(backend: str, directory: Path) -> Iterator[Engine]:
    """A migrated throwaway database holding the small registry."""
    if backend == "sqlite":
        url = f"sqlite:///{directory / 'radiant.db'}"
        migrate(url)
        engine = make_engine(url)
        try:
            sync_catalog(engine, load_catalog(REGISTRY))
            yield engine
        finally:
            engine.dispose()
        return
    name = f"radiant_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    pg: Engine | None = None
    try:
        migrate(url)
        pg = make_engine(url)
        sync_catalog(pg, load_catalog(REGISTRY))
        yield pg
    finally:
        if pg is not None:
            pg.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def current_prices(engine: Engine) -> dict[str, dict[str, Decimal]]:
    """Every route's prices in force."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(PriceHistoryRow).where(PriceHistoryRow.effective_to.is_(None))
        ).scalars()
        return {row.route_id: row_to_price(row).prices() for row in rows}


def sheet(engine: Engine, route_id: str) -> tuple[Any, str, dict[str, str] | None]:
    with session_scope(engine) as session:
        row = session.execute(
            select(PriceHistoryRow).where(
                PriceHistoryRow.route_id == route_id, PriceHistoryRow.effective_to.is_(None)
            )
        ).scalar_one()
        return row_to_price(row), row.recorded_by, row.field_sources


def registry_rows(engine: Engine) -> dict[str, Any]:
    """Models, routes and aliases as plain values, to compare two registries."""
    with session_scope(engine) as session:
        models = {
            r.id: (r.provider_id, r.context_window, r.max_output, r.status, r.successor_id)
            for r in session.execute(select(ModelRow)).scalars()
        }
        routes = {
            r.id: (r.model_string, r.status, r.priority)
            for r in session.execute(select(RouteRow)).scalars()
        }
        aliases = {
            r.alias_key: r.model_id for r in session.execute(select(ModelAliasRow)).scalars()
        }
    return {"models": models, "routes": routes, "aliases": aliases}
