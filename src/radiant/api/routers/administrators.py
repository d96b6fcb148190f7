"""Administrators, their tokens and invitations under ``/api/v2/admin``.

Tokens and invitation tokens appear once, in the response that creates them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from radiant.api.admin_deps import AdminsDep
from radiant.api.request_context import ContextDep, authenticated
from radiant.api.write_schemas import (
    AdministratorCreate,
    AdministratorUpdate,
    InvitationAccept,
    InvitationCreate,
    TokenCreate,
)
from radiant.core.audit import jsonable
from radiant.core.context import authorize
from radiant.security import Permission

router = APIRouter(prefix="/api/v2/admin", tags=["administrators"])
_auth = [authenticated]


@router.get("/me", dependencies=_auth)
def me(ctx: ContextDep) -> dict[str, Any]:
    p = ctx.principal
    return {
        "id": p.subject_id,
        "name": p.name,
        "role": p.role.value if p.role else None,
        "tenant_id": p.tenant_id,
        "token_id": p.token_id,
        "permissions": sorted(x.value for x in p.permissions),
    }


@router.get("/administrators", dependencies=_auth)
def list_administrators(admins: AdminsDep, ctx: ContextDep) -> Any:
    authorize(ctx.principal, [Permission.ADMIN_READ])
    rows = admins.list_admins()
    return jsonable({"data": rows, "count": len(rows)})


@router.post("/administrators", status_code=201, dependencies=_auth)
def create_administrator(body: AdministratorCreate, admins: AdminsDep, ctx: ContextDep) -> Any:
    admin, token = admins.create_admin(
        ctx,
        body.email,
        body.role,
        first_name=body.first_name,
        last_name=body.last_name,
        tenant_id=body.tenant_id,
        token_days=body.token_days or None,
    )
    return JSONResponse(jsonable({**admin, "token": token}), status_code=201)


@router.patch("/administrators/{admin_id}", dependencies=_auth)
def update_administrator(
    admin_id: str, body: AdministratorUpdate, admins: AdminsDep, ctx: ContextDep
) -> Any:
    return jsonable(admins.update_admin(ctx, admin_id, role=body.role, status=body.status))


@router.get("/administrators/{admin_id}/tokens", dependencies=_auth)
def list_tokens(admin_id: str, admins: AdminsDep, ctx: ContextDep) -> Any:
    rows = admins.list_tokens(ctx, admin_id)
    return jsonable({"data": rows, "count": len(rows)})


@router.post("/administrators/{admin_id}/tokens", status_code=201, dependencies=_auth)
def create_token(admin_id: str, body: TokenCreate, admins: AdminsDep, ctx: ContextDep) -> Any:
    token, secret = admins.issue_token(
        ctx, admin_id, body.name, scopes=body.scopes, days=body.days or None
    )
    return JSONResponse(jsonable({**token, "token": secret}), status_code=201)


@router.delete("/tokens/{token_id}", dependencies=_auth)
def revoke_token(token_id: str, admins: AdminsDep, ctx: ContextDep) -> Any:
    return jsonable(admins.revoke_token(ctx, token_id))


@router.get("/invitations", dependencies=_auth)
def list_invitations(admins: AdminsDep, ctx: ContextDep) -> Any:
    rows = admins.list_invitations(ctx)
    return jsonable({"data": rows, "count": len(rows)})


@router.post("/invitations", status_code=201, dependencies=_auth)
def invite(body: InvitationCreate, admins: AdminsDep, ctx: ContextDep) -> Any:
    invitation, secret = admins.invite(
        ctx, body.email, body.role, message=body.message, hours=body.hours
    )
    return JSONResponse(jsonable({**invitation, "token": secret}), status_code=201)


@router.delete("/invitations/{invitation_id}", dependencies=_auth)
def revoke_invitation(invitation_id: str, admins: AdminsDep, ctx: ContextDep) -> Any:
    return jsonable(admins.revoke_invitation(ctx, invitation_id))


@router.post("/invitations/accept", status_code=201)
def accept_invitation(body: InvitationAccept, admins: AdminsDep, request: Request) -> Any:
    """The invitation token is the credential: no Authorization header needed."""
    admin, token = admins.accept_invitation(
        body.token,
        first_name=body.first_name,
        last_name=body.last_name,
        client_address=request.client.host if request.client else None,
        request_id=getattr(request.state, "request_id", None),
    )
    return JSONResponse(jsonable({**admin, "token": token}), status_code=201)
