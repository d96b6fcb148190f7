"""Wire the administration area into an app: services, the token authenticator, routers,
request ids, and (when configured) closed reads."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI, Request

from radiant.api.auth import PrincipalDep
from radiant.api.request_context import RequestIdMiddleware
from radiant.api.routers import administrators, approvals, audit, records, registry_write
from radiant.domain.tenant import KeyScope
from radiant.errors import AuthenticationError
from radiant.manage.administrators import AdminService
from radiant.manage.approvals import ApprovalService
from radiant.manage.registry_writes import RegistryWriter
from radiant.registry.service import Registry
from radiant.security import Permission, PrincipalKind
from radiant.tenants import MissingScopeError

__all__ = ["install_administration", "read_gate"]


def install_administration(
    app: FastAPI, registry: Registry, *, require_auth_for_reads: bool = False
) -> None:
    writer = RegistryWriter(registry.engine, registry)
    app.state.writer = writer
    app.state.admins = AdminService(registry.engine)
    app.state.approvals = ApprovalService(registry.engine, writer)
    app.state.require_auth_for_reads = require_auth_for_reads
    app.state.authenticators.append(app.state.admins.authenticate)
    app.add_middleware(RequestIdMiddleware)
    for module in (registry_write, records, audit, approvals, administrators):
        app.include_router(module.router)


def _read_gate(request: Request, principal: PrincipalDep) -> Any:
    if getattr(request.app.state, "require_auth_for_reads", False) and principal.subject_id is None:
        raise AuthenticationError("this server requires a token for reads")
    if principal.kind is PrincipalKind.TENANT and not principal.can(Permission.REGISTRY_READ):
        # a tenant key reads the registry (its tenant's view) with the ``models`` scope only
        raise MissingScopeError(KeyScope.MODELS, f"{request.method} {request.url.path}")
    return principal


#: Dependency of the public read routers: open unless ``RADIANT_REQUIRE_AUTH_FOR_READS``;
#: a tenant's API key needs its ``models`` scope.
read_gate = Depends(_read_gate)
