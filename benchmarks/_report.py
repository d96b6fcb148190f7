"""Result rows, the table they print as, and small timing helpers."""

from __future__ import annotations

import gc
import os
import statistics
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "Row",
    "best_of",
    "format_table",
    "guarded",
    "QUICK",
    "median_ms",
    "median_us",
    "quick",
    "samples",
    "user_environment",
]


@dataclass(frozen=True, slots=True)
class Row:
    benchmark: str
    catalog: str
    #: The measured value in ``unit``.
    value: float
    unit: str
    #: Upper bound the value must not exceed; None for context-only rows.
    target: float | None = None
    #: Decimal places shown.
    digits: int = 2
    #: Set when the benchmark could not run; ``value`` is then meaningless.
    error: str | None = None
    #: Shown instead of a value for a context-only row that had nothing to measure.
    note: str | None = None

    @property
    def result(self) -> str:
        if self.error is not None:
            return f"ERROR: {self.error}"
        if self.note is not None:
            return self.note
        return f"{self.value:.{self.digits}f} {self.unit}"

    @property
    def target_text(self) -> str:
        return "-" if self.target is None else f"<= {self.target:g} {self.unit}"

    @property
    def ok(self) -> str:
        if self.error is not None:
            return "ERROR"
        if self.target is None:
            return "-"
        return "ok" if self.value <= self.target else "MISS"


_HEADER = ("benchmark", "catalog", "result", "target", "ok?")
_RIGHT = (False, False, True, True, False)


def format_table(rows: Sequence[Row]) -> str:
    cells = [_HEADER] + [(r.benchmark, r.catalog, r.result, r.target_text, r.ok) for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(_HEADER))]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if right else v.ljust(w)
            for v, w, right in zip(values, widths, _RIGHT, strict=True)
        ]
        return " | ".join(parts).rstrip()

    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(c) for c in cells[1:])])


def guarded(section: str, catalog: str, run: Callable[[], list[Row]]) -> list[Row]:
    """Rows of ``run``, or one error row (with the traceback on stderr) when it raises."""
    try:
        return run()
    except Exception as exc:  # noqa: BLE001 - a broken section must not hide the others
        traceback.print_exc()
        return [Row(section, catalog, float("nan"), "", error=type(exc).__name__)]


#: ``RADIANT_BENCH_QUICK=1``: every repetition count cut to a twentieth (at least one),
#: for a run that checks the benchmarks work (the README's test), not what they measure
QUICK = os.environ.get("RADIANT_BENCH_QUICK") == "1"


def quick(count: int) -> int:
    """``count`` repetitions, or a twentieth of them (at least one) in a quick run."""
    return max(1, count // 20) if QUICK else count


def best_of(repeats: int, run: Callable[[], object]) -> float:
    """Smallest wall time of ``repeats`` calls of ``run``, in seconds."""
    best = float("inf")
    for _ in range(quick(repeats)):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def samples(runs: int, run: Callable[[], object]) -> list[float]:
    """Wall time of each of ``runs`` calls of ``run``, in seconds. What a call returns is
    freed after its clock stops: dropping a result is its holder's cost, paid when the
    holder lets it go (a server frees the snapshot it replaced after serving the new one)."""
    times: list[float] = []
    for _ in range(quick(runs)):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
        del result
    return times


def median_us(run: Callable[[], object], loops: int = 2000, repeats: int = 15) -> float:
    """Median over ``repeats`` batches of ``loops`` calls of the per-call time, in
    microseconds, with the garbage collector off (a collection landing in one batch is
    noise, not the cost of the call)."""
    times: list[float] = []
    loops = quick(loops)
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(quick(repeats)):
            start = time.perf_counter()
            for _ in range(loops):
                run()
            times.append((time.perf_counter() - start) / loops)
    finally:
        if enabled:
            gc.enable()
    return statistics.median(times) * 1e6


def median_ms(times: Sequence[float]) -> float:
    """Median of times given in seconds, in milliseconds."""
    return statistics.median(times) * 1000.0


def user_environment(**extra: str) -> dict[str, str]:
    """This process's environment as a user's shell has it, plus ``extra``: Python's
    default bytecode cache on (a fresh process timed here reads the modules an earlier
    run compiled, as a user's does; a shell with ``PYTHONDONTWRITEBYTECODE`` set would
    have every process compile every module again)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **extra}
