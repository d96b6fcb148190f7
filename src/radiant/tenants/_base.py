"""What the tenant services share: a scoped transaction, permission checks, validation."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import pydantic
from sqlalchemy import Engine, or_, select
from sqlalchemy.exc import IntegrityError, ProgrammingError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from radiant.domain.base import DomainModel
from radiant.domain.tenant import Tenant, TenantStatus
from radiant.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionFailedError,
    ValidationError,
)
from radiant.security import Permission, Principal
from radiant.store.engine import session_scope
from radiant.store.repository import store_errors
from radiant.store.tenant_tables import TenantRow
from radiant.tenants.scope import scope_for

__all__ = ["check", "expect_version", "row_to_tenant", "scoped", "tenant_row", "validated"]

M = TypeVar("M", bound=DomainModel)


def check(actor: Principal, permission: Permission) -> None:
    if not actor.can(permission):
        raise PermissionDeniedError(f"{actor.name} lacks the permission {permission.value!r}")


@contextmanager
def scoped(engine: Engine, actor: Principal, *, conflict: str = "") -> Iterator[Session]:
    """One transaction scoped to what ``actor`` may see; database errors become ours.

    A unique or foreign-key violation is a :class:`ConflictError` (``conflict`` says
    what collided); a row-level security refusal is a :class:`PermissionDeniedError`.
    """
    with store_errors():
        try:
            with session_scope(engine) as session:
                scope_for(session, actor)
                yield session
        except IntegrityError as exc:
            raise ConflictError(conflict or _first_line(exc)) from None
        except StaleDataError:
            raise PreconditionFailedError(
                "the resource changed while this request was writing it; read it again"
            ) from None
        except ProgrammingError as exc:
            if "row-level security" in str(exc.orig or exc):
                raise PermissionDeniedError(
                    f"{actor.name} may not write this tenant's data"
                ) from None
            raise


def _first_line(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def validated(model: type[M], values: Mapping[str, Any]) -> M:
    """``model(**values)``; a pydantic error becomes one readable ValidationError."""
    try:
        return model(**values)
    except pydantic.ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'input'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ValidationError(problems) from None


def tenant_row(session: Session, ref: str, *, for_write: bool = False) -> TenantRow:
    """The tenant whose id or slug is ``ref``; a deleted one cannot be written."""
    query = select(TenantRow).where(or_(TenantRow.id == ref, TenantRow.slug == ref))
    row = session.execute(query).scalars().first()
    if row is None:
        raise NotFoundError("tenant", ref)
    if for_write and row.deleted_at is not None:
        raise ConflictError(f"tenant {row.slug!r} was deleted; it can no longer be changed")
    return row


def row_to_tenant(row: TenantRow) -> Tenant:
    return Tenant(
        id=row.id,
        name=row.name,
        slug=row.slug,
        tier=row.tier,
        status=TenantStatus(row.status),
        domain=row.domain,
        billing_email=row.billing_email,
        settings=dict(row.settings or {}),
        row_version=row.row_version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        deleted_at=row.deleted_at,
    )


def expect_version(kind: str, key: str, current: int, expected: int | None) -> None:
    """Optimistic concurrency: a stale version is a 412 carrying the current one."""
    if expected is not None and expected != current:
        raise PreconditionFailedError(
            f"{kind} {key!r} changed since it was read (version {current}, not {expected})",
            current_version=str(current),
        )
