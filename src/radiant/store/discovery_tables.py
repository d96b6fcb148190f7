"""Discovery tables: models found upstream awaiting review, and how often each route went
missing from its platform's listing.

Discovered models live here, not in ``models``: until an administrator approves one it is
in no snapshot, no listing and no selection. Prices are per 1M tokens, exact decimals.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from radiant.store.tables import Base, utcnow
from radiant.store.types import Money, UTCDateTime

__all__ = ["DISCOVERY_STATUSES", "DiscoveredModelRow", "DiscoveryRouteStateRow"]

#: pending: awaiting review; approved: in the registry; ignored: never suggested again
DISCOVERY_STATUSES = ("pending", "approved", "ignored")


class DiscoveredModelRow(Base):
    """A model (or a new route of a known model) one platform lists and the registry lacks."""

    __tablename__ = "discovered_models"
    __table_args__ = (
        UniqueConstraint("platform_id", "upstream_id"),
        CheckConstraint("status IN ('pending', 'approved', 'ignored')", name="status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform_id: Mapped[str] = mapped_column(String(64), index=True)
    #: the provider whose own API listed it (the ``direct`` platform), else None
    source_provider_id: Mapped[str | None] = mapped_column(String(64))
    upstream_id: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    #: an existing model the upstream id resolved to: approving adds only a route
    known_model_id: Mapped[str | None] = mapped_column(String(128))
    # what upstream said, as suggestions for the catalog fields
    suggested_model_id: Mapped[str] = mapped_column(String(128))
    suggested_provider_id: Mapped[str | None] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    context_window: Mapped[int | None] = mapped_column(Integer)
    max_output_tokens: Mapped[int | None] = mapped_column(Integer)
    input_modalities: Mapped[list[str]] = mapped_column(JSON, default=list)
    output_modalities: Mapped[list[str]] = mapped_column(JSON, default=list)
    capabilities: Mapped[list[str]] = mapped_column(JSON, default=list)
    input_per_1m: Mapped[Decimal | None] = mapped_column(Money)
    output_per_1m: Mapped[Decimal | None] = mapped_column(Money)
    cached_input_per_1m: Mapped[Decimal | None] = mapped_column(Money)
    cache_write_per_1m: Mapped[Decimal | None] = mapped_column(Money)
    #: OpenRouter: the providers serving it (name, context, prices), from its endpoints API
    endpoints: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: SHA-256 of ``raw``: a refresh rewrites the suggestions only when upstream changed
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sync_id: Mapped[str | None] = mapped_column(String(36))
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_notes: Mapped[str | None] = mapped_column(Text)
    #: the model and route an approval created (or the approval requests it opened)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class DiscoveryRouteStateRow(Base):
    """For each checked route: consecutive full listings of its platform that lacked it."""

    __tablename__ = "discovery_route_state"
    route_id: Mapped[str] = mapped_column(
        ForeignKey("routes.id", ondelete="CASCADE"), primary_key=True
    )
    platform_id: Mapped[str] = mapped_column(String(64), index=True)
    missing_runs: Mapped[int] = mapped_column(Integer, default=0)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: set when discovery retired the route (and perhaps its model) for being gone upstream
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: discovery also deprecated the route's model (undone if the route comes back)
    retired_model: Mapped[bool] = mapped_column(Boolean, default=False)
