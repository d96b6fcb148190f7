"""Who may do what: roles, permissions and the principal behind a request."""

from radiant.security.permissions import ROLE_PERMISSIONS, Permission, Role, permissions_for
from radiant.security.principal import ANONYMOUS, Principal, PrincipalKind

__all__ = [
    "ANONYMOUS",
    "ROLE_PERMISSIONS",
    "Permission",
    "Principal",
    "PrincipalKind",
    "Role",
    "permissions_for",
]
