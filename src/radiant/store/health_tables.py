"""Route health (passive outcomes) and circuit breakers, shared by every process.

Both rows carry a ``version`` that every write compares and bumps, so that concurrent
processes never lose each other's updates (see :mod:`radiant.health.sql_store`).
Route ids are plain keys (no foreign key): the gateway may report outcomes for a route
a concurrent write just removed.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from radiant.store.tables import Base, utcnow
from radiant.store.types import Money, UTCDateTime

__all__ = ["CircuitBreakerRow", "RouteHealthRow"]


class RouteHealthRow(Base):
    __tablename__ = "route_health"
    route_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="unknown", index=True)
    avg_latency_ms: Mapped[float | None] = mapped_column(Float)
    p95_latency_ms: Mapped[float | None] = mapped_column(Float)
    p99_latency_ms: Mapped[float | None] = mapped_column(Float)
    error_rate: Mapped[Decimal | None] = mapped_column(Money)
    success_rate: Mapped[Decimal | None] = mapped_column(Money)
    success_count: Mapped[int] = mapped_column(Integer, default=0)
    failure_count: Mapped[int] = mapped_column(Integer, default=0)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: the whole statistics (window samples included) as :class:`radiant.health.stats.HealthStats`
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CircuitBreakerRow(Base):
    __tablename__ = "circuit_breakers"
    route_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    state: Mapped[str] = mapped_column(String(20), default="closed", index=True)
    failures: Mapped[list[float]] = mapped_column(JSON, default=list)
    opened_at: Mapped[float | None] = mapped_column(Float)
    open_until: Mapped[float | None] = mapped_column(Float)
    trial_started_at: Mapped[float | None] = mapped_column(Float)
    times_opened: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
