"""Administrator tokens and invitations through the real token store, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from manage_helpers import ctx
from radiant.core.context import WriteContext
from radiant.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from radiant.manage.administrators import AdminService
from radiant.security import Permission, Role
from radiant.security.tokens import hash_token, new_token
from radiant.store.admin_tables import AdminTokenRow, InvitationRow
from radiant.store.tables import utcnow


def test_tokens_are_random_and_only_their_hash_is_kept(migrated: Engine) -> None:
    a, b = new_token(), new_token()
    assert a.secret != b.secret and len(a.secret) > 40 and a.secret.startswith(a.prefix)
    admins = AdminService(migrated)
    admin, secret = admins.create_admin(None, "Root@Example.test", "super_admin")
    assert admin["email"] == "root@example.test" and admin["role"] == "super_admin"
    with Session(migrated) as session:
        row = session.scalars(select(AdminTokenRow)).one()
        assert row.token_hash == hash_token(secret) and secret not in repr(row.__dict__)
        assert row.prefix == secret[: len(row.prefix)]
    principal = admins.authenticate(secret)
    assert principal is not None and principal.role is Role.SUPER_ADMIN
    assert principal.can(Permission.ADMINS_MANAGE)
    assert admins.authenticate(secret + "x") is None
    assert admins.authenticate("not-ours") is None


def test_bootstrap_only_once_and_only_a_super_admin(migrated: Engine) -> None:
    admins = AdminService(migrated)
    with pytest.raises(ValidationError, match="super_admin"):
        admins.create_admin(None, "a@example.test", "admin")
    admins.create_admin(None, "root@example.test", "super_admin")
    with pytest.raises(PermissionDeniedError, match="exist already"):
        admins.create_admin(None, "again@example.test", "super_admin")
    with pytest.raises(PermissionDeniedError):
        admins.create_admin(ctx(Role.ADMIN), "x@example.test", "operator")
    with pytest.raises(ConflictError):
        admins.create_admin(ctx(Role.SUPER_ADMIN), "root@example.test", "operator")


def test_scopes_expiry_and_revocation(migrated: Engine) -> None:
    admins = AdminService(migrated)
    root, root_token = admins.create_admin(None, "root@example.test", "super_admin")
    me = admins.authenticate(root_token)
    assert me is not None
    boss = WriteContext(me)
    op, _ = admins.create_admin(boss, "op@example.test", "operator")
    info, narrow = admins.issue_token(boss, op["id"], "ci", scopes=["registry:read"], days=1)
    assert info["scopes"] == ["registry:read"]
    narrowed = admins.authenticate(narrow)
    assert narrowed is not None and narrowed.permissions == {Permission.REGISTRY_READ}
    with pytest.raises(ValidationError, match="unknown scope"):
        admins.issue_token(boss, op["id"], "bad", scopes=["everything"])
    # scopes never widen a role
    _, wide = admins.issue_token(boss, op["id"], "wide", scopes=["registry:write"])
    wide_p = admins.authenticate(wide)
    assert wide_p is not None and not wide_p.can(Permission.REGISTRY_WRITE)
    # expiry
    with Session(migrated) as session, session.begin():
        session.execute(
            update(AdminTokenRow)
            .where(AdminTokenRow.id == info["id"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert admins.authenticate(narrow) is None
    # an operator may revoke their own token, not someone else's
    _, own = admins.issue_token(boss, op["id"], "own")
    operator = admins.authenticate(own)
    assert operator is not None
    tokens = admins.list_tokens(WriteContext(operator), op["id"])
    own_id = next(t["id"] for t in tokens if t["name"] == "own")
    root_tokens = admins.list_tokens(boss, root["id"])
    with pytest.raises(PermissionDeniedError):
        admins.revoke_token(WriteContext(operator), root_tokens[0]["id"])
    revoked = admins.revoke_token(WriteContext(operator), own_id)
    assert revoked["revoked_at"] is not None
    assert admins.authenticate(own) is None
    # a suspended administrator's tokens stop working
    admins.update_admin(boss, op["id"], status="suspended")
    assert admins.authenticate(wide) is None


def test_invitations_accept_once(migrated: Engine) -> None:
    admins = AdminService(migrated)
    _, root_token = admins.create_admin(None, "root@example.test", "super_admin")
    me = admins.authenticate(root_token)
    assert me is not None
    invitation, secret = admins.invite(WriteContext(me), "new@example.test", "auditor")
    with Session(migrated) as session:
        stored = session.get(InvitationRow, invitation["id"])
        assert stored is not None and stored.token_hash == hash_token(secret)
    admin, token = admins.accept_invitation(secret, first_name="New", client_address="127.0.0.1")
    assert admin["role"] == "auditor" and admin["email"] == "new@example.test"
    principal = admins.authenticate(token)
    assert principal is not None and principal.role is Role.AUDITOR
    with pytest.raises(NotFoundError, match="accepted"):
        admins.accept_invitation(secret)
    # expired invitations cannot be accepted
    late, late_secret = admins.invite(WriteContext(me), "late@example.test", "operator")
    with Session(migrated) as session, session.begin():
        session.execute(
            update(InvitationRow)
            .where(InvitationRow.id == late["id"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    with pytest.raises(NotFoundError, match="expired"):
        admins.accept_invitation(late_secret)
