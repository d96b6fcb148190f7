"""Usage and billing tables (migrations 0010 and 0011).

* ``usage_events``: one row per gateway request, successful or not. ``id`` is the
  primary key, an id the gateway made (unique across processes and restarts), so writing
  an event twice (a spool replayed after a crash) keeps one row while two requests never
  share one. ``request_id`` is the ``x-request-id`` the response carried: the caller's
  when it sent one (stored, never a key: it may repeat, across tenants too), else ``id``.
  ``usage_estimated`` marks tokens counted by the gateway because the upstream never
  reported them (a stream cut short).
* ``idempotency_keys``: the answers kept for calls sent with an ``Idempotency-Key``, one
  row per tenant and key (see :mod:`radiant.gateway.idempotency`).
* ``usage_rollups``: one row per tenant, day (UTC) and model, rebuilt by
  ``radiant billing rollup``.
* ``invoices``: one per tenant and month, with its line items per model as JSON.

Tenant, model and provider ids are plain keys, not foreign keys: the
ledger must keep a request's record even when its model, its key or its tenant is later
removed, and the meter must never fail to write an event for such a reason. On PostgreSQL
these tables have row-level security like the tenant tables (migrations 0010 and
0011): a tenant-scoped transaction reads its own rows; writing them is for trusted code
(:func:`radiant.tenants.scope.admin_scope`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from radiant.store.tables import Base, utcnow
from radiant.store.types import Money, UTCDateTime

__all__ = [
    "BILLING_RLS_TABLES",
    "IdempotencyKeyRow",
    "InvoiceRow",
    "UsageEventRow",
    "UsageRollupRow",
]


class UsageEventRow(Base):
    __tablename__ = "usage_events"
    __table_args__ = (
        Index("ix_usage_events_tenant_created", "tenant_id", "created_at"),
        Index("ix_usage_events_created_at", "created_at"),
    )
    #: the gateway's own id of the request (``x-radiant-request-id``): the key
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    #: the ``x-request-id`` the response carried: the caller's, or ``id``
    request_id: Mapped[str] = mapped_column(String(100), index=True)
    tenant_id: Mapped[str] = mapped_column(String(36))
    user_id: Mapped[str | None] = mapped_column(String(100))
    api_key_id: Mapped[str | None] = mapped_column(String(36))
    model_id: Mapped[str] = mapped_column(String(128), index=True)
    provider_id: Mapped[str] = mapped_column(String(64))
    platform_id: Mapped[str | None] = mapped_column(String(64))
    route_id: Mapped[str | None] = mapped_column(String(300))
    endpoint: Mapped[str] = mapped_column(String(50))
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cached_tokens: Mapped[int] = mapped_column(Integer, default=0)
    images: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    minutes: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    #: what the request COST us (USD)
    base_cost: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    #: the PRICE the tenant pays for it (USD, tenant pricing applied)
    billed_price: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="success")
    error_code: Mapped[str | None] = mapped_column(String(50))
    #: the tokens were counted by the gateway, not reported by the upstream
    usage_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdempotencyKeyRow(Base):
    """A call sent with an ``Idempotency-Key``: running, or done with its answer kept."""

    __tablename__ = "idempotency_keys"
    tenant_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    #: SHA-256 of the endpoint and the body: a repeat must send the same
    fingerprint: Mapped[str] = mapped_column(String(64))
    #: the gateway's id of the call that holds the key (and whose event billed it)
    request_id: Mapped[str] = mapped_column(String(100))
    endpoint: Mapped[str] = mapped_column(String(50))
    #: ``running`` or ``done``
    state: Mapped[str] = mapped_column(String(20))
    status_code: Mapped[int | None] = mapped_column(Integer)
    media_type: Mapped[str | None] = mapped_column(String(200))
    #: the answer's own headers (route, model, price)
    headers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: running: when a call that died stops holding the key; done: when it is forgotten
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class UsageRollupRow(Base):
    __tablename__ = "usage_rollups"
    __table_args__ = (UniqueConstraint("tenant_id", "rollup_date", "model_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(String(36), index=True)
    rollup_date: Mapped[date] = mapped_column(Date, index=True)
    model_id: Mapped[str] = mapped_column(String(128))
    provider_id: Mapped[str] = mapped_column(String(64))
    request_count: Mapped[int] = mapped_column(BigInteger, default=0)
    success_count: Mapped[int] = mapped_column(BigInteger, default=0)
    error_count: Mapped[int] = mapped_column(BigInteger, default=0)
    input_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    output_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    cached_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    total_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    images: Mapped[int] = mapped_column(BigInteger, default=0)
    seconds: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    minutes: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    #: embedding requests (the free tier counts them apart)
    embedding_requests: Mapped[int] = mapped_column(BigInteger, default=0)
    #: requests whose usage the gateway counted (the upstream never reported it)
    estimated_requests: Mapped[int] = mapped_column(BigInteger, default=0)
    base_cost: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    billed_price: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    avg_latency_ms: Mapped[Decimal | None] = mapped_column(Money)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class InvoiceRow(Base):
    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("tenant_id", "billing_period_start"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(36), index=True)
    invoice_number: Mapped[str] = mapped_column(String(50), unique=True)
    billing_period_start: Mapped[date] = mapped_column(Date)
    billing_period_end: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    #: amounts rounded to the cent (the only place money is rounded)
    subtotal: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    discount_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    free_tier_credit: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    tax_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    total_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    line_items: Mapped[list[Any]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


#: Tables with row-level security on PostgreSQL, and their tenant column.
BILLING_RLS_TABLES = {
    "usage_events": "tenant_id",
    "usage_rollups": "tenant_id",
    "invoices": "tenant_id",
    "idempotency_keys": "tenant_id",
}


class GatewayJobRow(Base):
    """A job the gateway started upstream (a video, a 3D model): what a client's
    ``GET /v1/videos/{id}`` reads back. ``id`` is ours (the client never sees the
    upstream's); ``request_id`` is the usage event that billed it, once."""

    __tablename__ = "gateway_jobs"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(36), index=True)
    #: ``videos`` or ``3d``: the endpoint that started it
    kind: Mapped[str] = mapped_column(String(20))
    request_id: Mapped[str] = mapped_column(String(100))
    #: the name the client asked for (answers carry it as ``model``)
    model: Mapped[str] = mapped_column(String(255))
    model_id: Mapped[str] = mapped_column(String(128))
    route_id: Mapped[str] = mapped_column(String(300))
    upstream_id: Mapped[str] = mapped_column(String(500))
    #: queued, in_progress, completed or failed: as last seen upstream
    status: Mapped[str] = mapped_column(String(20))
    #: the job's last object as the client gets it
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
