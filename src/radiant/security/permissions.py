"""Roles of administrators and the permission matrix.

Each role holds every permission of the role below it::

    auditor      reads everything an administrator can see, except costs and margins
    operator     + changes a model's or route's status, and route priorities
    admin        + creates, updates and deletes models, providers, platforms and routes,
                   prices and markups; runs syncs; manages tenants, routing rules and
                   estimated-cost alerts;
                   approves other administrators' requests; sees costs and margins
    super_admin  + manages administrators, their tokens and invitations, and approval policy

A token carries scopes; what a token may do is its role's permissions narrowed to its
scopes (no scopes: the whole role).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

__all__ = ["ROLE_PERMISSIONS", "Permission", "Role", "permissions_for"]


class Role(StrEnum):
    SUPER_ADMIN = "super_admin"
    ADMIN = "admin"
    OPERATOR = "operator"
    AUDITOR = "auditor"


class Permission(StrEnum):
    REGISTRY_READ = "registry:read"
    """Public registry data: models, providers, platforms, routes, client prices."""
    ADMIN_READ = "admin:read"
    """Administrative reads: sync history, stats, audit log, approvals, tenants, alerts."""
    COST_READ = "cost:read"
    """Costs, markups and margins (the admin pricing view)."""
    STATUS_WRITE = "status:write"
    """Enable, disable or deprecate a model or route."""
    PRIORITY_WRITE = "priority:write"
    """Reorder a model's routes."""
    REGISTRY_WRITE = "registry:write"
    """Create, update and delete models, providers, platforms and routes."""
    PRICING_WRITE = "pricing:write"
    """Price sheets, markups and overrides, tenant prices."""
    SYNC_RUN = "sync:run"
    """Start a catalog or pricing sync."""
    TENANTS_WRITE = "tenants:write"
    """Create and change tenants, their model access and API keys."""
    ROUTING_WRITE = "routing:write"
    """Create, change and delete routing rules (global and per tenant)."""
    ALERTS_WRITE = "alerts:write"
    """Acknowledge, adjust and resolve estimated-cost alerts."""
    APPROVALS_DECIDE = "approvals:decide"
    """Approve or reject another administrator's request."""
    ADMINS_MANAGE = "admins:manage"
    """Create administrators, issue and revoke their tokens, send invitations."""
    POLICY_MANAGE = "policy:manage"
    """Decide which change types need two-person approval."""


_AUDITOR = frozenset({Permission.REGISTRY_READ, Permission.ADMIN_READ})
_OPERATOR = _AUDITOR | {Permission.STATUS_WRITE, Permission.PRIORITY_WRITE}
_ADMIN = _OPERATOR | {
    Permission.COST_READ,
    Permission.REGISTRY_WRITE,
    Permission.PRICING_WRITE,
    Permission.SYNC_RUN,
    Permission.TENANTS_WRITE,
    Permission.ROUTING_WRITE,
    Permission.ALERTS_WRITE,
    Permission.APPROVALS_DECIDE,
}
_SUPER_ADMIN = _ADMIN | {Permission.ADMINS_MANAGE, Permission.POLICY_MANAGE}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.AUDITOR: _AUDITOR,
    Role.OPERATOR: _OPERATOR,
    Role.ADMIN: _ADMIN,
    Role.SUPER_ADMIN: _SUPER_ADMIN,
}


def permissions_for(role: Role, scopes: Iterable[str] | None = None) -> frozenset[Permission]:
    """The permissions of ``role``, narrowed to ``scopes`` when a token names any."""
    granted = ROLE_PERMISSIONS[role]
    if scopes is None:
        return granted
    wanted = set(scopes)
    return frozenset(p for p in granted if p.value in wanted)
