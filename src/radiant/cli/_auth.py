"""How CLI writes authenticate: ``--token`` or ``RADIANT_TOKEN``, checked against the token
store exactly like an API request, then the same services and permission checks.

The token is the command's own ``--token`` when it has one and it is given, else the
root's ``radiant --token`` (which reads ``RADIANT_TOKEN`` when not given): one rule for
every command, applied in :func:`context`.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import typer

from radiant.cli._base import disposed_with_command, load_settings, state
from radiant.core.context import WriteContext
from radiant.errors import AuthenticationError
from radiant.security import ANONYMOUS, Principal

TokenOpt = Annotated[
    str | None,
    typer.Option(
        "--token",
        help="An administrator's API token (default: radiant --token, else RADIANT_TOKEN).",
    ),
]


def engine() -> Any:
    from radiant.store.engine import make_engine

    return disposed_with_command(make_engine(load_settings().database_url))


def context(token: str | None, eng: Any = None) -> WriteContext:
    """The write context of the CLI user: ``token`` (a command's own ``--token``), else the
    root's; anonymous without either (writes then fail 401)."""
    from radiant.manage.administrators import AdminService

    token = token or state.token
    request_id = f"cli-{uuid.uuid4()}"
    if not token:
        return WriteContext(ANONYMOUS, request_id=request_id, client_address="cli")
    principal = AdminService(eng if eng is not None else engine()).authenticate(token.strip())
    if principal is None:
        raise AuthenticationError("the token is unknown, expired or revoked")
    return WriteContext(principal, request_id=request_id, client_address="cli")


def acting(eng: Any = None) -> Principal:
    """The administrator behind ``radiant --token`` / ``RADIANT_TOKEN``; 401 without one."""
    if not state.token:  # commands without a --token of their own
        raise AuthenticationError(
            "this command needs an administrator's token: pass --token or set RADIANT_TOKEN "
            "('radiant admin create EMAIL' prints the first one)"
        )
    return context(state.token, eng).principal


def cost_reader(eng: Any = None) -> Principal:
    """``--admin`` views: the token must belong to an administrator who may read costs."""
    from radiant.errors import PermissionDeniedError

    principal = acting(eng)
    if not principal.sees_cost:
        raise PermissionDeniedError(f"{principal.name} may not read costs")
    return principal
