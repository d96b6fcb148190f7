"""``build_snapshot(engine)`` from a migrated, synced SQLite file database, as the registry
builds it (with this process's callability check)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine

from benchmarks._report import Row, median_ms, samples
from benchmarks.snapshots import BUILD_TARGET_MS
from radiant.catalog import Catalog
from radiant.providers.callability import CallabilityCheck
from radiant.registry import build_snapshot
from radiant.store.engine import make_engine
from radiant.store.migrate import upgrade
from radiant.sync import sync_catalog

__all__ = ["store_rows"]


@contextmanager
def synced_store(catalog: Catalog) -> Iterator[tuple[Engine, float]]:
    """An engine on a fresh SQLite file holding ``catalog``, and the sync's seconds."""
    with tempfile.TemporaryDirectory(prefix="radiant-bench-") as directory:
        url = f"sqlite:///{Path(directory) / 'registry.db'}"
        upgrade(url)
        engine = make_engine(url)
        try:
            start = time.perf_counter()
            report = sync_catalog(engine, catalog, source="benchmark")
            elapsed = time.perf_counter() - start
            if report.status != "completed":
                raise RuntimeError(f"sync {report.status}: {report.errors}")
            yield engine, elapsed
        finally:
            engine.dispose()


def store_rows(
    catalog: Catalog,
    label: str,
    *,
    runs: int,
    also: Callable[[str, str], list[Row]] | None = None,
) -> list[Row]:
    """``also(database_url, label)`` adds rows measured on the same synced database."""
    with synced_store(catalog) as (engine, sync_seconds):
        start = time.perf_counter()
        size = build_snapshot(engine, CallabilityCheck()).size
        first = time.perf_counter() - start
        if size != len(catalog.models):
            raise RuntimeError(f"snapshot has {size} models, catalog {len(catalog.models)}")
        rows = [
            Row(
                "sync_catalog into empty SQLite (1 run)", label, sync_seconds * 1000, "ms", digits=0
            ),
            Row("build_snapshot(engine) SQLite [1st run]", label, first * 1000, "ms", digits=1),
        ]
        if runs:
            times = samples(runs, lambda: build_snapshot(engine, CallabilityCheck()))
            rows.append(
                Row(
                    f"build_snapshot(engine) SQLite [median of {runs}]",
                    label,
                    median_ms(times),
                    "ms",
                    BUILD_TARGET_MS,
                    digits=1,
                )
            )
        if also is not None:
            rows += also(engine.url.render_as_string(hide_password=False), label)
        return rows
