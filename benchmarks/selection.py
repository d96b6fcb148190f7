"""Selection: ``select()`` p50 on a snapshot, and ``select_model()`` (migration 0005) on PostgreSQL.

The in-memory rows time a mixed workload of typical criteria (chat, vision, self-hosted
only, embeddings, compliance, optional capabilities, a price cap), one call at a time,
and report the median; then the same with a new token estimate on every call (no cached
price order can answer: the price ladder does), ``explain=True``, and the first
selection on a snapshot just built (its index, price table and ladder made by it).
The PostgreSQL rows run the same criteria — those both understand
— through ``SELECT * FROM select_model(...)`` (migration 0005) on a throwaway database of
the server at ``RADIANT_BENCH_PG_URL`` (default: the local one), synced from the built-in
catalog; the in-memory row next to them uses the snapshot of that same database, and the
ratio says how many times faster the snapshot is. Without a reachable server, those rows
say so instead of failing.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from functools import partial
from typing import Any

from benchmarks._report import Row, quick
from benchmarks.serve import FIRST_SELECTION_TARGET_MS
from radiant.catalog import Catalog
from radiant.domain import Task
from radiant.registry import Snapshot
from radiant.selection import HostingPreference, SelectionCriteria, select
from radiant.selection.index import prepare, selection_index
from radiant.selection.prices import DEFAULT_BOOK

__all__ = ["postgres_rows", "selection_rows", "workload"]

PG_URL = os.environ.get("RADIANT_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
#: the catalog-world issue's targets (10,000 models x 3 routes)
NEW_ESTIMATE_TARGET_US = 100.0
EXPLAIN_TARGET_US = 5000.0


def workload(*, tier: int = 3) -> list[SelectionCriteria]:
    """Typical requests; the first five are understood by ``select_model()`` (SQL) too."""
    return [
        SelectionCriteria(task=Task.CHAT, input_modalities=["text"], tier=tier),
        SelectionCriteria(
            task=Task.CHAT,
            input_modalities=["text", "image"],
            required_capabilities=["vision"],
            tier=tier,
        ),
        SelectionCriteria(task=Task.CHAT, hosting=HostingPreference.SELF_HOSTED, tier=5),
        SelectionCriteria(task=Task.EMBEDDING, tier=tier),
        SelectionCriteria(
            task=Task.CHAT, min_context_window=128_000, compliance=["HIPAA"], tier=tier
        ),
        SelectionCriteria(task=Task.CHAT, optional_capabilities=["vision", "tool_use"], tier=tier),
        SelectionCriteria(
            task=Task.CHAT, max_price_per_request=Decimal("0.002"), tier=tier, limit=5
        ),
        SelectionCriteria(task=Task.IMAGE, tier=tier, limit=3),
    ]


def _p50_us(calls: Sequence[Callable[[], object]], rounds: int) -> float:
    times: list[float] = []
    clock = time.perf_counter
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(quick(rounds)):
            for call in calls:
                start = clock()
                call()
                times.append(clock() - start)
    finally:
        if enabled:
            gc.enable()
    return statistics.median(times) * 1e6


def _calibration_us() -> float:
    """What ``sum(range(100))`` takes here: a yardstick for how loaded the machine is."""
    return _p50_us([lambda: sum(range(100))], 2000)


def _first_selection_ms(rebuild: Callable[[], Snapshot], runs: int = 3) -> tuple[float, float]:
    """Median (preparation, first select()) times on a just-built snapshot, GC on as served:
    the registry prepares a snapshot (selection index, price table) before serving it."""
    chat = SelectionCriteria(task=Task.CHAT, input_modalities=["text"], tier=3)
    made, first = [], []
    for i in range(runs):
        snapshot = rebuild()
        criteria = chat.model_copy(update={"estimated_input_tokens": 1234 + i})
        start = time.perf_counter()
        prepare(snapshot, DEFAULT_BOOK)
        made.append(time.perf_counter() - start)
        start = time.perf_counter()
        select(snapshot, criteria)
        first.append(time.perf_counter() - start)
    return statistics.median(made) * 1000, statistics.median(first) * 1000


def selection_rows(
    snapshot: Snapshot,
    label: str,
    *,
    target_us: float,
    rounds: int,
    rebuild: Callable[[], Snapshot] | None = None,
) -> list[Row]:
    criteria = workload()
    rows: list[Row] = []
    if rebuild is not None:
        made, first = _first_selection_ms(rebuild)
        rows += [
            Row(
                "new snapshot prepared: selection index + price table (median of 3)",
                label,
                made,
                "ms",
                digits=1,
            ),
            Row(
                "first select() after a snapshot change (median of 3)",
                label,
                first,
                "ms",
                FIRST_SELECTION_TARGET_MS,
                digits=1,
            ),
        ]
    start = time.perf_counter()
    selection_index(snapshot)
    for c in criteria:  # builds the price tables and orders (an estimate's 2nd use) it uses
        select(snapshot, c)
        select(snapshot, c)
    warm = (time.perf_counter() - start) * 1000
    mixed = [partial(select, snapshot, c) for c in criteria]
    rows += [
        Row("selection index + price orders (1st use)", label, warm, "ms", digits=1),
        Row(
            "select() p50, mixed workload of 8 criteria",
            label,
            _p50_us(mixed, rounds),
            "µs",
            target=target_us,
            digits=1,
        ),
    ]
    chat = criteria[0]
    rows.append(
        Row(
            "select() p50, chat",
            label,
            _p50_us([lambda: select(snapshot, chat)], rounds * 4),
            "µs",
            digits=1,
        )
    )
    fresh = iter(range(10**9))  # a new token estimate every call: no cached price order

    def uncached() -> object:
        tokens = 1000 + next(fresh) % 50_000
        return select(snapshot, chat.model_copy(update={"estimated_input_tokens": tokens}))

    rows.append(
        Row(
            "select() p50, chat, new token estimate each call",
            label,
            _p50_us([uncached], max(200, rounds)),
            "µs",
            NEW_ESTIMATE_TARGET_US,
            digits=1,
        )
    )

    def new_estimates(c: SelectionCriteria) -> Callable[[], object]:
        def run() -> object:
            tokens = 1000 + next(fresh) % 50_000
            return select(snapshot, c.model_copy(update={"estimated_input_tokens": tokens}))

        return run

    rows.append(
        Row(
            "select() p50, mixed workload, new token estimate each call",
            label,
            _p50_us([new_estimates(c) for c in criteria], max(20, rounds // 5)),
            "µs",
            digits=1,
        )
    )
    explain = [partial(select, snapshot, c, explain=True) for c in criteria[:2]]
    for run in explain:  # the columns explaining reads are made on first use
        run()
    rows.append(
        Row(
            "select(explain=True) p50, every model accounted for",
            label,
            _p50_us(explain, max(10, rounds // 20)),
            "µs",
            EXPLAIN_TARGET_US,
            digits=0,
        )
    )
    rows.append(Row("calibration: sum(range(100)) p50", label, _calibration_us(), "µs", digits=2))
    return rows


# ---------------------------------------------------------------------- PostgreSQL


@contextmanager
def _throwaway_database() -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"radiant_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _sql_args(c: SelectionCriteria) -> dict[str, Any]:
    return {
        "task": c.task.value,
        "inputs": c.input_modalities,
        "outputs": c.output_modalities,
        "tier": c.tier,
        "hosting": c.hosting.value,
        "caps": c.required_capabilities,
        "context": c.min_context_window,
        "hipaa": "HIPAA" in c.compliance,
        "in_tokens": c.estimated_input_tokens,
        "out_tokens": c.estimated_output_tokens,
        "deprecated": c.allow_deprecated,
        "limit": c.limit,
    }


_SQL = (
    "SELECT * FROM select_model(:task, CAST(:inputs AS TEXT[]), CAST(:outputs AS TEXT[]), :tier,"
    " :hosting, CAST(:caps AS TEXT[]), :context, :hipaa, :in_tokens, :out_tokens, :deprecated,"
    " :limit)"
)


def _run_sql(conn: Any, statement: Any, args: dict[str, Any]) -> list[Any]:
    return list(conn.execute(statement, args).all())


def postgres_rows(catalog: Catalog, label: str, *, rounds: int) -> list[Row]:
    from sqlalchemy import text

    from radiant.registry.service import build_snapshot
    from radiant.store.engine import make_engine
    from radiant.store.migrate import upgrade
    from radiant.sync import sync_catalog

    try:
        context = _throwaway_database()
        url = context.__enter__()
    except Exception as exc:  # noqa: BLE001 - no server: say so, do not fail the run
        note = f"skipped: PostgreSQL unreachable ({type(exc).__name__})"
        return [Row("select_model() on PostgreSQL p50", label, float("nan"), "µs", note=note)]
    try:
        upgrade(url)
        engine = make_engine(url)
        try:
            sync_catalog(engine, catalog, source="benchmark")
            snapshot = build_snapshot(engine)
            criteria = [c for c in workload() if not c.optional_capabilities][:5]
            memory = [partial(select, snapshot, c) for c in criteria]
            for warm in memory + memory:
                warm()
            statement = text(_SQL)
            with engine.connect() as conn:
                sql_calls = [partial(_run_sql, conn, statement, _sql_args(c)) for c in criteria]
                for first in sql_calls:
                    first()
                sql_us = _p50_us(sql_calls, rounds)
            memory_us = _p50_us(memory, rounds * 20)
        finally:
            engine.dispose()
    finally:
        context.__exit__(None, None, None)
    return [
        Row(
            "select() p50, same 5 criteria, snapshot of the PG db", label, memory_us, "µs", digits=1
        ),
        Row("select_model() on PostgreSQL p50, same 5 criteria", label, sql_us, "µs", digits=0),
        Row(
            "select_model() / select() (times faster in memory)",
            label,
            sql_us / memory_us,
            "x",
            digits=0,
        ),
    ]
