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
    ├── StoreError               the database cannot be reached or is not migrated
    ├── UnsupportedError         a provider asked for something its capabilities do not offer
    └── ProviderError            an upstream model API failed (HTTP status, body, retry-after,
                                 provider, kind); also raised in the middle of a stream

The API maps every class to an RFC 9457 problem (``status`` below; a ``ProviderError``
keeps the upstream's HTTP status in ``status`` and maps to ``problem_status``, 502 or
504); the CLI prints ``str(error)`` on one line and exits with ``exit_code``.
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
    "ProviderError",
    "RadiantError",
    "StoreError",
    "UnsupportedError",
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


class UnsupportedError(RadiantError):
    """An optional call a provider's declared capabilities do not include."""

    status = 400
    title = "Not supported"
    exit_code = 2

    def __init__(self, provider: str, capability: str, message: str | None = None) -> None:
        super().__init__(message or f"provider {provider!r} does not support {capability}")
        self.provider = provider
        self.capability = capability


#: what upstream error bodies say when the prompt does not fit the model's context window
_CONTEXT_MARKERS = (
    "context_length_exceeded",
    "context length",
    "context window",
    "prompt is too long",
    "input is too long",
    "too many tokens",
    "maximum number of tokens",
    "reduce the length",
)


class ProviderError(RadiantError):
    """An upstream model API call that failed.

    ``kind`` says how: ``http`` (an error status; ``status``, ``body``, ``retry_after``
    set), ``connect`` (no connection, or it was reset), ``timeout``, ``protocol`` (a body
    that is not the JSON promised, a stream cut before its end) or ``config`` (the route
    cannot be called as configured: no credential, a wire with no adapter plugged in).
    """

    title = "Upstream provider error"
    exit_code = 7
    #: unlike the other errors, ``status`` is the upstream's HTTP status (None: no answer)
    status: int | None  # type: ignore[assignment]

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        kind: str = "http",
        status: int | None = None,
        body: str | None = None,
        retry_after: float | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.kind = kind
        self.status = status
        self.body = body
        self.retry_after = retry_after
        #: the vendor's error code or type when it sent one (``rate_limit_exceeded``, ...)
        self.code = code

    @property
    def problem_status(self) -> int:
        """The status Radiant answers with: 504 when the upstream timed out, else 502."""
        return 504 if self.kind == "timeout" else 502

    @property
    def retryable(self) -> bool:
        """Worth trying again or on another route: no answer, 408, 409, 429 or 5xx."""
        if self.kind in ("connect", "timeout", "protocol"):
            return True
        return self.status is not None and (self.status in (408, 409, 429) or self.status >= 500)

    @property
    def context_too_long(self) -> bool:
        """The request did not fit the model's context window (a larger model may take it)."""
        if self.status not in (400, 413, 422):
            return False
        text = f"{self.code or ''} {self.body or ''}".lower()
        return any(marker in text for marker in _CONTEXT_MARKERS)
