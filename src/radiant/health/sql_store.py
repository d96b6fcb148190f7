"""Route health and circuit breakers in the registry database (SQLite or PostgreSQL).

Compare-and-set on the ``version`` column: ``UPDATE ... WHERE route_id = :id AND
version = :read`` touches no row when another process wrote first, and the update is
retried on what that process wrote. A first write races on the primary key instead.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from radiant.errors import StoreError
from radiant.health.breaker import BreakerState
from radiant.health.stats import HealthStats, WindowPolicy, timestamp
from radiant.health.store import MAX_ATTEMPTS, BreakerChange, StatsChange
from radiant.store.health_tables import CircuitBreakerRow, RouteHealthRow
from radiant.store.repository import store_errors

__all__ = ["SqlHealthStore"]


_BREAKERS = cast(Table, CircuitBreakerRow.__table__)
_ROUTES = cast(Table, RouteHealthRow.__table__)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


class SqlHealthStore:
    def __init__(self, engine: Engine, policy: WindowPolicy | None = None) -> None:
        self.engine = engine
        #: the window the summary columns of ``route_health`` are computed over
        self.policy = policy or WindowPolicy()

    # ------------------------------------------------------------------ breakers

    def update_breaker(self, route_id: str, change: BreakerChange) -> tuple[BreakerState, bool]:
        table = _BREAKERS
        for _ in range(MAX_ATTEMPTS):
            with store_errors(), self.engine.begin() as conn:
                row = (
                    conn.execute(select(table).where(table.c.route_id == route_id))
                    .mappings()
                    .first()
                )
                old = BreakerState() if row is None else self._breaker(row)
                new, answer = change(old)
                if new == old and row is not None:
                    return new, answer
                values = {
                    **new.as_dict(),
                    "updated_at": datetime.now(UTC),
                }
                if row is None:
                    try:
                        with conn.begin_nested():
                            conn.execute(
                                insert(table).values(route_id=route_id, version=1, **values)
                            )
                    except IntegrityError:
                        continue  # another process created it first
                    return new, answer
                done = conn.execute(
                    update(table)
                    .where(table.c.route_id == route_id, table.c.version == row["version"])
                    .values(version=row["version"] + 1, **values)
                )
                if done.rowcount == 1:
                    return new, answer
        raise StoreError(f"the circuit breaker of {route_id} is too contended to update")

    def breakers(self) -> dict[str, BreakerState]:
        table = _BREAKERS
        with store_errors(), self.engine.connect() as conn:
            rows = conn.execute(select(table)).mappings().all()
        return {row["route_id"]: self._breaker(row) for row in rows}

    @staticmethod
    def _breaker(row: Any) -> BreakerState:
        return BreakerState.from_dict(
            {
                "state": row["state"],
                "failures": row["failures"],
                "opened_at": _float(row["opened_at"]),
                "open_until": _float(row["open_until"]),
                "trial_started_at": _float(row["trial_started_at"]),
                "times_opened": row["times_opened"],
            }
        )

    # ------------------------------------------------------------------ statistics

    def update_stats(self, route_id: str, change: StatsChange) -> HealthStats:
        for _ in range(MAX_ATTEMPTS):
            with store_errors(), self.engine.begin() as conn:
                new = self._apply_stats(conn, route_id, change)
            if new is not None:
                return new
        raise StoreError(f"the health of {route_id} is too contended to update")

    def update_stats_many(self, changes: dict[str, StatsChange]) -> None:
        """Every route's change in one transaction (one commit); the routes that lost a
        race to another process are retried in the next. Rows are locked in route order,
        so two processes flushing the same routes never deadlock."""
        pending = dict(sorted(changes.items()))
        for _ in range(MAX_ATTEMPTS):
            if not pending:
                return
            lost: dict[str, StatsChange] = {}
            with store_errors(), self.engine.begin() as conn:
                for route_id, change in pending.items():
                    if self._apply_stats(conn, route_id, change) is None:
                        lost[route_id] = change
            pending = lost
        raise StoreError(f"the health of {', '.join(pending)} is too contended to update")

    def _apply_stats(
        self, conn: Connection, route_id: str, change: StatsChange
    ) -> HealthStats | None:
        """Read, change and compare-and-set one route's row; None when another process
        wrote it first."""
        table = _ROUTES
        row = conn.execute(
            select(table.c.stats, table.c.version).where(table.c.route_id == route_id)
        ).first()
        old = HealthStats() if row is None else HealthStats.from_dict(row.stats or {})
        new = change(old)
        values = self._columns(new)
        if row is None:
            try:
                with conn.begin_nested():
                    conn.execute(insert(table).values(route_id=route_id, version=1, **values))
            except IntegrityError:
                return None
            return new
        done = conn.execute(
            update(table)
            .where(table.c.route_id == route_id, table.c.version == row.version)
            .values(version=row.version + 1, **values)
        )
        return new if done.rowcount == 1 else None

    def stats(self) -> dict[str, HealthStats]:
        table = _ROUTES
        with store_errors(), self.engine.connect() as conn:
            rows = conn.execute(select(table.c.route_id, table.c.stats)).all()
        return {row.route_id: HealthStats.from_dict(row.stats or {}) for row in rows}

    def _columns(self, stats: HealthStats) -> dict[str, Any]:
        now = stats.last_check_at or datetime.now(UTC).timestamp()
        summary = stats.summary(now, self.policy)
        return {
            "status": summary.status.value,
            "avg_latency_ms": summary.avg_latency_ms,
            "p95_latency_ms": summary.p95_latency_ms,
            "p99_latency_ms": summary.p99_latency_ms,
            "error_rate": summary.error_rate,
            "success_rate": summary.success_rate,
            "success_count": stats.success_count,
            "failure_count": stats.failure_count,
            "last_success_at": timestamp(stats.last_success_at),
            "last_failure_at": timestamp(stats.last_failure_at),
            "last_error": stats.last_error,
            "stats": stats.as_dict(),
            "updated_at": datetime.now(UTC),
        }

    def close(self) -> None:
        return None
