"""Snapshot build time and memory, alias lookup and filtered listing on one catalog.

Snapshots are built as the registry builds them: with the callability check of this
process (:class:`radiant.providers.callability.CallabilityCheck`) run on every route.
"""

from __future__ import annotations

import random
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from benchmarks._report import Row, best_of, median_ms, quick, samples
from radiant.domain import HostingType, Model, Platform, Provider, Route, Task
from radiant.providers.callability import CallabilityCheck
from radiant.registry import ModelQuery, Snapshot

__all__ = ["Inputs", "build_rows", "list_rows", "resolve_rows"]

_MB = 1024.0 * 1024.0
RESOLVE_TARGET_US = 2.0
LIST_TARGET_MS = 1.0
#: the catalog-world issue: a snapshot builds in a second at 10,000 models x 3 routes
BUILD_TARGET_MS = 1000.0


@dataclass(frozen=True)
class Inputs:
    """The domain objects of one catalog, and what its queries filter on."""

    label: str
    platforms: Sequence[Platform]
    providers: Sequence[Provider]
    models: Sequence[Model]
    routes: Sequence[Route]
    #: A provider with many models, for the provider filter.
    provider: str
    #: A text search term matching a few models.
    search: str

    def build(self) -> Snapshot:
        return Snapshot.build(
            1,
            self.platforms,
            self.providers,
            self.models,
            self.routes,
            route_check=CallabilityCheck(),
        )


def fresh(snapshot: Snapshot) -> Snapshot:
    """The same entries with empty caches, as a just-built snapshot has."""
    return Snapshot(
        snapshot.version,
        snapshot.platforms,
        snapshot.providers,
        snapshot.entries,
        snapshot.health,
        snapshot.uncallable,
        snapshot.blocked,
    )


# ---------------------------------------------------------------------- build


def build_rows(inputs: Inputs, runs: int) -> tuple[Snapshot, list[Row]]:
    snapshot = inputs.build()  # warm-up: first-use costs are not the build's
    times = samples(runs, inputs.build)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        kept = inputs.build()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del kept
    rows = [
        Row(
            f"Snapshot.build, callability checked (median of {runs})",
            inputs.label,
            median_ms(times),
            "ms",
            BUILD_TARGET_MS,
            digits=1,
        ),
        Row("Snapshot.build peak traced memory", inputs.label, peak / _MB, "MB", digits=1),
        Row("Snapshot retained traced memory", inputs.label, current / _MB, "MB", digits=1),
    ]
    return snapshot, rows


# ---------------------------------------------------------------------- resolve


def _lookup_names(snapshot: Snapshot, sample: int) -> tuple[list[str], list[str]]:
    """(names in their own case, the same names in another case), all resolvable."""
    rng = random.Random(42)
    entries = snapshot.entries
    chosen = entries if len(entries) <= sample else rng.sample(entries, sample)
    exact: list[str] = []
    other: list[str] = []
    for entry in chosen:
        model = entry.model
        exact.append(model.id)
        other.append(model.id.upper())
        if model.aliases:
            alias = rng.choice(model.aliases)
            exact.append(alias)
            other.append(alias.swapcase())
    return [n for n in exact if snapshot.find(n)], [n for n in other if snapshot.find(n)]


