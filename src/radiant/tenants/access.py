"""Which models a tenant may call, at what price and rate (grants).

A tenant sees a model only when an administrator granted it and the grant is enabled
(an allow-list: a new tenant sees no model until one is granted), and only up to its
tier (a model's ``min_tier``). Custom prices are what the tenant pays per 1M tokens; a
custom markup is a percentage over cost. Raises NotFoundError / ModelNotFoundError,
ConflictError (granted twice), PreconditionFailedError, ValidationError.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from radiant.core.audit import audit_change
from radiant.domain.tenant import TenantModelAccess
from radiant.errors import NotFoundError, ValidationError
from radiant.registry import Snapshot
from radiant.security import Permission, Principal
from radiant.store.engine import session_scope
from radiant.store.repository import store_errors
from radiant.store.tables import ModelRow
from radiant.store.tenant_tables import TenantModelAccessRow, TenantRow
from radiant.tenants._base import check, expect_version, scoped, tenant_row, validated
from radiant.tenants.scope import tenant_scope

__all__ = ["ACCESS_FIELDS", "ModelAccessService"]

#: Fields a grant carries besides the tenant and the model.
ACCESS_FIELDS = frozenset(
    {
        "enabled",
        "custom_input_price_per_1m",
        "custom_output_price_per_1m",
        "custom_markup_percent",
        "rate_limit_rpm",
        "rate_limit_tpm",
    }
)


def _row_to_access(row: TenantModelAccessRow) -> TenantModelAccess:
    return TenantModelAccess(
        tenant_id=row.tenant_id,
        model_id=row.model_id,
        enabled=row.enabled,
        custom_input_price_per_1m=row.custom_input_price_per_1m,
        custom_output_price_per_1m=row.custom_output_price_per_1m,
        custom_markup_percent=row.custom_markup_percent,
        rate_limit_rpm=row.rate_limit_rpm,
        rate_limit_tpm=row.rate_limit_tpm,
        row_version=row.row_version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class ModelAccessService:
    def __init__(self, engine: Engine, snapshot: Callable[[], Snapshot]) -> None:
        self.engine = engine
        self._snapshot = snapshot

    def _model_id(self, name: str) -> tuple[str, int]:
        """The canonical id of the model ``name`` names, and its minimum tenant tier."""
        entry = self._snapshot().resolve(name)  # ModelNotFoundError with suggestions
        return entry.id, entry.model.min_tier

    def _unknown_fields(self, values: Mapping[str, Any]) -> None:
        unknown = set(values) - ACCESS_FIELDS
        if unknown:
            raise ValidationError(f"model access has no field(s) {', '.join(sorted(unknown))}")

    # ------------------------------------------------------------------ reads

    def list(self, actor: Principal, tenant: str) -> list[TenantModelAccess]:
        with scoped(self.engine, actor) as session:
            row = tenant_row(session, tenant)
            rows = session.execute(
                select(TenantModelAccessRow)
                .where(TenantModelAccessRow.tenant_id == row.id)
                .order_by(TenantModelAccessRow.model_id)
            ).scalars()
            return [_row_to_access(r) for r in rows]

    def get(self, actor: Principal, tenant: str, model: str) -> TenantModelAccess:
        model_id, _ = self._model_id(model)
        with scoped(self.engine, actor) as session:
            return _row_to_access(self._access_row(session, tenant_row(session, tenant), model_id))

    def enabled_models(self, tenant_id: str) -> frozenset[str]:
        """Models the tenant may call: granted, enabled, and within its tier."""
        query = (
            select(TenantModelAccessRow.model_id)
            .join(TenantRow, TenantRow.id == TenantModelAccessRow.tenant_id)
            .join(ModelRow, ModelRow.id == TenantModelAccessRow.model_id)
            .where(
                TenantModelAccessRow.tenant_id == tenant_id,
                TenantModelAccessRow.enabled.is_(True),
                ModelRow.min_tier <= TenantRow.tier,
            )
        )
        with store_errors(), session_scope(self.engine) as session:
            tenant_scope(session, tenant_id)
            return frozenset(session.execute(query).scalars())

    # ------------------------------------------------------------------ writes

    def grant(self, actor: Principal, tenant: str, model: str, **values: Any) -> TenantModelAccess:
        """Let ``tenant`` use ``model`` (enabled unless ``enabled=False``)."""
        check(actor, Permission.TENANTS_WRITE)
        self._unknown_fields(values)
        model_id, min_tier = self._model_id(model)
        with scoped(self.engine, actor, conflict=f"{model_id!r} is already granted") as session:
            trow = tenant_row(session, tenant, for_write=True)
            if min_tier > trow.tier:
                raise ValidationError(
                    f"model {model_id!r} needs tier {min_tier}; tenant {trow.slug!r} is tier "
                    f"{trow.tier}"
                )
            access = validated(
                TenantModelAccess, {"tenant_id": trow.id, "model_id": model_id, **values}
            )
            row = TenantModelAccessRow(
                **access.model_dump(exclude={"row_version", "created_at", "updated_at"})
            )
            session.add(row)
            session.flush()
            granted = _row_to_access(row)
            audit_change(
                session,
                actor,
                "tenant.access.grant",
                "tenant_model_access",
                f"{trow.id}:{model_id}",
                None,
                granted,
            )
            return granted

    def update(
        self,
        actor: Principal,
        tenant: str,
        model: str,
        changes: Mapping[str, Any],
        *,
        expected_version: int | None = None,
    ) -> TenantModelAccess:
        """Change a grant: enable or disable it, its custom prices, markup and limits."""
        check(actor, Permission.TENANTS_WRITE)
        self._unknown_fields(changes)
        model_id, _ = self._model_id(model)
        with scoped(self.engine, actor) as session:
            row = self._access_row(session, tenant_row(session, tenant, for_write=True), model_id)
            expect_version("model access", model_id, row.row_version, expected_version)
            before = _row_to_access(row)
            merged = validated(TenantModelAccess, {**before.model_dump(), **changes})
            for field in changes:
                setattr(row, field, getattr(merged, field))
            session.flush()
            after = _row_to_access(row)
            audit_change(
                session,
                actor,
                "tenant.access.update",
                "tenant_model_access",
                f"{row.tenant_id}:{model_id}",
                {f: getattr(before, f) for f in changes},
                {f: getattr(after, f) for f in changes},
            )
            return after

    def revoke(
        self, actor: Principal, tenant: str, model: str, *, expected_version: int | None = None
    ) -> TenantModelAccess:
        """Remove a grant (to keep its settings but stop its use, disable it instead)."""
        check(actor, Permission.TENANTS_WRITE)
        model_id, _ = self._model_id(model)
        with scoped(self.engine, actor) as session:
            row = self._access_row(session, tenant_row(session, tenant, for_write=True), model_id)
            expect_version("model access", model_id, row.row_version, expected_version)
            gone = _row_to_access(row)
            session.delete(row)
            session.flush()
            audit_change(
                session,
                actor,
                "tenant.access.revoke",
                "tenant_model_access",
                f"{gone.tenant_id}:{model_id}",
                gone,
                None,
            )
            return gone

    @staticmethod
    def _access_row(session: Session, trow: TenantRow, model_id: str) -> TenantModelAccessRow:
        row = session.execute(
            select(TenantModelAccessRow).where(
                TenantModelAccessRow.tenant_id == trow.id,
                TenantModelAccessRow.model_id == model_id,
            )
        ).scalar_one_or_none()
        if row is None:
            raise NotFoundError(
                "model access",
                f"{trow.slug}/{model_id}",
                f"{model_id!r} is not granted to tenant {trow.slug!r}",
            )
        return row
