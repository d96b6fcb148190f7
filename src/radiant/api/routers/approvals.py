"""Two-person approval under ``/api/v2/admin/approvals``: list, read, approve (applies the
change), reject, cancel; and the policy saying which change types need approval."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from radiant.api.admin_deps import ApprovalsDep, record_body
from radiant.api.params import Offset
from radiant.api.request_context import ContextDep, authenticated
from radiant.api.write_schemas import ApprovalDecision, PolicyUpdate
from radiant.core.audit import jsonable
from radiant.core.context import authorize
from radiant.manage.policy import get_policy, set_policy
from radiant.security import Permission

router = APIRouter(
    prefix="/api/v2/admin/approvals", tags=["approvals"], dependencies=[authenticated]
)


@router.get("/policy")
def read_policy(request: Request, ctx: ContextDep) -> dict[str, Any]:

    authorize(ctx.principal, [Permission.ADMIN_READ])
    rows = get_policy(request.app.state.registry.engine)
    return {"data": rows, "count": len(rows)}


@router.put("/policy/{change_type}")
def update_policy(
    change_type: str, body: PolicyUpdate, request: Request, ctx: ContextDep
) -> dict[str, Any]:
    return set_policy(
        request.app.state.registry.engine,
        ctx,
        change_type,
        requires_approval=body.requires_approval,
        risk_level=body.risk_level,
        expires_hours=body.expires_hours,
    )


@router.get("")
def list_requests(
    approvals: ApprovalsDep,
    ctx: ContextDep,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> Any:
    rows, total = approvals.list(ctx, status=status, limit=limit, offset=offset)
    return jsonable({"data": rows, "count": len(rows), "total": total})


@router.get("/{request_id}")
def read_request(request_id: str, approvals: ApprovalsDep, ctx: ContextDep) -> Any:
    return jsonable(approvals.get(ctx, request_id))


@router.post("/{request_id}/approve")
def approve(
    request_id: str, approvals: ApprovalsDep, ctx: ContextDep, body: ApprovalDecision | None = None
) -> Any:
    """Approve and apply the change in one transaction (a different administrator only)."""
    done, result = approvals.approve(ctx, request_id, body.notes if body else None)
    record = None if result.record is None else record_body(result.record, ctx.principal)
    return jsonable({"approval": done, "record": record, "deleted": result.deleted})


@router.post("/{request_id}/reject")
def reject(
    request_id: str, approvals: ApprovalsDep, ctx: ContextDep, body: ApprovalDecision | None = None
) -> Any:
    return jsonable(approvals.reject(ctx, request_id, body.notes if body else None))


@router.post("/{request_id}/cancel")
def cancel(
    request_id: str, approvals: ApprovalsDep, ctx: ContextDep, body: ApprovalDecision | None = None
) -> Any:
    return jsonable(approvals.cancel(ctx, request_id, body.notes if body else None))