def _per_call_us(snapshot: Snapshot, names: list[str], calls: int, repeats: int) -> float:
    sequence = names * -(-quick(calls) // len(names))
    resolve = snapshot.resolve

    def run() -> None:
        for name in sequence:
            resolve(name)

    return best_of(repeats, run) / len(sequence) * 1e6


def resolve_rows(
    snapshot: Snapshot, label: str, *, calls: int = 200_000, repeats: int = 5
) -> list[Row]:
    exact, other = _lookup_names(snapshot, sample=1000)
    mixed = [name for pair in zip(exact, other, strict=False) for name in pair]
    rows = [
        Row(
            f"resolve {title} (best of {repeats} x {calls // 1000}k)",
            label,
            _per_call_us(snapshot, names, calls, repeats),
            "us",
            RESOLVE_TARGET_US,
            digits=3,
        )
        for title, names in (
            ("id/alias, exact case", exact),
            ("id/alias, other case", other),
            ("mix of both", mixed),
        )
    ]
    rows.append(_miss_row(snapshot, label))
    return rows


def _miss_row(snapshot: Snapshot, label: str) -> Row:
    """An unknown name: the slow path (provider prefix, date suffix, suggestions)."""
    names = ["no-such-model-xyz", "gpt-unknown-2023", "acme:nothing-here"]
    times = [time.perf_counter()]
    for name in names:
        if snapshot.find(name) is not None:
            raise AssertionError(f"{name!r} unexpectedly resolved")
        times.append(time.perf_counter())
    per_call = [b - a for a, b in zip(times, times[1:], strict=False)]
    return Row(
        f"find unknown name -> None (median of {len(names)})",
        label,
        median_ms(per_call),
        "ms",
        digits=2,
    )


# ---------------------------------------------------------------------- list

QueryFactory = Callable[[], ModelQuery]


def _queries(inputs: Inputs) -> list[tuple[str, QueryFactory]]:
    provider, search = inputs.provider, inputs.search
    return [
        ("capabilities=[vision]", lambda: ModelQuery(capabilities=["vision"], limit=50)),
        (
            f"provider={provider} + min_context 128k",
            lambda: ModelQuery(provider=[provider], min_context_window=128_000, limit=50),
        ),
        (
            "task=chat + max_input_price 1",
            lambda: ModelQuery(task=[Task.CHAT], max_input_price=Decimal("1"), limit=50),
        ),
        (
            "hosting_type=self_hosted",
            lambda: ModelQuery(hosting_type=HostingType.SELF_HOSTED, limit=50),
        ),
        (
            "chat+vision, sort=input_price",
            lambda: ModelQuery(capabilities=["chat", "vision"], sort="input_price", limit=50),
        ),
        (f"q={search!r}", lambda: ModelQuery(q=search, limit=50)),
    ]


def _list_times(snapshot: Snapshot, query: ModelQuery, runs: int) -> list[float]:
    return samples(runs, lambda: snapshot.list(query))


def list_rows(snapshot: Snapshot, inputs: Inputs, *, runs: int = 300) -> list[Row]:
    label = inputs.label
    rows: list[Row] = []
    queries = _queries(inputs)
    for title, factory in queries:
        query = factory()
        target = fresh(snapshot)
        start = time.perf_counter()
        page = target.list(query)
        cold = time.perf_counter() - start
        times = _list_times(target, query, runs)
        name = f"list {title} (n={page.count})"
        rows.append(
            Row(
                f"{name} [median of {runs}]",
                label,
                median_ms(times),
                "ms",
                LIST_TARGET_MS,
                digits=3,
            )
        )
        rows.append(Row(f"{name} [cold 1st run]", label, cold * 1000.0, "ms", digits=3))
    title, factory = queries[2]
    times = samples(runs, lambda: snapshot.list(factory()))
    rows.append(
        Row(
            f"list {title} + ModelQuery() in loop [median of {runs}]",
            label,
            median_ms(times),
            "ms",
            LIST_TARGET_MS,
            digits=3,
        )
    )
    rows.append(_new_bound_row(snapshot, label))
    return rows


def _new_bound_row(snapshot: Snapshot, label: str, runs: int = 50) -> Row:
    """A different price bound on every call: the numeric-filter cache never hits."""
    queries = [
        ModelQuery(task=[Task.CHAT], max_input_price=Decimal(700 + i) / 1000, limit=50)
        for i in range(runs)
    ]
    times = []
    for query in queries:
        start = time.perf_counter()
        snapshot.list(query)
        times.append(time.perf_counter() - start)
    return Row(
        f"list task=chat + new max_input_price each call [median of {runs}]",
        label,
        median_ms(times),
        "ms",
        digits=3,
    )
