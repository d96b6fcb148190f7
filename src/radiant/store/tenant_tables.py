"""Tenant tables (migration 0002).

On PostgreSQL these three tables have row-level security (migration 0002; see
:mod:`radiant.tenants.scope`): a session sees only the rows of the tenant it is scoped to.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from radiant.store.tables import Base, utcnow
from radiant.store.types import UTCDateTime

__all__ = [
    "RLS_TABLES",
    "TenantApiKeyRow",
    "TenantModelAccessRow",
    "TenantRow",
    "TransactionTenantRow",
]


class TenantRow(Base):
    __tablename__ = "tenants"
    __table_args__ = (
        CheckConstraint("tier BETWEEN 1 AND 5", name="tier"),
        CheckConstraint("status IN ('active', 'suspended', 'cancelled')", name="status"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    app_id: Mapped[str] = mapped_column(String(50), default="radiant", index=True)
    name: Mapped[str] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    domain: Mapped[str | None] = mapped_column(String(255))
    tier: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    billing_email: Mapped[str | None] = mapped_column(String(255))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: every ORM update checks and increments it (a stale writer gets StaleDataError)
    __mapper_args__ = {"version_id_col": row_version}


class TenantModelAccessRow(Base):
    __tablename__ = "tenant_model_access"
    __table_args__ = (UniqueConstraint("tenant_id", "model_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    model_id: Mapped[str] = mapped_column(
        String(128), ForeignKey("models.id", ondelete="CASCADE"), index=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    custom_input_price_per_1m: Mapped[Decimal | None]
    custom_output_price_per_1m: Mapped[Decimal | None]
    custom_markup_percent: Mapped[Decimal | None]
    rate_limit_rpm: Mapped[int | None] = mapped_column(Integer)
    rate_limit_tpm: Mapped[int | None] = mapped_column(Integer)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    __mapper_args__ = {"version_id_col": row_version}


class TenantApiKeyRow(Base):
    """Tenant API keys: only a SHA-256 of the key is stored, never the key itself."""

    __tablename__ = "tenant_api_keys"
    __table_args__ = (CheckConstraint("status IN ('active', 'revoked', 'expired')", name="status"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    key_prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    rate_limit_rpm: Mapped[int | None] = mapped_column(Integer)
    rate_limit_tpm: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="active")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    usage_count: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by: Mapped[str | None] = mapped_column(String(255))
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    __mapper_args__ = {"version_id_col": row_version}


class TransactionTenantRow(Base):
    """PostgreSQL: which tenant an open transaction acts for (migration 0012).

    One row per server process, written only by the ``SECURITY DEFINER`` function
    ``radiant_enter_tenant()`` and valid for one transaction id: the application's role
    can neither write it nor undo it, so a tenant's transaction cannot switch to another
    tenant or to the administrator bypass with raw SQL. Unused on SQLite.
    """

    __tablename__ = "transaction_tenants"
    backend_pid: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    transaction_id: Mapped[int] = mapped_column(BigInteger)
    tenant_id: Mapped[str] = mapped_column(String(36))


#: Tables with row-level security on PostgreSQL, and their tenant column.
RLS_TABLES = {"tenants": "id", "tenant_model_access": "tenant_id", "tenant_api_keys": "tenant_id"}
