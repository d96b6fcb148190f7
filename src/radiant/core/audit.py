"""The audit log: every write records who, what, on which resource, old and new values,
the request id and the client's address. Rows are only ever inserted (the database
refuses UPDATE and DELETE on ``audit_logs``; the API has no route that could).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import Session

from radiant.core.context import WriteContext, current_request
from radiant.security import Principal
from radiant.store.admin_tables import AuditLogRow
from radiant.store.repository import store_errors

__all__ = [
    "AuditQuery",
    "audit_change",
    "audit_write",
    "audit_dict",
    "jsonable",
    "list_audit",
    "record_audit",
]


def jsonable(value: Any) -> Any:
    """Plain JSON data: domain objects dumped, money as exact strings, dates as ISO text."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def audit_change(
    session: Session,
    actor: Principal,
    action: str,
    resource_type: str,
    resource_id: str | None,
    old_values: Any = None,
    new_values: Any = None,
) -> None:
    """:func:`record_audit` with the request id and client of the request being served."""
    request = current_request.get()
    record_audit(
        session,
        actor,
        action,
        resource_type,
        resource_id,
        old_values,
        new_values,
        request.request_id if request else None,
        request.client_address if request else None,
        user_agent=request.user_agent if request else None,
    )


def audit_write(
    session: Session,
    ctx: WriteContext,
    action: str,
    resource_type: str,
    resource_id: str | None,
    old_values: Any = None,
    new_values: Any = None,
    *,
    metadata: dict[str, Any] | None = None,
) -> None:
    """:func:`record_audit` for a write made in ``ctx`` (who, request id, client)."""
    record_audit(
        session,
        ctx.principal,
        action,
        resource_type,
        resource_id,
        old_values,
        new_values,
        ctx.request_id,
        ctx.client_address,
        user_agent=ctx.user_agent,
        metadata=metadata,
    )


def record_audit(
    session: Session,
    actor: Principal,
    action: str,
    resource_type: str,
    resource_id: str | None,
    old_values: Any = None,
    new_values: Any = None,
    request_id: str | None = None,
    client_address: str | None = None,
    *,
    user_agent: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> None:
    """Add one audit row to the caller's transaction (it commits or rolls back with the write)."""
    session.add(
        AuditLogRow(
            tenant_id=actor.tenant_id,
            actor_kind=actor.kind.value,
            admin_id=actor.subject_id,
            actor_name=actor.name,
            actor_role=actor.role.value if actor.role else None,
            token_id=actor.token_id,
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            ip_address=client_address,
            user_agent=user_agent,
            request_id=request_id,
            old_values=jsonable(old_values),
            new_values=jsonable(new_values),
            meta=jsonable(metadata or {}),
        )
    )


@dataclass(frozen=True)
class AuditQuery:
    #: an administrator id or name
    actor: str | None = None
    action: str | None = None
    resource_type: str | None = None
    resource_id: str | None = None
    request_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50
    offset: int = 0


def audit_dict(row: AuditLogRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "created_at": row.created_at,
        "actor": {
            "kind": row.actor_kind,
            "id": row.admin_id,
            "name": row.actor_name,
            "role": row.actor_role,
            "token_id": row.token_id,
        },
        "tenant_id": row.tenant_id,
        "action": row.action,
        "resource_type": row.resource_type,
        "resource_id": row.resource_id,
        "old_values": row.old_values,
        "new_values": row.new_values,
        "request_id": row.request_id,
        "ip_address": row.ip_address,
        "user_agent": row.user_agent,
        "metadata": row.meta,
    }


def list_audit(engine: Engine, query: AuditQuery) -> tuple[list[dict[str, Any]], int]:
    """One page of audit rows, newest first, and how many match in all."""
    table = AuditLogRow
    conditions: list[Any] = []
    if query.actor:
        conditions.append(or_(table.admin_id == query.actor, table.actor_name == query.actor))
    if query.action:
        conditions.append(table.action == query.action)
    if query.resource_type:
        conditions.append(table.resource_type == query.resource_type)
    if query.resource_id:
        conditions.append(table.resource_id == query.resource_id)
    if query.request_id:
        conditions.append(table.request_id == query.request_id)
    if query.since:
        conditions.append(table.created_at >= query.since)
    if query.until:
        conditions.append(table.created_at < query.until)
    with store_errors(), Session(engine) as session:
        total = int(session.scalar(select(func.count()).select_from(table).where(*conditions)) or 0)
        rows = session.scalars(
            select(table)
            .where(*conditions)
            .order_by(table.created_at.desc(), table.id.desc())
            .limit(query.limit)
            .offset(query.offset)
        )
        return [audit_dict(r) for r in rows], total


def get_audit(engine: Engine, audit_id: int) -> dict[str, Any] | None:
    with store_errors(), Session(engine) as session:
        row = session.get(AuditLogRow, audit_id)
        return None if row is None else audit_dict(row)
