"""The one exception tree of Radiant.

::

    RadiantError
    ├── NotFoundError            a platform, provider, model or route that does not exist
    │   └── ModelNotFoundError   an unknown model name; carries "did you mean ..." suggestions
    ├── ValidationError          input that breaks a rule of the domain (bad filter, bad field)
    ├── ConflictError            a write that collides with stored state
    │   └── PreconditionFailedError  a stale If-Match: the resource changed since it was read
    ├── AuthenticationError      no credentials, or credentials Radiant does not accept (401)
    ├── PermissionDeniedError    valid credentials without the permission the action needs (403)
    ├── CatalogError             a catalog file that cannot be loaded (file, entry, field)
    └── StoreError               the database cannot be reached or is not migrated

The API maps every class to an RFC 9457 problem (``status`` below); the CLI prints
``str(error)`` on one line and exits with ``exit_code``.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "CatalogError",
    "ConflictError",
    "AuthenticationError",
    "ModelNotFoundError",
    "NotFoundError",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "RadiantError",
    "StoreError",
    "ValidationError",
]


class RadiantError(Exception):
    """Base of every error Radiant raises on purpose."""

    status: int = 500
    title: str = "Internal error"
    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(RadiantError):
    status = 404
    title = "Not found"
    exit_code = 3

    def __init__(self, kind: str, key: str, message: str | None = None) -> None:
        super().__init__(message or f"{kind} {key!r} not found")
        self.kind = kind
        self.key = key


class ModelNotFoundError(NotFoundError):
    def __init__(self, name: str, suggestions: Sequence[str] = ()) -> None:
        self.suggestions = list(suggestions)
        hint = (
            f"; did you mean {', '.join(repr(s) for s in self.suggestions)}?" if suggestions else ""
        )
        super().__init__("model", name, f"model {name!r} not found{hint}")


class ValidationError(RadiantError):
    status = 422
    title = "Invalid input"
    exit_code = 2


class ConflictError(RadiantError):
    status = 409
    title = "Conflict"
    exit_code = 4


class PreconditionFailedError(ConflictError):
    status = 412
    title = "Precondition failed"

    def __init__(self, message: str, current_version: str | None = None) -> None:
        super().__init__(message)
        self.current_version = current_version


class AuthenticationError(RadiantError):
    status = 401
    title = "Unauthorized"
    exit_code = 6


class PermissionDeniedError(RadiantError):
    status = 403
    title = "Forbidden"
    exit_code = 6


class CatalogError(RadiantError):
    status = 422
    title = "Invalid catalog"
    exit_code = 2

    def __init__(self, file: str, entry: str | None, field: str | None, problem: str) -> None:
        where = file
        if entry:
            where += f": entry {entry!r}"
        if field:
            where += f": field {field!r}"
        super().__init__(f"{where}: {problem}")
        self.file = file
        self.entry = entry
        self.field = field
        self.problem = problem


class StoreError(RadiantError):
    status = 503
    title = "Store unavailable"
    exit_code = 5
