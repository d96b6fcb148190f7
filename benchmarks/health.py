"""What the gateway pays per upstream call for passive health: ``record_outcome`` and
``allowed`` on a monitor backed by a migrated SQLite file (the breaker re-read from it at
most every second is amortised in), and one flush of pending outcomes into it."""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from benchmarks._report import Row, median_us, samples

__all__ = ["health_rows"]

_LABEL = "SQLite store"


def health_rows() -> list[Row]:
    from radiant.health import HealthMonitor
    from radiant.health.sql_store import SqlHealthStore
    from radiant.store.engine import make_engine
    from radiant.store.migrate import upgrade

    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'health.db'}"
        upgrade(url)
        engine = make_engine(url)
        try:
            monitor = HealthMonitor(SqlHealthStore(engine))
            routes = [f"model-{i}@platform" for i in range(10)]
            counter = iter(range(10**9))

            def record() -> None:
                monitor.record_outcome(routes[next(counter) % 10], True, 120.0)

            def ask() -> None:
                monitor.allowed(routes[next(counter) % 10])

            record_us = median_us(record, loops=5000)
            allowed_us = median_us(ask, loops=5000)
            monitor.flush()

            def flush_thousand() -> None:
                for i in range(1000):
                    monitor.record_outcome(routes[i % 10], True, 100.0 + i % 50)
                monitor.flush()

            flush_ms = statistics.median(samples(5, flush_thousand)) * 1000
            failing = [f"failing-{i}@platform" for i in range(20)]
            failure_ms = (
                statistics.median(
                    samples(
                        20, lambda: monitor.record_outcome(failing.pop(), False, 30, "503", 503)
                    )
                )
                * 1000
            )
        finally:
            engine.dispose()
    return [
        Row("health: record_outcome (success)", _LABEL, record_us, "µs", target=10.0),
        Row("health: allowed (breaker closed)", _LABEL, allowed_us, "µs", target=5.0),
        Row("health: record_outcome (failure: one breaker write)", _LABEL, failure_ms, "ms"),
        Row("health: 1,000 successes recorded + flushed (10 routes)", _LABEL, flush_ms, "ms"),
    ]
