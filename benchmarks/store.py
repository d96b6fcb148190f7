"""``build_snapshot(engine)`` from a migrated, synced SQLite file database, as the registry
builds it (with this process's callability check): whole (a server starting, or after a
sync), and after the writes a running server sees most (one model's price set by an
administrator, a routing rule), from the changed rows only."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine

from benchmarks._report import Row, median_ms, samples
from benchmarks.snapshots import BUILD_TARGET_MS
from radiant.catalog import Catalog
from radiant.core.context import WriteContext
from radiant.manage.registry_writes import RegistryWriter
from radiant.providers.callability import CallabilityCheck
from radiant.registry.service import Registry, build_snapshot
from radiant.security import ROLE_PERMISSIONS, Principal, PrincipalKind, Role
from radiant.selection.rule_admin import RoutingRules
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
        snapshot = build_snapshot(engine, CallabilityCheck())
        first = time.perf_counter() - start
        size = snapshot.size
        del snapshot
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
            rows += _rebuild_rows(engine, catalog, label, max(runs, 3))
        if also is not None:
            rows += also(engine.url.render_as_string(hide_password=False), label)
        return rows


_ADMIN = WriteContext(
    Principal(
        PrincipalKind.ADMIN,
        subject_id="bench",
        name="bench@example.test",
        role=Role.ADMIN,
        permissions=ROLE_PERMISSIONS[Role.ADMIN],
    )
)


def _rebuild_rows(engine: Engine, catalog: Catalog, label: str, runs: int) -> list[Row]:
    """An administrator's write through the registry writer, until the registry serves
    it (the writer rebuilds the snapshot before it returns, as in ``radiant serve``)."""
    registry = Registry(engine)
    registry.snapshot()
    writer = RegistryWriter(engine, registry)
    routes = sorted(r.id for r in catalog.routes.values() if r.price is not None)[:runs]
    price_times: list[float] = []
    for n, route_id in enumerate(routes):
        version = writer.get("route", route_id).row_version
        start = time.perf_counter()
        writer.set_price("route", route_id, {"input_per_1m": f"{n + 1}.25"}, version, _ADMIN)
        price_times.append(time.perf_counter() - start)
        served = registry.served
        entry = None if served is None else served.resolve(catalog.routes[route_id].model_id)
        price = {r.id: r.price for r in entry.routes}.get(route_id) if entry else None
        if price is None or price.input_per_1m != Decimal(f"{n + 1}.25"):
            raise RuntimeError(f"the new price of {route_id} is not served")
    rules = RoutingRules(registry)
    rule_times: list[float] = []
    for n in range(runs):
        start = time.perf_counter()
        rules.create(_ADMIN, {"action": "rate_limit", "name": f"bench {n}", "rate_limit_rpm": 60})
        rule_times.append(time.perf_counter() - start)
    return [
        Row(
            f"set one route's price, until served [median of {len(price_times)}]",
            label,
            median_ms(price_times),
            "ms",
            BUILD_TARGET_MS,
            digits=1,
        ),
        Row(
            f"create a routing rule, until served [median of {len(rule_times)}]",
            label,
            median_ms(rule_times),
            "ms",
            BUILD_TARGET_MS,
            digits=1,
        ),
    ]
