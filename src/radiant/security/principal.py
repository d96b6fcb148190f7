"""The principal behind a request: anonymous, an administrator, or a tenant's API key."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from radiant.security.permissions import Permission, Role

__all__ = ["ANONYMOUS", "Principal", "PrincipalKind"]


class PrincipalKind(StrEnum):
    ANONYMOUS = "anonymous"
    ADMIN = "admin"
    TENANT = "tenant"


@dataclass(frozen=True, slots=True)
class Principal:
    kind: PrincipalKind
    #: administrator id, or the tenant API key's id; None when anonymous
    subject_id: str | None = None
    #: a readable name for audit rows and logs (email, key name)
    name: str = "anonymous"
    role: Role | None = None
    #: the tenant an API key belongs to (tenant principals; tenant-bound administrators)
    tenant_id: str | None = None
    #: the id of the token or key that authenticated the request
    token_id: str | None = None
    permissions: frozenset[Permission] = field(default_factory=frozenset)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def is_admin(self) -> bool:
        return self.kind is PrincipalKind.ADMIN

    @property
    def sees_cost(self) -> bool:
        """Only administrators holding ``cost:read`` see costs, markups and margins."""
        return Permission.COST_READ in self.permissions


ANONYMOUS = Principal(PrincipalKind.ANONYMOUS, permissions=frozenset({Permission.REGISTRY_READ}))
