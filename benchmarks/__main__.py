"""``python -m benchmarks [SECTION ...]``: run every benchmark (or the sections named, e.g.
``python -m benchmarks gateway``) and print one table.

Sizes and budgets come from the environment: ``RADIANT_BENCH_MODELS`` (the synthetic
catalog, default 10,000), ``RADIANT_BENCH_CLI_RUNS``, ``RADIANT_BENCH_GATEWAY_SECONDS``
and ``RADIANT_BENCH_GATEWAY_CALLS``; ``RADIANT_BENCH_QUICK=1`` cuts every repetition
count to a twentieth, for a run that checks the benchmarks work rather than timing them.
"""

from __future__ import annotations

import os
import platform
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime

from benchmarks._report import Row, format_table, guarded
from benchmarks.cli import cli_rows
from benchmarks.gateway import gateway_rows
from benchmarks.health import health_rows
from benchmarks.imports import import_rows
from benchmarks.pricing import pricing_rows
from benchmarks.pricing_sync import pricing_sync_rows
from benchmarks.selection import postgres_rows, selection_rows
from benchmarks.serve import serve_rows
from benchmarks.snapshots import Inputs, build_rows, list_rows, resolve_rows
from benchmarks.store import store_rows
from benchmarks.synthetic import SyntheticCatalog, make_catalog
from benchmarks.wire import wire_rows

_MB = 1024.0 * 1024.0


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _catalog_rows(inputs: Inputs, build_runs: int) -> list[Row]:
    rows: list[Row] = []
    _progress(f"{inputs.label}: snapshot build")
    snapshot, built = build_rows(inputs, build_runs)
    rows += built
    _progress(f"{inputs.label}: resolve")
    rows += guarded("resolve", inputs.label, lambda: resolve_rows(snapshot, inputs.label))
    _progress(f"{inputs.label}: list")
    rows += guarded("list", inputs.label, lambda: list_rows(snapshot, inputs))
    return rows


def _builtin() -> list[Row]:
    from radiant.catalog import load_catalog

    catalog = load_catalog()
    inputs = Inputs(
        label=f"builtin ({len(catalog.models)} models)",
        platforms=list(catalog.platforms.values()),
        providers=list(catalog.providers.values()),
        models=list(catalog.models.values()),
        routes=list(catalog.routes.values()),
        provider="openai",
        search="claude",
    )
    rows = _catalog_rows(inputs, build_runs=20)
    _progress(f"{inputs.label}: selection")
    rows += guarded(
        "selection",
        inputs.label,
        lambda: selection_rows(
            inputs.build(), inputs.label, target_us=20, rounds=3000, rebuild=inputs.build
        ),
    )
    _progress(f"{inputs.label}: select_model() on PostgreSQL")
    rows += guarded(
        "select_model()", inputs.label, lambda: postgres_rows(catalog, inputs.label, rounds=100)
    )
    _progress(f"{inputs.label}: SQLite store")
    rows += guarded(
        "build_snapshot(engine)",
        inputs.label,
        lambda: store_rows(catalog, inputs.label, runs=5),
    )
    return rows


def _synthetic_catalog() -> tuple[SyntheticCatalog, float]:
    """The synthetic catalog and the traced memory its domain objects hold, in MB."""
    size = int(os.environ.get("RADIANT_BENCH_MODELS", "10000"))
    tracemalloc.start()
    try:
        catalog = make_catalog(models=size)
        current, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return catalog, current / _MB


def _synthetic() -> list[Row]:
    from radiant.catalog import Catalog

    _progress("synthetic: generating the models (RADIANT_BENCH_MODELS, default 10,000) x 3 routes")
    synthetic, objects_mb = _synthetic_catalog()
    inputs = Inputs(
        label=f"synthetic ({len(synthetic.models):,} models)",
        platforms=synthetic.platforms,
        providers=synthetic.providers,
        models=synthetic.models,
        routes=synthetic.routes,
        provider="vendor03",
        search="fam07",
    )
    rows = [
        Row(
            f"domain objects ({len(synthetic.models)} models, {len(synthetic.routes)} routes)",
            inputs.label,
            objects_mb,
            "MB",
            digits=1,
        ),
    ]
    rows += _catalog_rows(inputs, build_runs=5)
    _progress(f"{inputs.label}: selection")
    rows += guarded(
        "selection",
        inputs.label,
        lambda: selection_rows(
            inputs.build(), inputs.label, target_us=200, rounds=300, rebuild=inputs.build
        ),
    )
    catalog = Catalog(
        name="synthetic",
        as_of=datetime(2024, 12, 1, tzinfo=UTC),
        platforms={p.id: p for p in synthetic.platforms},
        providers={p.id: p for p in synthetic.providers},
        models={m.id: m for m in synthetic.models},
        routes={r.id: r for r in synthetic.routes},
    )
    _progress(f"{inputs.label}: SQLite store (sync + four builds, ~35 s)")
    rows += guarded(
        "build_snapshot(engine)",
        inputs.label,
        lambda: store_rows(catalog, inputs.label, runs=3, also=serve_rows),
    )
    return rows


def main(argv: list[str]) -> int:
    started = time.perf_counter()
    sections: list[tuple[str, Callable[[], list[Row]]]] = [
        ("import", import_rows),
        ("cli", cli_rows),
        ("builtin catalog", _builtin),
        ("pricing", pricing_rows),
        ("pricing sync", pricing_sync_rows),
        ("health", health_rows),
        ("request shapes", wire_rows),
        ("gateway", gateway_rows),
        ("synthetic catalog", _synthetic),
    ]
    if argv:
        known = [name for name, _ in sections]
        unknown = [name for name in argv if name not in known]
        if unknown:
            print(f"error: no benchmark section {unknown[0]!r} (known: {', '.join(known)})",
                  file=sys.stderr)  # fmt: skip
            return 2
        sections = [(name, run) for name, run in sections if name in argv]
    rows: list[Row] = []
    for name, run in sections:
        _progress(name)
        rows += guarded(name, "-", run)
    print(
        f"Radiant benchmarks: Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{platform.platform()}"
    )
    print(format_table(rows))
    misses = [r for r in rows if r.ok in ("MISS", "ERROR")]
    print(
        f"\n{len(rows)} results, {sum(r.target is not None for r in rows)} with a target, "
        f"{len(misses)} missed or failed; {time.perf_counter() - started:.0f} s in all."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
