"""Where route health and circuit breakers live so that every process shares them.

:class:`HealthStore` is the one interface; there are three implementations:

* :class:`radiant.health.sql_store.SqlHealthStore`: the ``route_health`` and
  ``circuit_breakers`` tables of the registry database (SQLite or PostgreSQL);
* :class:`radiant.health.redis_store.RedisHealthStore`: Redis, when ``RADIANT_REDIS_URL``
  is set (several gateway processes, many outcomes);
* :class:`MemoryHealthStore`: one process only (tests, demos).

Every update is a read-modify-write applied atomically by compare-and-set: the store
reads the current value, calls ``change`` and writes the result only if nobody wrote in
between (else it reads again and retries). ``change`` must therefore be pure.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from radiant.health.breaker import BreakerState
from radiant.health.stats import HealthStats

if TYPE_CHECKING:
    pass

__all__ = [
    "BreakerChange",
    "HealthStore",
    "MemoryHealthStore",
    "StatsChange",
]

#: old state -> (new state, answer for the caller)
BreakerChange = Callable[[BreakerState], tuple[BreakerState, bool]]
StatsChange = Callable[[HealthStats], HealthStats]

#: attempts of one compare-and-set before giving up
MAX_ATTEMPTS = 50


class HealthStore(Protocol):
    def update_breaker(self, route_id: str, change: BreakerChange) -> tuple[BreakerState, bool]:
        """Apply ``change`` atomically to the route's breaker (closed when never seen)."""
        ...

    def breakers(self) -> dict[str, BreakerState]:
        """Every breaker the store knows, by route id."""
        ...

    def update_stats(self, route_id: str, change: StatsChange) -> HealthStats:
        """Apply ``change`` atomically to the route's statistics (empty when never seen)."""
        ...

    def update_stats_many(self, changes: dict[str, StatsChange]) -> None:
        """:meth:`update_stats` for several routes, in as few round trips as the store can."""
        ...

    def stats(self) -> dict[str, HealthStats]:
        """Every route's statistics, by route id."""
        ...

    def close(self) -> None: ...


class MemoryHealthStore:
    """A store inside this process: nothing is shared with other processes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._breakers: dict[str, BreakerState] = {}
        self._stats: dict[str, HealthStats] = {}

    def update_breaker(self, route_id: str, change: BreakerChange) -> tuple[BreakerState, bool]:
        with self._lock:
            new, answer = change(self._breakers.get(route_id, BreakerState()))
            self._breakers[route_id] = new
            return new, answer

    def breakers(self) -> dict[str, BreakerState]:
        with self._lock:
            return dict(self._breakers)

    def update_stats(self, route_id: str, change: StatsChange) -> HealthStats:
        with self._lock:
            current = self._stats.get(route_id)
            copy = HealthStats.from_dict(current.as_dict()) if current else HealthStats()
            new = change(copy)
            self._stats[route_id] = new
            return new

    def update_stats_many(self, changes: dict[str, StatsChange]) -> None:
        for route_id, change in changes.items():
            self.update_stats(route_id, change)

    def stats(self) -> dict[str, HealthStats]:
        with self._lock:
            return {k: HealthStats.from_dict(v.as_dict()) for k, v in self._stats.items()}

    def close(self) -> None:
        return None
