"""Pricing sync over the full public catalog snapshots (``../shared/catalogs`` next to the
repository, when present) into a throwaway PostgreSQL database holding the built-in catalog.

Per catalog: the first import (read, parse, match, write, one transaction), a second run
with nothing changed (the documents are those last applied: stops before parsing), and,
for context, a run after an unrelated registry write (everything parsed and compared again,
nothing written). ``RADIANT_BENCH_PG_URL`` names the server (default: the local one).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from benchmarks._report import Row

__all__ = ["SHARED_CATALOGS", "pricing_sync_rows"]

#: ``../shared/catalogs`` relative to the repository root
SHARED_CATALOGS = Path(__file__).resolve().parents[1].parent / "shared" / "catalogs"
_FILES = {
    "models-dev": "models_dev_api_2026-07-02.json",
    "litellm": "litellm_model_prices_1.109.1.json",
}
_PG = os.environ.get("RADIANT_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
_LABEL = "builtin, PostgreSQL"


@contextmanager
def _throwaway_database() -> Iterator[Engine]:
    from radiant.store.engine import make_engine
    from radiant.store.migrate import upgrade

    name = f"radiant_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(_PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    engine = None
    try:
        upgrade(url)
        engine = make_engine(url)
        yield engine
    finally:
        if engine is not None:
            engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _timed(engine: Engine, source: tuple[str, str]) -> tuple[float, object, object]:
    from radiant.sync.pricing_sync import sync_pricing

    start = time.perf_counter()
    plan, report = sync_pricing(engine, [source])
    return time.perf_counter() - start, plan, report


def _one(kind: str, path: Path) -> list[Row]:
    from radiant.catalog import load_catalog
    from radiant.store.engine import session_scope
    from radiant.store.repository import bump_version
    from radiant.sync import sync_catalog

    with _throwaway_database() as engine:
        sync_catalog(engine, load_catalog())
        first, plan, report = _timed(engine, (kind, str(path)))
        second, _, again = _timed(engine, (kind, str(path)))
        assert getattr(again, "prices_changed", None) == 0
        with session_scope(engine) as session:
            bump_version(session)
        third, _, compared = _timed(engine, (kind, str(path)))
        assert getattr(compared, "prices_changed", None) == 0
    read = getattr(plan, "read", 0)
    updated = getattr(report, "routes_updated", 0)
    return [
        Row(
            f"pricing sync {kind}: first import ({read:,} entries, {updated} routes priced)",
            _LABEL,
            first,
            "s",
            target=5.0,
        ),
        Row(f"pricing sync {kind}: second run, nothing changed", _LABEL, second, "s", target=1.0),
        Row(
            f"pricing sync {kind}: after another registry write (all compared, none written)",
            _LABEL,
            third,
            "s",
        ),
    ]


def pricing_sync_rows() -> list[Row]:
    if not SHARED_CATALOGS.is_dir():
        return [
            Row(
                "pricing sync (full public catalogs)",
                "-",
                float("nan"),
                "s",
                note=f"not run: no {SHARED_CATALOGS}",
            )
        ]
    rows: list[Row] = []
    for kind, name in _FILES.items():
        path = SHARED_CATALOGS / name
        if not path.is_file():
            rows.append(
                Row(f"pricing sync {kind}", "-", float("nan"), "s", note=f"not run: no {path}")
            )
            continue
        rows += _one(kind, path)
    return rows
