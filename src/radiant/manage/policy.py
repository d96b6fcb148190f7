"""Approval policy: which change types need a second administrator, and the requests
that wait for one.

A fresh install has no policy rows, so nothing needs approval: one operator running
``make run`` can manage the registry alone. ``radiant approvals set-policy TYPE --require`` (or
``PUT /api/v2/admin/approvals/policy/{type}``) turns two-person approval on per type.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from radiant.core.audit import audit_write, record_audit
from radiant.core.context import WriteContext, authorize
from radiant.errors import ValidationError
from radiant.manage.operations import WriteOp
from radiant.security import Permission
from radiant.store.admin_tables import CHANGE_TYPES, ApprovalPolicyRow, ApprovalRequestRow
from radiant.store.engine import session_scope
from radiant.store.repository import store_errors
from radiant.store.tables import utcnow

__all__ = [
    "RISK_LEVELS",
    "create_request",
    "expire_requests",
    "get_policy",
    "policy_for",
    "request_dict",
    "set_policy",
]

RISK_LEVELS = ("low", "medium", "high", "critical")
_DEFAULT_RISK = {"billing_change": "high", "security_change": "high", "provider_change": "medium"}


def policy_for(session: Session, types: list[str]) -> ApprovalPolicyRow | None:
    """The first policy among ``types`` that requires approval, if any."""
    if not types:
        return None
    rows = {
        r.change_type: r
        for r in session.scalars(
            select(ApprovalPolicyRow).where(ApprovalPolicyRow.change_type.in_(types))
        )
    }
    for change_type in types:
        row = rows.get(change_type)
        if row is not None and row.requires_approval:
            return row
    return None


def get_policy(engine: Engine) -> list[dict[str, Any]]:
    with store_errors(), Session(engine) as session:
        rows = {r.change_type: r for r in session.scalars(select(ApprovalPolicyRow))}
    return [
        {
            "change_type": t,
            "requires_approval": bool(rows[t].requires_approval) if t in rows else False,
            "risk_level": rows[t].risk_level if t in rows else _DEFAULT_RISK.get(t, "medium"),
            "expires_hours": rows[t].expires_hours if t in rows else 24,
            "updated_by": rows[t].updated_by if t in rows else None,
        }
        for t in CHANGE_TYPES
    ]


def set_policy(
    engine: Engine,
    ctx: WriteContext,
    change_type: str,
    *,
    requires_approval: bool,
    risk_level: str | None = None,
    expires_hours: int = 24,
) -> dict[str, Any]:
    authorize(ctx.principal, [Permission.POLICY_MANAGE])
    if change_type not in CHANGE_TYPES:
        raise ValidationError(
            f"unknown change type {change_type!r}; one of {', '.join(CHANGE_TYPES)}"
        )
    risk = risk_level or _DEFAULT_RISK.get(change_type, "medium")
    if risk not in RISK_LEVELS:
        raise ValidationError(f"risk level must be one of {', '.join(RISK_LEVELS)}")
    if not 1 <= expires_hours <= 24 * 30:
        raise ValidationError("expires_hours must be between 1 and 720")
    with store_errors(), session_scope(engine) as session:
        row = session.get(ApprovalPolicyRow, change_type)
        old = None
        if row is None:
            row = ApprovalPolicyRow(change_type=change_type)
            session.add(row)
        else:
            old = {
                "requires_approval": row.requires_approval,
                "risk_level": row.risk_level,
                "expires_hours": row.expires_hours,
            }
        row.requires_approval = requires_approval
        row.risk_level = risk
        row.expires_hours = expires_hours
        row.updated_by = ctx.principal.name
        new = {
            "requires_approval": requires_approval,
            "risk_level": risk,
            "expires_hours": expires_hours,
        }
        audit_write(
            session,
            ctx,
            "approval_policy.set",
            "approval_policy",
            change_type,
            old,
            new,
        )
    return {"change_type": change_type, **new, "updated_by": ctx.principal.name}


def create_request(
    session: Session,
    ctx: WriteContext,
    op: WriteOp,
    policy: ApprovalPolicyRow,
    *,
    old_values: Any,
    title: str | None = None,
    description: str | None = None,
) -> ApprovalRequestRow:
    """Record ``op`` as waiting for a second administrator instead of applying it."""
    principal = ctx.principal
    if principal.subject_id is None:  # pragma: no cover - authorize() ran before
        raise ValidationError("an anonymous caller cannot open an approval request")
    now = utcnow()
    changed = ", ".join(sorted(op.data)) or "the whole object"
    row = ApprovalRequestRow(
        id=str(uuid.uuid4()),
        tenant_id=principal.tenant_id,
        type=policy.change_type,
        title=title or f"{op.action} {op.key or op.data.get('id', '')}".strip(),
        description=description,
        payload=op.payload(),
        risk_level=policy.risk_level,
        impact_analysis=(
            f"{op.operation} of {op.kind} {op.key or op.data.get('id')!r}, touching: {changed}. "
            "Every process serving this registry sees the change within a second of approval."
        ),
        rollback_plan=_rollback_plan(op, old_values),
        initiated_by=principal.subject_id,
        initiated_by_name=principal.name,
        initiated_at=now,
        status="pending",
        expires_at=now + timedelta(hours=policy.expires_hours),
    )
    session.add(row)
    session.flush()
    record_audit(
        session,
        principal,
        "approval.request",
        "approval_request",
        row.id,
        None,
        {"type": row.type, "payload": row.payload},
        ctx.request_id,
        ctx.client_address,
        user_agent=ctx.user_agent,
    )
    return row


def _rollback_plan(op: WriteOp, old_values: Any) -> str:
    if op.operation == "create":
        return (
            f"delete {op.kind} {op.data.get('id') or op.key!r} (retired instead while referenced)"
        )
    if op.operation == "delete":
        return f"re-create or re-activate {op.kind} {op.key!r} from the audit row's old values"
    return f"PATCH {op.kind} {op.key!r} back to the old values recorded here: {old_values}"


def expire_requests(session: Session) -> int:
    """Mark pending requests past their expiry as expired; how many."""
    result = session.execute(
        update(ApprovalRequestRow)
        .where(ApprovalRequestRow.status == "pending", ApprovalRequestRow.expires_at <= utcnow())
        .values(status="expired", updated_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def request_dict(row: ApprovalRequestRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "type": row.type,
        "title": row.title,
        "description": row.description,
        "status": row.status,
        "risk_level": row.risk_level,
        "impact_analysis": row.impact_analysis,
        "rollback_plan": row.rollback_plan,
        "payload": row.payload,
        "environment": row.environment,
        "initiated_by": {"id": row.initiated_by, "name": row.initiated_by_name},
        "initiated_at": row.initiated_at,
        "decided_by": (
            None
            if row.approved_by is None
            else {"id": row.approved_by, "name": row.approved_by_name}
        ),
        "decided_at": row.approved_at,
        "notes": row.approval_notes,
        "executed_at": row.executed_at,
        "execution_result": row.execution_result,
        "expires_at": row.expires_at,
    }
