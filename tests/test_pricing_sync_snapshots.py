"""The world: the three full public catalog snapshots of ``../shared/catalogs`` imported
into the built-in catalog, on SQLite in one order and on PostgreSQL in the reverse order.

An optional test, as /work/shared/catalogs/README.md asks: it runs where the snapshots are
(next to the repository), and only there.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text

from conftest import migrate
from pricing_world import NOW, current_prices, registry_rows
from radiant.catalog import load_catalog
from radiant.store.engine import make_engine, session_scope
from radiant.store.tables import ModelRow, RouteRow
from radiant.sync import sync_catalog
from radiant.sync.pricing_sync import sync_pricing
from services import PG_ADMIN_URL

_ROOT = Path(__file__).resolve().parents[1]
#: ``../shared/catalogs`` next to the repository (or next to the directory of worktrees)
SHARED = next(
    (p / "shared" / "catalogs" for p in _ROOT.parents if (p / "shared" / "catalogs").is_dir()),
    _ROOT.parent / "shared" / "catalogs",
)
WORLD = [
    ("litellm", SHARED / "litellm_model_prices_1.109.1.json"),
    ("models-dev", SHARED / "models_dev_api_2026-07-02.json"),
    ("openrouter", SHARED / "openrouter_models_2026-05-15.json"),
]
pytestmark = pytest.mark.skipif(
    not all(path.is_file() for _, path in WORLD), reason=f"no public catalogs in {SHARED}"
)


@contextmanager
def _builtin(url: str) -> Iterator[Engine]:
    migrate(url)
    engine = make_engine(url)
    try:
        sync_catalog(engine, load_catalog())
        yield engine
    finally:
        engine.dispose()


@contextmanager
def _postgres() -> Iterator[str]:
    name = f"radiant_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _count(engine: Engine, table: type[ModelRow] | type[RouteRow]) -> int:
    with session_scope(engine) as session:
        return int(session.execute(select(func.count()).select_from(table)).scalar_one())


def test_the_world_on_both_backends_in_either_order(tmp_path: Path) -> None:
    sources = [(kind, str(path)) for kind, path in WORLD]
    with _builtin(f"sqlite:///{tmp_path / 'radiant.db'}") as lite, _postgres() as url:
        plan, report = sync_pricing(lite, sources, now=NOW)
        assert plan is not None
        assert _count(lite, ModelRow) >= 2000 and _count(lite, RouteRow) >= 6000
        read = sum(r.total for r in plan.results)
        assert read == report.entries_read > 10_000
        represented = 0
        for source, counts in report.outcomes.items():  # 0 silent drops, per source
            parts = counts.get("routes", 0) + counts.get("other_endpoints", 0)
            assert parts + counts.get("skipped", 0) == counts["read"], source
            represented += parts
        assert represented >= 0.99 * read
        assert "gpt-5" in {m for m in plan.model_routes}
        with _builtin(url) as pg:
            sync_pricing(pg, sources[::-1], now=NOW)
            assert current_prices(pg) == current_prices(lite)
            assert registry_rows(pg) == registry_rows(lite)
