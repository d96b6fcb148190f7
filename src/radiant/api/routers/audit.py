"""``GET /api/v2/admin/audit``: the audit log, filtered and paged. Read-only: there is no
route that changes or deletes an audit row (PUT, PATCH, DELETE answer 405)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from radiant.api.auth import require
from radiant.api.params import DateTimeParam, Offset, RowId
from radiant.core.audit import AuditQuery, get_audit, list_audit
from radiant.errors import NotFoundError
from radiant.security import Permission

router = APIRouter(
    prefix="/api/v2/admin/audit", tags=["audit"], dependencies=[require(Permission.ADMIN_READ)]
)


@router.get("")
def audit_log(
    request: Request,
    actor: Annotated[str | None, Query(description="Administrator id or email.")] = None,
    action: str | None = None,
    resource_type: str | None = None,
    resource_id: str | None = None,
    request_id: str | None = None,
    since: DateTimeParam | None = None,
    until: DateTimeParam | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    query = AuditQuery(
        actor=actor,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        request_id=request_id,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    rows, total = list_audit(request.app.state.registry.engine, query)
    return {"data": rows, "count": len(rows), "total": total, "limit": limit, "offset": offset}


@router.get("/{audit_id}")
def audit_entry(request: Request, audit_id: RowId) -> dict[str, Any]:
    row = get_audit(request.app.state.registry.engine, audit_id)
    if row is None:
        raise NotFoundError("audit row", str(audit_id))
    return row
