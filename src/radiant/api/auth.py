"""Bearer authentication and permission checks for the API.

Authenticators are plain callables ``token -> Principal | None`` kept, in order, in
``app.state.authenticators``: the administrator-token authenticator and the tenant
API-key authenticator each register one. A request without ``Authorization`` is
anonymous; a bearer token nobody accepts is 401; a principal without the permission an
endpoint requires is 403 (401 when anonymous).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from radiant.errors import AuthenticationError, PermissionDeniedError
from radiant.security import ANONYMOUS, Permission, Principal

__all__ = ["Authenticator", "PrincipalDep", "get_principal", "require"]

Authenticator = Callable[[str], Principal | None]


def get_principal(request: Request) -> Principal:
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    header = request.headers.get("authorization")
    principal = ANONYMOUS if header is None else _authenticate(request, header)
    request.state.principal = principal
    return principal


def _authenticate(request: Request, header: str) -> Principal:
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationError("use 'Authorization: Bearer <token>'")
    authenticators: list[Authenticator] = getattr(request.app.state, "authenticators", [])
    for authenticate in authenticators:
        principal = authenticate(token)
        if principal is not None:
            return principal
    raise AuthenticationError("the token is unknown, expired or revoked")


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require(permission: Permission) -> Any:
    """A dependency that lets the request through only with ``permission``."""

    def check(principal: PrincipalDep) -> Principal:
        if principal.can(permission):
            return principal
        if principal is ANONYMOUS or principal.subject_id is None:
            raise AuthenticationError(f"this action needs a token with {permission.value!r}")
        raise PermissionDeniedError(f"{principal.name} lacks the permission {permission.value!r}")

    return Depends(check)
