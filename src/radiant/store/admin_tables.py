"""Administration tables: administrators, their API tokens,
invitations, the audit log, approval requests and the approval policy.

Choices made on purpose:

* ``tenant_id`` is nullable everywhere: NULL means a platform administrator (the registry
  has no tenant of its own).
* Actors in ``audit_logs`` and ``approval_requests`` are plain ids, not foreign keys: an
  audit row must outlive whatever it names, and approvals keep working for any principal
  an authenticator vouches for. ``different_approver`` (approver <> initiator) is a CHECK.
* ``admin_tokens`` and ``approval_policies`` are new: bearer tokens replace Cognito, and the
  policy says which change types need a second administrator.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from radiant.store.tables import Base, utcnow
from radiant.store.tenant_tables import TenantRow
from radiant.store.types import UTCDateTime

__all__ = [
    "AdminTokenRow",
    "AdministratorRow",
    "ApprovalPolicyRow",
    "ApprovalRequestRow",
    "AuditLogRow",
    "InvitationRow",
]

_ROLES = "role IN ('super_admin', 'admin', 'operator', 'auditor')"
CHANGE_TYPES = (
    "deployment",
    "promotion",
    "model_activation",
    "provider_change",
    "user_role_change",
    "billing_change",
    "security_change",
    "data_migration",
)
_CHANGE_TYPES = "type IN (" + ", ".join(f"'{t}'" for t in CHANGE_TYPES) + ")"
_RISKS = "IN ('low', 'medium', 'high', 'critical')"


class AdministratorRow(Base):
    __tablename__ = "administrators"
    __table_args__ = (
        CheckConstraint(_ROLES, name="role"),
        CheckConstraint("status IN ('pending', 'active', 'inactive', 'suspended')", name="status"),
        Index("uq_administrators_email", "email", unique=True),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey(TenantRow.id, ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    display_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), index=True)
    custom_permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    preferences: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="active")
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AdminTokenRow(Base):
    """A bearer token of an administrator: only its SHA-256 hash and a short prefix are kept."""

    __tablename__ = "admin_tokens"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    admin_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("administrators.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: None: every permission of the role; otherwise the permission values it is narrowed to
    scopes: Mapped[list[str] | None] = mapped_column(JSON)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InvitationRow(Base):
    __tablename__ = "invitations"
    __table_args__ = (
        CheckConstraint(_ROLES, name="role"),
        CheckConstraint("status IN ('pending', 'accepted', 'expired', 'revoked')", name="status"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey(TenantRow.id, ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(255), index=True)
    role: Mapped[str] = mapped_column(String(20))
    message: Mapped[str | None] = mapped_column(Text)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[str] = mapped_column(String(64))
    invited_by_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_ip: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditLogRow(Base):
    """One write, by whom, on what, from where: rows are only ever inserted."""

    __tablename__ = "audit_logs"
    __table_args__ = (
        Index("ix_audit_logs_resource", "resource_type", "resource_id"),
        Index("ix_audit_logs_created_at", "created_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str | None] = mapped_column(String(36), index=True)
    actor_kind: Mapped[str] = mapped_column(String(20))
    admin_id: Mapped[str | None] = mapped_column(String(64), index=True)
    actor_name: Mapped[str] = mapped_column(String(255))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    token_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(100), index=True)
    resource_type: Mapped[str] = mapped_column(String(100))
    resource_id: Mapped[str | None] = mapped_column(String(300))
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(100))
    old_values: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new_values: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApprovalRequestRow(Base):
    __tablename__ = "approval_requests"
    __table_args__ = (
        CheckConstraint(_CHANGE_TYPES, name="type"),
        CheckConstraint(f"risk_level {_RISKS}", name="risk_level"),
        CheckConstraint("environment IN ('dev', 'staging', 'prod')", name="environment"),
        CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'expired', 'cancelled', 'executed')",
            name="status",
        ),
        CheckConstraint(
            "approved_by IS NULL OR approved_by <> initiated_by", name="different_approver"
        ),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str | None] = mapped_column(String(36), index=True)
    app_id: Mapped[str] = mapped_column(String(50), default="radiant")
    environment: Mapped[str] = mapped_column(String(20), default="prod")
    type: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    risk_level: Mapped[str] = mapped_column(String(20), default="medium")
    impact_analysis: Mapped[str | None] = mapped_column(Text)
    rollback_plan: Mapped[str | None] = mapped_column(Text)
    initiated_by: Mapped[str] = mapped_column(String(64))
    initiated_by_name: Mapped[str] = mapped_column(String(255))
    initiated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    #: who decided: the approver, or the administrator who rejected
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_by_name: Mapped[str | None] = mapped_column(String(255))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approval_notes: Mapped[str | None] = mapped_column(Text)
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    execution_result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ApprovalPolicyRow(Base):
    """Which change types need a second administrator; a type without a row needs none."""

    __tablename__ = "approval_policies"
    __table_args__ = (CheckConstraint(f"risk_level {_RISKS}", name="risk_level"),)
    change_type: Mapped[str] = mapped_column(String(50), primary_key=True)
    requires_approval: Mapped[bool] = mapped_column(Boolean, default=True)
    risk_level: Mapped[str] = mapped_column(String(20), default="medium")
    expires_hours: Mapped[int] = mapped_column(Integer, default=24)
    updated_by: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
