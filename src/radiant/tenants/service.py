"""Tenants: create, read, update, suspend and (softly) delete customer organisations.

Every write is one method taking the acting :class:`~radiant.security.Principal` and runs
in one transaction (an audit record can join it). Raises NotFoundError (unknown id or
slug), ConflictError (a slug in use, a deleted tenant), PreconditionFailedError (a stale
version), ValidationError (bad values) and PermissionDeniedError.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, select, update

from radiant.core.audit import audit_change
from radiant.domain.tenant import ApiKeyStatus, Tenant, TenantStatus
from radiant.errors import ValidationError
from radiant.security import Permission, Principal
from radiant.store.tables import utcnow
from radiant.store.tenant_tables import TenantApiKeyRow, TenantRow
from radiant.tenants._base import (
    check,
    expect_version,
    row_to_tenant,
    scoped,
    tenant_row,
    validated,
)

__all__ = ["TENANT_FIELDS", "TenantService"]

#: Fields an update may change (``status`` only between active and suspended).
TENANT_FIELDS = frozenset({"name", "slug", "tier", "status", "domain", "billing_email", "settings"})


class TenantService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ------------------------------------------------------------------ reads

    def get(self, actor: Principal, ref: str) -> Tenant:
        """The tenant whose id or slug is ``ref`` (a tenant principal sees only its own)."""
        with scoped(self.engine, actor) as session:
            return row_to_tenant(tenant_row(session, ref))

    def list(
        self, actor: Principal, *, status: TenantStatus | None = None, include_deleted: bool = False
    ) -> list[Tenant]:
        query = select(TenantRow).order_by(TenantRow.slug)
        if status is not None:
            query = query.where(TenantRow.status == status.value)
        if not include_deleted:
            query = query.where(TenantRow.deleted_at.is_(None))
        with scoped(self.engine, actor) as session:
            return [row_to_tenant(r) for r in session.execute(query).scalars()]

    # ------------------------------------------------------------------ writes

    def create(
        self,
        actor: Principal,
        *,
        name: str,
        slug: str,
        tier: int = 1,
        domain: str | None = None,
        billing_email: str | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> Tenant:
        check(actor, Permission.TENANTS_WRITE)
        tenant = validated(
            Tenant,
            {
                "id": str(uuid.uuid4()),
                "name": name,
                "slug": slug,
                "tier": tier,
                "domain": domain,
                "billing_email": billing_email,
                "settings": dict(settings or {}),
            },
        )
        with scoped(self.engine, actor, conflict=f"the slug {tenant.slug!r} is in use") as session:
            row = TenantRow(
                id=tenant.id,
                name=tenant.name,
                slug=tenant.slug,
                tier=tenant.tier,
                status=tenant.status.value,
                domain=tenant.domain,
                billing_email=tenant.billing_email,
                settings=tenant.settings,
            )
            session.add(row)
            session.flush()
            created = row_to_tenant(row)
            audit_change(session, actor, "tenant.create", "tenant", row.id, None, created)
            return created

    def update(
        self,
        actor: Principal,
        ref: str,
        changes: Mapping[str, Any],
        *,
        expected_version: int | None = None,
    ) -> Tenant:
        """Change some fields; ``expected_version`` (the ETag a client read) guards races."""
        check(actor, Permission.TENANTS_WRITE)
        unknown = set(changes) - TENANT_FIELDS
        if unknown:
            raise ValidationError(f"tenants have no field(s) {', '.join(sorted(unknown))}")
        if changes.get("status") == TenantStatus.CANCELLED:
            raise ValidationError("a tenant is cancelled by deleting it, not by an update")
        conflict = f"the slug {changes.get('slug')!r} is in use"
        with scoped(self.engine, actor, conflict=conflict) as session:
            row = tenant_row(session, ref, for_write=True)
            expect_version("tenant", ref, row.row_version, expected_version)
            current = row_to_tenant(row)
            merged = validated(Tenant, {**current.model_dump(), **changes})
            for field in changes:
                value = getattr(merged, field)
                setattr(row, field, value.value if field == "status" else value)
            session.flush()
            after = row_to_tenant(row)
            old, new = _changed(current, after, changes)
            audit_change(session, actor, "tenant.update", "tenant", row.id, old, new)
            return after

    def suspend(self, actor: Principal, ref: str, *, expected_version: int | None = None) -> Tenant:
        """Stop the tenant's keys working, keeping everything (undo: status ``active``)."""
        return self.update(
            actor, ref, {"status": TenantStatus.SUSPENDED}, expected_version=expected_version
        )

    def delete(self, actor: Principal, ref: str, *, expected_version: int | None = None) -> Tenant:
        """Soft delete: status ``cancelled``, ``deleted_at`` set, every active key revoked.

        Rows stay (usage and invoices refer to them); a deleted tenant can no longer be
        changed, and its slug stays taken.
        """
        check(actor, Permission.TENANTS_WRITE)
        with scoped(self.engine, actor) as session:
            row = tenant_row(session, ref, for_write=True)
            expect_version("tenant", ref, row.row_version, expected_version)
            before = row_to_tenant(row)
            now = utcnow()
            row.status = TenantStatus.CANCELLED.value
            row.deleted_at = now
            session.execute(
                update(TenantApiKeyRow)
                .where(
                    TenantApiKeyRow.tenant_id == row.id,
                    TenantApiKeyRow.status == ApiKeyStatus.ACTIVE.value,
                )
                .values(
                    status=ApiKeyStatus.REVOKED.value,
                    revoked_at=now,
                    row_version=TenantApiKeyRow.row_version + 1,
                )
            )
            session.flush()
            after = row_to_tenant(row)
            audit_change(session, actor, "tenant.delete", "tenant", row.id, before, after)
            return after


def _changed(
    before: Tenant, after: Tenant, fields: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The old and new values of the fields an update named, for the audit log."""
    return (
        {f: getattr(before, f) for f in fields},
        {f: getattr(after, f) for f in fields},
    )
