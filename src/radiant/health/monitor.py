"""Passive health: what the gateway reports after every upstream call, and what it asks
before the next one.

``record_outcome`` is on the request path, so it is cheap: a success only appends to
this process's pending samples (no I/O unless the breaker is half-open); the pending
samples are merged into the shared store by :meth:`HealthMonitor.flush`, which a
background thread runs every ``flush_interval`` seconds (5; :meth:`start`). A failure
updates the route's breaker in the shared store at once: failures are rare, and counting
them in one place is what makes every process open the breaker together.

``allowed`` answers from this process's copy of the breakers, re-read from the store at
most every ``refresh_interval`` seconds (one query for all routes); only taking the
half-open trial, once per cooldown, goes to the store. So a breaker another process
opened is seen here within ``refresh_interval``.

Outcomes never bump the registry version: route health is read from here, not from the
registry snapshot.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from radiant.domain import HealthStatus
from radiant.errors import RadiantError
from radiant.health.breaker import (
    BreakerPolicy,
    BreakerState,
    CircuitState,
    admits,
    on_failure,
    on_success,
    reopens_in,
    try_trial,
)
from radiant.health.redis_store import RedisHealthStore
from radiant.health.sql_store import SqlHealthStore
from radiant.health.stats import HealthStats, Sample, WindowPolicy, classify, timestamp
from radiant.health.store import HealthStore
from radiant.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = ["HealthMonitor", "Outcome", "monitor_from_settings"]

logger = logging.getLogger(__name__)


#: one pending outcome: (epoch seconds, latency ms, ok, HTTP status, error)
Outcome = tuple[float, float, bool, int | None, str | None]


class HealthMonitor:
    def __init__(
        self,
        store: HealthStore,
        *,
        breaker: BreakerPolicy | None = None,
        window: WindowPolicy | None = None,
        clock: Callable[[], float] = time.time,
        flush_interval: float = 5.0,
        refresh_interval: float = 1.0,
    ) -> None:
        self.store = store
        self.breaker_policy = breaker or BreakerPolicy()
        self.window = window or WindowPolicy()
        self.clock = clock
        self.flush_interval = flush_interval
        self.refresh_interval = refresh_interval
        self._lock = threading.Lock()
        self._pending: dict[str, list[Outcome]] = {}
        self._breakers: dict[str, BreakerState] = {}
        self._refreshed_at = float("-inf")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ the request path

    def record_outcome(
        self,
        route_id: str,
        ok: bool,
        latency_ms: float,
        error: str | None = None,
        status_code: int | None = None,
    ) -> None:
        """Report one upstream call of ``route_id``: did it succeed, how long it took."""
        now = self.clock()
        outcome: Outcome = (now, latency_ms, ok, status_code, error)
        with self._lock:
            bucket = self._pending.get(route_id)
            if bucket is None:
                self._pending[route_id] = [outcome]
            else:
                bucket.append(outcome)
        known = self._breakers.get(route_id)  # replaced whole or per key: safe to read
        try:
            if not ok:
                policy = self.breaker_policy
                self._change_breaker(route_id, lambda s: (on_failure(s, now, policy), True))
            elif known is not None and known.state is not CircuitState.CLOSED:
                self._change_breaker(route_id, lambda s: (on_success(s, now), True))
        except RadiantError as exc:  # the shared store is down: keep serving
            logger.warning("health: cannot update the breaker of %s: %s", route_id, exc)

    def allowed(self, route_id: str) -> bool:
        """May the gateway call ``route_id`` now? False while its breaker is open, and for
        every caller but one while it is half-open."""
        now = self.clock()
        try:
            if now - self._refreshed_at >= self.refresh_interval:
                self.refresh_breakers(now)
            state = self._breakers.get(route_id)
            if state is None or state.state is CircuitState.CLOSED:
                return True
            verdict = admits(state, now, self.breaker_policy)
            if verdict is not None:
                return verdict
            _, granted = self._change_breaker(
                route_id, lambda s: try_trial(s, now, self.breaker_policy)
            )
            return granted
        except RadiantError as exc:
            # the shared store is down: answer from this process's last copy, and let a
            # breaker whose cooldown is over through rather than refuse the route for good
            self._refreshed_at = now
            logger.warning("health: cannot read the breaker of %s: %s", route_id, exc)
            state = self._breakers.get(route_id)
            return state is None or admits(state, now, self.breaker_policy) is not False

    def reopens_in(self, route_id: str) -> float:
        """Seconds until ``route_id``'s breaker lets a call through (0: now), from this
        process's copy of the breakers: no I/O (a ``Retry-After`` for a refused route)."""
        state = self._breakers.get(route_id)
        if state is None:
            return 0.0
        return reopens_in(state, self.clock(), self.breaker_policy)

    # ------------------------------------------------------------------ breakers

    def _change_breaker(
        self, route_id: str, change: Callable[[BreakerState], tuple[BreakerState, bool]]
    ) -> tuple[BreakerState, bool]:
        new, answer = self.store.update_breaker(route_id, change)
        with self._lock:
            self._breakers[route_id] = new
        return new, answer

    def refresh_breakers(self, now: float | None = None) -> None:
        breakers = self.store.breakers()
        with self._lock:
            self._breakers = breakers
            self._refreshed_at = self.clock() if now is None else now

    def breaker(self, route_id: str) -> BreakerState:
        """The route's breaker as the shared store has it now."""
        self.refresh_breakers()
        with self._lock:
            return self._breakers.get(route_id, BreakerState())

    # ------------------------------------------------------------------ statistics

    def flush(self) -> int:
        """Merge this process's pending outcomes into the shared store; how many routes."""
        with self._lock:
            pending, self._pending = self._pending, {}
        if pending:
            self.store.update_stats_many(
                {route_id: self._merger(outcomes) for route_id, outcomes in pending.items()}
            )
        return len(pending)

    def _merger(self, outcomes: list[Outcome]) -> Callable[[HealthStats], HealthStats]:
        samples = [
            (Sample(at, max(0.0, float(latency)), classify(ok, code)), code, error)
            for at, latency, ok, code, error in outcomes
        ]

        def merge(stats: HealthStats) -> HealthStats:
            for sample, code, error in samples:
                stats.observe(sample, self.window, error=error, status_code=code, trim=False)
            # another process may have written newer samples: keep the window in time order
            stats.samples.sort(key=lambda s: s.at)
            stats.trim(stats.samples[-1].at, self.window)
            return stats

        return merge

    def routes(self) -> list[dict[str, Any]]:
        """Every route with outcomes or a breaker: status, latency, rates, breaker state."""
        self.flush()
        now = self.clock()
        stats = self.store.stats()
        breakers = self.store.breakers()
        rows = []
        for route_id in sorted(set(stats) | set(breakers)):
            rows.append(self._view(route_id, stats.get(route_id), breakers.get(route_id), now))
        return rows

    def _view(
        self, route_id: str, stats: HealthStats | None, breaker: BreakerState | None, now: float
    ) -> dict[str, Any]:
        stats = stats or HealthStats()
        breaker = breaker or BreakerState()
        summary = stats.summary(now, self.window)
        status = summary.status
        if breaker.state is CircuitState.OPEN and (breaker.open_until or 0) > now:
            status = HealthStatus.UNHEALTHY  # refused calls: unhealthy whatever the window says
        return {
            "route_id": route_id,
            "status": status.value,
            "avg_latency_ms": _round(summary.avg_latency_ms),
            "p95_latency_ms": _round(summary.p95_latency_ms),
            "p99_latency_ms": _round(summary.p99_latency_ms),
            "error_rate": summary.error_rate,
            "success_rate": summary.success_rate,
            "window_samples": summary.samples,
            "success_count": stats.success_count,
            "failure_count": stats.failure_count,
            "last_success_at": timestamp(stats.last_success_at),
            "last_failure_at": timestamp(stats.last_failure_at),
            "last_error": stats.last_error,
            "breaker": {
                "state": breaker.state.value,
                "failures_in_window": sum(
                    1 for t in breaker.failures if t > now - self.breaker_policy.window
                ),
                "open_until": timestamp(breaker.open_until),
                "times_opened": breaker.times_opened,
            },
        }

    # ------------------------------------------------------------------ background flush

    def start(self) -> None:
        """Flush (and re-read the breakers) every ``flush_interval`` seconds in a thread."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="radiant-health", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.flush_interval):
            try:
                self.flush()
                self.refresh_breakers()
            except RadiantError as exc:  # the store is down: drop this batch, keep serving
                logger.warning("health flush failed: %s", exc)

    def close(self) -> None:
        """Stop the thread and flush what is pending."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.flush()


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def monitor_from_settings(engine: Engine) -> HealthMonitor:
    """A monitor on Redis (``RADIANT_REDIS_URL``) or on ``engine``'s database, with the
    breaker of the settings (``RADIANT_BREAKER_*``)."""

    settings = get_settings()
    return HealthMonitor(
        open_health_store(engine, settings.redis_url),
        breaker=BreakerPolicy(
            allowed_fails=settings.breaker_allowed_fails,
            window=settings.breaker_window_seconds,
            cooldown=settings.breaker_cooldown_seconds,
        ),
    )


def open_health_store(engine: Engine, redis_url: str | None = None) -> HealthStore:
    """Redis when ``redis_url`` is given (``RADIANT_REDIS_URL``), else the database."""
    if redis_url:
        return RedisHealthStore.from_url(redis_url)
    return SqlHealthStore(engine)
