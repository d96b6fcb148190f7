"""The world: the three full public catalog snapshots (``../shared/catalogs`` next to the
repository, when present) imported into a throwaway PostgreSQL database holding the
built-in catalog, as ``radiant sync pricing`` does.

Rows: the first three-source import (read, parse, plan, write, one transaction); a second
run with nothing changed (the documents are those last applied: it stops before parsing);
for context, a run after an unrelated registry write (everything parsed and compared again,
nothing written); and the resident memory of ``radiant serve`` (the product path, its
defaults) on that database, the world's snapshot loaded. ``RADIANT_BENCH_PG_URL`` names the
server (default: the local one).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from benchmarks._report import QUICK, Row
from benchmarks.serve import SERVE_RSS_TARGET_MB, serve_rows

__all__ = ["SHARED_CATALOGS", "WORLD_FILES", "pricing_sync_rows"]

_ROOT = Path(__file__).resolve().parents[1]
#: ``../shared/catalogs`` next to the repository (or next to the directory of worktrees)
SHARED_CATALOGS = next(
    (p / "shared" / "catalogs" for p in _ROOT.parents if (p / "shared" / "catalogs").is_dir()),
    _ROOT.parent / "shared" / "catalogs",
)
#: the snapshot of each public catalog, by ``--source`` kind
WORLD_FILES = {
    "litellm": "litellm_model_prices_1.109.1.json",
    "models-dev": "models_dev_api_2026-07-02.json",
    "openrouter": "openrouter_models_2026-05-15.json",
}
_PG = os.environ.get("RADIANT_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
_LABEL = "builtin + 3 public catalogs, PostgreSQL"


@contextmanager
def _throwaway_database() -> Iterator[tuple[Engine, str]]:
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
        yield engine, url
    finally:
        if engine is not None:
            engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _timed(engine: Engine, sources: list[tuple[str, str]]) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of this process, the report) of one sync."""
    from radiant.sync.pricing_sync import sync_pricing

    start, cpu = time.perf_counter(), time.process_time()
    _, report = sync_pricing(engine, sources)
    return time.perf_counter() - start, time.process_time() - cpu, report


def _world(sources: list[tuple[str, str]]) -> list[Row]:
    from radiant.catalog import load_catalog
    from radiant.store.engine import session_scope
    from radiant.store.repository import bump_version
    from radiant.sync import sync_catalog

    with _throwaway_database() as (engine, url):
        sync_catalog(engine, load_catalog())
        first, first_cpu, report = _timed(engine, sources)
        second, _, again = _timed(engine, sources[::-1])
        assert getattr(again, "documents_unchanged", False)
        with engine.connect() as conn:
            models = conn.execute(text("SELECT count(*) FROM models")).scalar_one()
            routes = conn.execute(text("SELECT count(*) FROM routes")).scalar_one()
        read = getattr(report, "entries_read", 0)
        rows = [
            Row(
                f"pricing sync, 3 sources: first import ({read:,} entries -> {models:,} "
                f"models, {routes:,} routes)",
                _LABEL,
                first,
                "s",
                target=10.0,
            ),
            Row(
                "  the same, CPU time of this process (the machine's load aside)",
                _LABEL,
                first_cpu,
                "s",
            ),
            Row(
                "pricing sync, 3 sources: re-import, nothing changed",
                _LABEL,
                second,
                "s",
                target=1.0,
            ),
        ]
        if QUICK:  # the two timed imports only
            return rows
        with session_scope(engine) as session:
            bump_version(session)
        third, third_cpu, compared = _timed(engine, sources)
        assert not getattr(compared, "written", True)
        served = serve_rows(
            url, _LABEL, loaded=f"the world ({models:,} models)", rss_target=SERVE_RSS_TARGET_MB
        )
    return [
        *rows,
        Row(
            "pricing sync, 3 sources: after another registry write (all compared, none written)",
            _LABEL,
            third,
            "s",
        ),
        Row("  the same, CPU time of this process", _LABEL, third_cpu, "s"),
        *served,
    ]


def pricing_sync_rows() -> list[Row]:
    missing = [name for name in WORLD_FILES.values() if not (SHARED_CATALOGS / name).is_file()]
    if missing:
        return [
            Row(
                "pricing sync (full public catalogs)",
                "-",
                float("nan"),
                "s",
                note=f"not run: no {SHARED_CATALOGS / missing[0]}",
            )
        ]
    return _world([(kind, str(SHARED_CATALOGS / name)) for kind, name in WORLD_FILES.items()])
