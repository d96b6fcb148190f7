"""Pricing tables: markup overrides and estimated-cost alerts.

Money columns are exact decimals (``Money``); token prices are per 1M tokens.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from radiant.store.tables import Base, utcnow
from radiant.store.types import Money, UTCDateTime

__all__ = ["EstimatedCostAlertRow", "MarkupOverrideRow"]


class MarkupOverrideRow(Base):
    """A markup set by an administrator for every route of a provider or of one model."""

    __tablename__ = "markup_overrides"
    __table_args__ = (
        UniqueConstraint("scope", "target_id"),
        CheckConstraint("scope IN ('provider', 'model')", name="scope"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[str] = mapped_column(String(128))
    percent: Mapped[Decimal] = mapped_column(Money)
    set_by: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EstimatedCostAlertRow(Base):
    """One estimated route cost awaiting a real one."""

    __tablename__ = "estimated_cost_alerts"
    __table_args__ = (
        CheckConstraint("severity IN ('info', 'warning', 'critical')", name="severity"),
        CheckConstraint(
            "status IN ('pending', 'acknowledged', 'adjusted', 'resolved')", name="status"
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    route_id: Mapped[str] = mapped_column(String(300), index=True)
    model_id: Mapped[str] = mapped_column(String(128), index=True)
    provider_id: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(50))
    confidence: Mapped[Decimal] = mapped_column(Money)
    estimated_input_per_1m: Mapped[Decimal | None] = mapped_column(Money)
    estimated_output_per_1m: Mapped[Decimal | None] = mapped_column(Money)
    source_models: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    markup_percent: Mapped[Decimal] = mapped_column(Money)
    recommendation: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    adjusted_by: Mapped[str | None] = mapped_column(String(200))
    adjusted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    adjusted_input_per_1m: Mapped[Decimal | None] = mapped_column(Money)
    adjusted_output_per_1m: Mapped[Decimal | None] = mapped_column(Money)
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_source: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
