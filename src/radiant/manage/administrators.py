"""Administrators, their bearer tokens and invitations.

* ``create_admin`` needs ``admins:manage`` (super_admin), except the very first one:
  on a registry with no administrator, anyone with access to the database (the CLI) may
  create a super_admin — the bootstrap.
* Tokens are random (see :mod:`radiant.security.tokens`), shown once, stored as a SHA-256
  hash with a clear prefix, optional scopes (narrowing the role), an expiry and a revocation
  time. An administrator may issue and revoke their own tokens; super_admins anyone's.
* Invitations carry a hashed one-time token; accepting one creates the administrator with
  the invited role and issues their first token.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TypedDict

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from radiant.core.audit import audit_write, record_audit
from radiant.core.context import WriteContext, authorize
from radiant.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from radiant.security import Permission, Principal, PrincipalKind, Role, permissions_for
from radiant.security.tokens import hash_token, new_token
from radiant.store.admin_tables import AdministratorRow, AdminTokenRow, InvitationRow
from radiant.store.engine import session_scope
from radiant.store.repository import store_errors
from radiant.store.tables import utcnow

__all__ = ["AdminService", "DEFAULT_TOKEN_DAYS"]

DEFAULT_TOKEN_DAYS = 90
_PERMISSION_VALUES = {p.value for p in Permission}


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise ValidationError(
            f"unknown role {value!r}; one of: {', '.join(r.value for r in Role)}"
        ) from None


def _scopes(scopes: Iterable[str] | None) -> list[str] | None:
    if scopes is None:
        return None
    wanted = sorted({s.strip() for s in scopes if s.strip()})
    unknown = [s for s in wanted if s not in _PERMISSION_VALUES]
    if unknown:
        raise ValidationError(f"unknown scope(s): {', '.join(unknown)}")
    return wanted or None


class AdminView(TypedDict):
    """An administrator as the API and the CLI show one (never a secret)."""

    id: str
    email: str
    first_name: str
    last_name: str
    display_name: str | None
    role: str
    status: str
    tenant_id: str | None
    created_at: datetime
    last_login_at: datetime | None


class TokenView(TypedDict):
    """An API token as shown: its prefix, never the secret or its hash."""

    id: str
    admin_id: str
    name: str
    prefix: str
    scopes: list[str] | None
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime


class Inviter(TypedDict):
    id: str
    name: str


class InvitationView(TypedDict):
    """An invitation as shown (the code it was sent with is never kept)."""

    id: str
    email: str
    role: str
    message: str | None
    status: str
    invited_by: Inviter
    expires_at: datetime
    accepted_at: datetime | None
    created_at: datetime


def admin_dict(row: AdministratorRow) -> AdminView:
    return {
        "id": row.id,
        "email": row.email,
        "first_name": row.first_name,
        "last_name": row.last_name,
        "display_name": row.display_name,
        "role": row.role,
        "status": row.status,
        "tenant_id": row.tenant_id,
        "created_at": row.created_at,
        "last_login_at": row.last_login_at,
    }


def token_dict(row: AdminTokenRow) -> TokenView:
    return {
        "id": row.id,
        "admin_id": row.admin_id,
        "name": row.name,
        "prefix": row.prefix,
        "scopes": row.scopes,
        "expires_at": row.expires_at,
        "revoked_at": row.revoked_at,
        "last_used_at": row.last_used_at,
        "created_at": row.created_at,
    }


def invitation_dict(row: InvitationRow) -> InvitationView:
    return {
        "id": row.id,
        "email": row.email,
        "role": row.role,
        "message": row.message,
        "status": row.status,
        "invited_by": {"id": row.invited_by, "name": row.invited_by_name},
        "expires_at": row.expires_at,
        "accepted_at": row.accepted_at,
        "created_at": row.created_at,
    }


class AdminService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ------------------------------------------------------------------ authentication

    def authenticate(self, secret: str) -> Principal | None:
        """The administrator behind a bearer token, or None (unknown, expired, revoked)."""
        if not secret.startswith("rad_"):
            return None
        with store_errors(), Session(self.engine) as session:
            found = session.execute(
                select(AdminTokenRow, AdministratorRow)
                .join(AdministratorRow, AdministratorRow.id == AdminTokenRow.admin_id)
                .where(AdminTokenRow.token_hash == hash_token(secret))
            ).first()
        if found is None:
            return None
        token, admin = found
        now = utcnow()
        if token.revoked_at is not None or (
            token.expires_at is not None and token.expires_at <= now
        ):
            return None
        if admin.status != "active" or admin.deleted_at is not None:
            return None
        role = Role(admin.role)
        return Principal(
            PrincipalKind.ADMIN,
            subject_id=admin.id,
            name=admin.email,
            role=role,
            tenant_id=admin.tenant_id,
            token_id=token.id,
            permissions=permissions_for(role, token.scopes),
        )

    # ------------------------------------------------------------------ administrators

    def count(self) -> int:
        with store_errors(), Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(AdministratorRow)) or 0)

    def list_admins(self) -> list[AdminView]:
        with store_errors(), Session(self.engine) as session:
            rows = session.scalars(select(AdministratorRow).order_by(AdministratorRow.created_at))
            return [admin_dict(r) for r in rows]

    def create_admin(
        self,
        ctx: WriteContext | None,
        email: str,
        role: str,
        *,
        first_name: str = "",
        last_name: str = "",
        tenant_id: str | None = None,
        token_name: str = "default",  # noqa: S107 - a token's name, not a secret
        token_days: int | None = DEFAULT_TOKEN_DAYS,
    ) -> tuple[AdminView, str]:
        """Create an administrator and their first token: (administrator, token shown once).

        ``ctx`` None is the bootstrap: allowed only while no administrator exists, and only
        for a super_admin.
        """
        email = _email(email)
        the_role = _role(role)
        if ctx is not None:
            authorize(ctx.principal, [Permission.ADMINS_MANAGE])
        with store_errors(), session_scope(self.engine) as session:
            if ctx is None:
                if session.scalar(select(func.count()).select_from(AdministratorRow)):
                    raise PermissionDeniedError(
                        "administrators exist already: use a super_admin's token (--token)"
                    )
                if the_role is not Role.SUPER_ADMIN:
                    raise ValidationError("the first administrator must be a super_admin")
            row = self._insert_admin(session, email, the_role, first_name, last_name, tenant_id)
            actor = ctx.principal if ctx is not None else _self(row)
            secret, token = self._issue(session, row.id, token_name, None, token_days)
            record_audit(
                session,
                actor,
                "administrator.create",
                "administrator",
                row.id,
                None,
                admin_dict(row),
                ctx.request_id if ctx else None,
                ctx.client_address if ctx else None,
                metadata={"bootstrap": ctx is None, "token_id": token.id},
            )
            return admin_dict(row), secret

    def _insert_admin(
        self,
        session: Session,
        email: str,
        role: Role,
        first_name: str,
        last_name: str,
        tenant_id: str | None,
    ) -> AdministratorRow:
        exists = session.scalar(select(AdministratorRow.id).where(AdministratorRow.email == email))
        if exists is not None:
            raise ConflictError(f"administrator {email!r} already exists")
        row = AdministratorRow(
            id=str(uuid.uuid4()),
            email=email,
            first_name=first_name,
            last_name=last_name,
            display_name=f"{first_name} {last_name}".strip() or None,
            role=role.value,
            tenant_id=tenant_id,
            status="active",
        )
        session.add(row)
        session.flush()
        return row

    def update_admin(
        self,
        ctx: WriteContext,
        admin_id: str,
        *,
        role: str | None = None,
        status: str | None = None,
    ) -> AdminView:
        authorize(ctx.principal, [Permission.ADMINS_MANAGE])
        if status is not None and status not in ("active", "inactive", "suspended"):
            raise ValidationError("status must be active, inactive or suspended")
        with store_errors(), session_scope(self.engine) as session:
            row = session.get(AdministratorRow, admin_id)
            if row is None:
                raise NotFoundError("administrator", admin_id)
            old = admin_dict(row)
            if role is not None:
                row.role = _role(role).value
            if status is not None:
                row.status = status
            row.row_version += 1
            session.flush()
            audit_write(
                session,
                ctx,
                "administrator.update",
                "administrator",
                admin_id,
                {k: old[k] for k in ("role", "status")},
                {"role": row.role, "status": row.status},
            )
            return admin_dict(row)

    # ------------------------------------------------------------------ tokens

    def _issue(
        self,
        session: Session,
        admin_id: str,
        name: str,
        scopes: list[str] | None,
        days: int | None,
    ) -> tuple[str, AdminTokenRow]:
        if days is not None and days < 0:
            raise ValidationError("a token's lifetime cannot be negative")
        issued = new_token()
        row = AdminTokenRow(
            id=str(uuid.uuid4()),
            admin_id=admin_id,
            name=name.strip() or "default",
            prefix=issued.prefix,
            token_hash=issued.token_hash,
            scopes=scopes,
            expires_at=utcnow() + timedelta(days=days) if days else None,
        )
        session.add(row)
        session.flush()
        return issued.secret, row

    def issue_token(
        self,
        ctx: WriteContext,
        admin_id: str,
        name: str,
        *,
        scopes: Iterable[str] | None = None,
        days: int | None = DEFAULT_TOKEN_DAYS,
    ) -> tuple[TokenView, str]:
        self._may_manage(ctx, admin_id)
        wanted = _scopes(scopes)
        with store_errors(), session_scope(self.engine) as session:
            if session.get(AdministratorRow, admin_id) is None:
                raise NotFoundError("administrator", admin_id)
            secret, row = self._issue(session, admin_id, name, wanted, days)
            audit_write(
                session,
                ctx,
                "token.create",
                "admin_token",
                row.id,
                None,
                token_dict(row),
            )
            return token_dict(row), secret

    def list_tokens(self, ctx: WriteContext, admin_id: str | None = None) -> list[TokenView]:
        if admin_id is None or admin_id != ctx.principal.subject_id:
            authorize(ctx.principal, [Permission.ADMINS_MANAGE])
        with store_errors(), Session(self.engine) as session:
            query = select(AdminTokenRow).order_by(AdminTokenRow.created_at)
            if admin_id is not None:
                query = query.where(AdminTokenRow.admin_id == admin_id)
            return [token_dict(r) for r in session.scalars(query)]

    def revoke_token(self, ctx: WriteContext, token_id: str) -> TokenView:
        with store_errors(), session_scope(self.engine) as session:
            row = session.get(AdminTokenRow, token_id)
            if row is None:
                raise NotFoundError("token", token_id)
            self._may_manage(ctx, row.admin_id)
            if row.revoked_at is None:
                row.revoked_at = utcnow()
                session.flush()
                audit_write(
                    session,
                    ctx,
                    "token.revoke",
                    "admin_token",
                    token_id,
                    {"revoked_at": None},
                    {"revoked_at": row.revoked_at},
                )
            return token_dict(row)

    def _may_manage(self, ctx: WriteContext, admin_id: str) -> None:
        if ctx.principal.subject_id != admin_id or not ctx.principal.is_admin:
            authorize(ctx.principal, [Permission.ADMINS_MANAGE])

    # ------------------------------------------------------------------ invitations

    def invite(
        self,
        ctx: WriteContext,
        email: str,
        role: str,
        *,
        message: str | None = None,
        hours: int = 72,
    ) -> tuple[InvitationView, str]:
        authorize(ctx.principal, [Permission.ADMINS_MANAGE])
        email, the_role = _email(email), _role(role)
        if not 1 <= hours <= 24 * 30:
            raise ValidationError("an invitation lasts between 1 and 720 hours")
        issued = new_token("inv")
        with store_errors(), session_scope(self.engine) as session:
            taken = session.scalar(
                select(AdministratorRow.id).where(AdministratorRow.email == email)
            )
            if taken is not None:
                raise ConflictError(f"administrator {email!r} already exists")
            row = InvitationRow(
                id=str(uuid.uuid4()),
                tenant_id=ctx.principal.tenant_id,
                email=email,
                role=the_role.value,
                message=message,
                token_hash=issued.token_hash,
                invited_by=ctx.principal.subject_id or "",
                invited_by_name=ctx.principal.name,
                status="pending",
                expires_at=utcnow() + timedelta(hours=hours),
            )
            session.add(row)
            session.flush()
            audit_write(
                session,
                ctx,
                "invitation.create",
                "invitation",
                row.id,
                None,
                invitation_dict(row),
            )
            return invitation_dict(row), issued.secret

    def list_invitations(self, ctx: WriteContext) -> list[InvitationView]:
        authorize(ctx.principal, [Permission.ADMINS_MANAGE])
        with store_errors(), session_scope(self.engine) as session:
            self._expire_invitations(session)
            rows = session.scalars(select(InvitationRow).order_by(InvitationRow.created_at))
            return [invitation_dict(r) for r in rows]

    def revoke_invitation(self, ctx: WriteContext, invitation_id: str) -> InvitationView:
        authorize(ctx.principal, [Permission.ADMINS_MANAGE])
        with store_errors(), session_scope(self.engine) as session:
            row = session.get(InvitationRow, invitation_id)
            if row is None:
                raise NotFoundError("invitation", invitation_id)
            if row.status != "pending":
                raise ConflictError(f"the invitation is {row.status}, not pending")
            row.status = "revoked"
            audit_write(
                session,
                ctx,
                "invitation.revoke",
                "invitation",
                row.id,
                {"status": "pending"},
                {"status": "revoked"},
            )
            return invitation_dict(row)

    def accept_invitation(
        self,
        secret: str,
        *,
        first_name: str = "",
        last_name: str = "",
        client_address: str | None = None,
        request_id: str | None = None,
    ) -> tuple[AdminView, str]:
        """Accept once: creates the administrator and returns their first token."""
        with store_errors(), session_scope(self.engine) as session:
            self._expire_invitations(session)
            row = session.scalars(
                select(InvitationRow).where(InvitationRow.token_hash == hash_token(secret))
            ).first()
            if row is None or row.status != "pending":
                state = "unknown" if row is None else row.status
                raise NotFoundError("invitation", "token", f"the invitation is {state}")
            # accept once, even when two requests race: only one moves it out of pending
            moved = session.execute(
                update(InvitationRow)
                .where(InvitationRow.id == row.id, InvitationRow.status == "pending")
                .values(status="accepted", accepted_at=utcnow(), accepted_by_ip=client_address)
                .execution_options(synchronize_session=False)
            )
            if moved.rowcount != 1:  # type: ignore[attr-defined]
                raise ConflictError("the invitation was accepted already")
            admin = self._insert_admin(
                session, row.email, Role(row.role), first_name, last_name, row.tenant_id
            )
            token_secret, token = self._issue(
                session, admin.id, "default", None, DEFAULT_TOKEN_DAYS
            )
            record_audit(
                session,
                _self(admin),
                "invitation.accept",
                "invitation",
                row.id,
                {"status": "pending"},
                {"status": "accepted", "admin_id": admin.id},
                request_id,
                client_address,
                metadata={"token_id": token.id},
            )
            return admin_dict(admin), token_secret

    def _expire_invitations(self, session: Session) -> None:
        session.execute(
            update(InvitationRow)
            .where(InvitationRow.status == "pending", InvitationRow.expires_at <= utcnow())
            .values(status="expired")
            .execution_options(synchronize_session=False)
        )


def _email(value: str) -> str:
    email = value.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email:
        raise ValidationError(f"{value!r} is not an email address")
    return email


def _self(row: AdministratorRow) -> Principal:
    role = Role(row.role)
    return Principal(
        PrincipalKind.ADMIN,
        subject_id=row.id,
        name=row.email,
        role=role,
        tenant_id=row.tenant_id,
        permissions=permissions_for(role),
    )
