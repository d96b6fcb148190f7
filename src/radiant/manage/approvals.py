"""Two-person approval: a *different* administrator approves a queued write, which is then
applied in the same transaction as the approval; or rejects it; the initiator may cancel.

The rule "approver differs from initiator" is checked here and enforced by the database
(``CHECK (approved_by IS NULL OR approved_by <> initiated_by)``). A request
left pending past ``expires_at`` (default 24 h) expires. Every step writes an audit row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from radiant.core.audit import audit_write, record_audit
from radiant.core.context import WriteContext, authorize
from radiant.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RadiantError,
    ValidationError,
)
from radiant.manage.operations import WriteOp, required_permissions
from radiant.manage.policy import request_dict
from radiant.manage.registry_writes import RegistryWriter, WriteResult
from radiant.security import Permission, Principal, PrincipalKind
from radiant.store.admin_tables import ApprovalRequestRow
from radiant.store.engine import session_scope
from radiant.store.repository import store_errors
from radiant.store.tables import utcnow

__all__ = ["ApprovalService", "STATUSES"]

STATUSES = ("pending", "approved", "rejected", "expired", "cancelled", "executed")
SYSTEM = Principal(PrincipalKind.ADMIN, name="system")


class ApprovalService:
    def __init__(self, engine: Engine, writer: RegistryWriter) -> None:
        self.engine = engine
        self.writer = writer

    # ------------------------------------------------------------------ reads

    def list(
        self, ctx: WriteContext, *, status: str | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[list[dict[str, Any]], int]:
        authorize(ctx.principal, [Permission.ADMIN_READ])
        if status is not None and status not in STATUSES:
            raise ValidationError(f"status must be one of {', '.join(STATUSES)}")
        self.expire()
        where = [] if status is None else [ApprovalRequestRow.status == status]
        with store_errors(), Session(self.engine) as session:
            total = session.scalar(
                select(func.count()).select_from(ApprovalRequestRow).where(*where)
            )
            rows = session.scalars(
                select(ApprovalRequestRow)
                .where(*where)
                .order_by(ApprovalRequestRow.initiated_at.desc(), ApprovalRequestRow.id)
                .limit(limit)
                .offset(offset)
            )
            return [request_dict(r) for r in rows], int(total or 0)

    def get(self, ctx: WriteContext, request_id: str) -> dict[str, Any]:
        authorize(ctx.principal, [Permission.ADMIN_READ])
        self.expire()
        with store_errors(), Session(self.engine) as session:
            return request_dict(_load(session, request_id))

    # ------------------------------------------------------------------ decisions

    def approve(
        self, ctx: WriteContext, request_id: str, notes: str | None = None
    ) -> tuple[dict[str, Any], WriteResult]:
        """Approve and apply, atomically; the approver must not be the initiator."""
        principal = ctx.principal
        authorize(principal, [Permission.APPROVALS_DECIDE])
        self.expire()
        applying = False
        try:
            with store_errors(), session_scope(self.engine) as session:
                row = self._decidable(session, request_id, principal)
                op = WriteOp.from_payload(row.payload)
                authorize(principal, required_permissions(op))
                self._move(session, row, "executed", principal, notes, executed_at=utcnow())
                applying = True
                result = self.writer.apply(
                    session,
                    op,
                    ctx,
                    metadata={"approval_request": row.id, "initiated_by": row.initiated_by_name},
                )
                applying = False
                outcome = {
                    "record": None if result.record is None else result.record.as_dict(),
                    "deleted": result.deleted,
                    "retired": result.retired,
                    "registry_version": result.registry_version,
                }
                session.execute(
                    update(ApprovalRequestRow)
                    .where(ApprovalRequestRow.id == row.id)
                    .values(execution_result=outcome)
                    .execution_options(synchronize_session=False)
                )
                record_audit(
                    session,
                    principal,
                    "approval.approve",
                    "approval_request",
                    row.id,
                    {"status": "pending"},
                    {"status": "executed"},
                    ctx.request_id,
                    ctx.client_address,
                    user_agent=ctx.user_agent,
                )
                session.flush()
                session.expire(row)
                done = request_dict(row)
        except RadiantError as exc:
            if applying:  # the stored change no longer applies: close the request, saying why
                self._record_failure(ctx, request_id, notes, exc)
            raise
        self.writer._refresh(result)
        return done, result

    def reject(
        self, ctx: WriteContext, request_id: str, notes: str | None = None
    ) -> dict[str, Any]:
        authorize(ctx.principal, [Permission.APPROVALS_DECIDE])
        self.expire()
        with store_errors(), session_scope(self.engine) as session:
            row = self._decidable(session, request_id, ctx.principal)
            self._move(session, row, "rejected", ctx.principal, notes)
            audit_write(
                session,
                ctx,
                "approval.reject",
                "approval_request",
                row.id,
                {"status": "pending"},
                {"status": "rejected", "notes": notes},
            )
            session.flush()
            session.expire(row)
            return request_dict(row)

    def cancel(
        self, ctx: WriteContext, request_id: str, notes: str | None = None
    ) -> dict[str, Any]:
        """The initiator withdraws their request (a super_admin may withdraw anyone's)."""
        principal = ctx.principal
        self.expire()
        with store_errors(), session_scope(self.engine) as session:
            row = _load(session, request_id)
            if row.initiated_by != principal.subject_id:
                authorize(principal, [Permission.ADMINS_MANAGE])
            if row.status != "pending":
                raise _decided(row)
            moved = session.execute(
                update(ApprovalRequestRow)
                .where(ApprovalRequestRow.id == row.id, ApprovalRequestRow.status == "pending")
                .values(status="cancelled", approval_notes=notes, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if moved.rowcount != 1:  # type: ignore[attr-defined]
                raise ConflictError("the request was decided meanwhile")
            record_audit(
                session,
                principal,
                "approval.cancel",
                "approval_request",
                row.id,
                {"status": "pending"},
                {"status": "cancelled", "notes": notes},
                ctx.request_id,
                ctx.client_address,
                user_agent=ctx.user_agent,
            )
            session.flush()
            session.expire(row)
            return request_dict(row)

    def expire(self) -> int:
        """Mark pending requests past their expiry as expired (audited); how many."""
        now = utcnow()
        with store_errors(), session_scope(self.engine) as session:
            ids = list(
                session.scalars(
                    select(ApprovalRequestRow.id).where(
                        ApprovalRequestRow.status == "pending", ApprovalRequestRow.expires_at <= now
                    )
                )
            )
            for request_id in ids:
                moved = session.execute(
                    update(ApprovalRequestRow)
                    .where(
                        ApprovalRequestRow.id == request_id, ApprovalRequestRow.status == "pending"
                    )
                    .values(status="expired", updated_at=now)
                    .execution_options(synchronize_session=False)
                )
                if moved.rowcount == 1:  # type: ignore[attr-defined]
                    record_audit(
                        session,
                        SYSTEM,
                        "approval.expire",
                        "approval_request",
                        request_id,
                        {"status": "pending"},
                        {"status": "expired"},
                    )
            return len(ids)

    # ------------------------------------------------------------------ helpers

    def _decidable(
        self, session: Session, request_id: str, principal: Principal
    ) -> ApprovalRequestRow:
        row = _load(session, request_id)
        if row.status != "pending":
            raise _decided(row)
        if principal.subject_id is None or row.initiated_by == principal.subject_id:
            raise PermissionDeniedError(
                "a different administrator must decide: you opened this request"
            )
        return row

    def _move(
        self,
        session: Session,
        row: ApprovalRequestRow,
        status: str,
        principal: Principal,
        notes: str | None,
        **extra: Any,
    ) -> None:
        now = utcnow()
        moved = session.execute(
            update(ApprovalRequestRow)
            .where(ApprovalRequestRow.id == row.id, ApprovalRequestRow.status == "pending")
            .values(
                status=status,
                approved_by=principal.subject_id,
                approved_by_name=principal.name,
                approved_at=now,
                approval_notes=notes,
                updated_at=now,
                **extra,
            )
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            raise ConflictError("the request was decided meanwhile")

    def _record_failure(
        self, ctx: WriteContext, request_id: str, notes: str | None, exc: RadiantError
    ) -> None:
        """The approved change could not be applied: close the request, saying why."""
        with store_errors(), session_scope(self.engine) as session:
            row = session.get(ApprovalRequestRow, request_id)
            if (
                row is None
                or row.status != "pending"
                or row.initiated_by == ctx.principal.subject_id
            ):
                return
            self._move(session, row, "approved", ctx.principal, notes)
            session.execute(
                update(ApprovalRequestRow)
                .where(ApprovalRequestRow.id == request_id)
                .values(execution_result={"error": exc.message, "status": exc.status})
                .execution_options(synchronize_session=False)
            )
            audit_write(
                session,
                ctx,
                "approval.approve",
                "approval_request",
                request_id,
                {"status": "pending"},
                {"status": "approved", "error": exc.message},
            )


def _load(session: Session, request_id: str) -> ApprovalRequestRow:
    row = session.get(ApprovalRequestRow, request_id)
    if row is None:
        raise NotFoundError("approval_request", request_id)
    return row


def _decided(row: ApprovalRequestRow) -> ConflictError:
    return ConflictError(f"the request is {row.status}, no longer pending")
