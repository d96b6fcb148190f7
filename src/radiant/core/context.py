"""Who is writing, from where, under which request id; and the permission check."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field

from radiant.errors import AuthenticationError, PermissionDeniedError
from radiant.security import Permission, Principal

__all__ = ["RequestInfo", "WriteContext", "authorize", "current_request"]


@dataclass(frozen=True, slots=True)
class WriteContext:
    principal: Principal
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    client_address: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """Where the request being served came from; set by the API's request-id middleware."""

    request_id: str
    client_address: str | None = None
    user_agent: str | None = None


#: The HTTP request this code runs for, if any (None from the CLI or a background job).
current_request: ContextVar[RequestInfo | None] = ContextVar("radiant_request", default=None)


def authorize(principal: Principal, permissions: Iterable[Permission]) -> None:
    """Raise 401 for an anonymous caller and 403 for one lacking any of ``permissions``."""
    missing = [p for p in permissions if not principal.can(p)]
    if not missing:
        return
    needed = ", ".join(sorted(repr(p.value) for p in missing))
    if principal.subject_id is None:
        raise AuthenticationError(f"this action needs a token with {needed}")
    raise PermissionDeniedError(f"{principal.name} lacks the permission {needed}")
