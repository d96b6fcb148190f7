"""Errors of the ``/v1`` gateway, with the bodies OpenAI clients read.

::

    RadiantError
    └── GatewayError             an error a /v1 request ends with; status, OpenAI type and code
        ├── BadRequestError      a body the gateway cannot use (400)
        ├── MethodNotAllowedError  not a POST (405)
        ├── PayloadTooLargeError   a body over the gateway's limit (413)
        ├── RateLimitedError     a key or tenant over its limits (429, retry-after)
        ├── ClientGoneError      the client left in the middle of a stream (recorded as 499)
        ├── NoRouteError         the model has no route that can be called now (503)
        └── UpstreamError        every route of the chain failed (502; 504 for a timeout)

Every error body is RFC 9457 problem+json that also carries OpenAI's
``{"error": {"message", "type", "code", "param"}}`` member: OpenAI clients read
``error``, problem readers the rest. :func:`error_parts` maps any exception (a
ModelNotFoundError, a ProviderError, ...) onto a status, a stable ``code`` (the list is
:data:`CODES`) and a message that says what happened to the tenant without our
internals: no route, platform or upstream text (those go to the log).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from radiant.errors import (
    AuthenticationError,
    ModelNotFoundError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    RadiantError,
    StoreError,
    ValidationError,
)
from radiant.tenants import MissingScopeError

__all__ = [
    "CODES",
    "BadRequestError",
    "ClientGoneError",
    "GatewayError",
    "MethodNotAllowedError",
    "PayloadTooLargeError",
    "NoRouteError",
    "RateLimitedError",
    "UpstreamError",
    "error_body",
    "error_parts",
    "redact",
    "upstream_parts",
]

MEDIA_TYPE = "application/problem+json"
#: the ``Retry-After`` (seconds) of a 429 or 503 that knows no better time (a store that
#: is down, a model none of whose routes is usable in the registry)
DEFAULT_RETRY_AFTER = 10

#: OpenAI's error ``type`` per status
OPENAI_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    409: "invalid_request_error",
    413: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
    502: "api_error",
    503: "api_error",
    504: "timeout_error",
}
_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
    502: "Bad gateway",
    503: "Unavailable",
    504: "Gateway timeout",
}


class GatewayError(RadiantError):
    status = 500
    code = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        param: str | None = None,
        retry_after: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.param = param
        self.retry_after = retry_after
        #: more headers for the answer (a refusal's ``x-ratelimit-*``)
        self.headers: Mapping[str, str] = headers or {}


class BadRequestError(GatewayError):
    status = 400
    code = "invalid_request"


class MethodNotAllowedError(GatewayError):
    status = 405
    code = "method_not_allowed"


class PayloadTooLargeError(GatewayError):
    status = 413
    code = "payload_too_large"


class RateLimitedError(GatewayError):
    status = 429
    code = "rate_limit_exceeded"


class ClientGoneError(GatewayError):
    """The client closed the connection before the answer was complete."""

    status = 499
    code = "client_closed_request"


class NoRouteError(GatewayError):
    status = 503
    code = "no_route"


class UpstreamError(GatewayError):
    status = 502
    code = "upstream_error"


#: Every ``error.code`` a ``/v1`` answer can carry, with what it means (the README lists
#: them too; a test keeps the two in step).
CODES: dict[str, str] = {
    "job_not_completed": "the video is not completed yet: its content comes once it is (409)",
    "job_route_gone": "the route that runs the job left the registry: its status cannot be "
    "read (410)",
    "job_status_unavailable": "the upstream did not say how the job is going (502)",
    "job_content_unavailable": "the upstream did not give the finished video (502)",
    "invalid_request": "the body is not what the endpoint takes (400; param names where)",
    "model_not_supported": "the model does not serve this endpoint (400)",
    "context_length_exceeded": "the prompt is too long for the model, and for any larger one (400)",
    "upstream_invalid_request": "the upstream provider refused the request as invalid (its "
    "4xx status)",
    "invalid_api_key": "no API key, or one that is unknown, revoked or expired (401)",
    "missing_scope": "the API key lacks the scope the endpoint needs (403)",
    "forbidden": "the API key may not do this (403)",
    "model_not_found": "no model of that name that this key may use (404)",
    "not_found": "no such thing (404)",
    "method_not_allowed": "the endpoint takes POST (405)",
    "payload_too_large": "the body is over the gateway's limit (413)",
    "rate_limit_exceeded": "the key or its tenant is over its rate limits (429, retry-after)",
    "upstream_rate_limited": "every route of the model is rate limited upstream (429)",
    "internal_error": "something went wrong on our side (500)",
    "upstream_error": "the upstream provider failed and no other route could serve the model (502)",
    "no_route": "no route of the model can be called now (503)",
    "service_unavailable": "the service cannot reach its database (503)",
    "upstream_timeout": "the upstream provider did not answer in time (504)",
}


def error_code(exc: RadiantError) -> str:
    """The ``error.code`` an OpenAI client reads for one of our errors."""
    if isinstance(exc, GatewayError):
        return exc.code
    if isinstance(exc, ProviderError):
        return upstream_parts(exc)[1]
    if isinstance(exc, ModelNotFoundError):
        return "model_not_found"
    if isinstance(exc, NotFoundError):
        return "not_found"
    if isinstance(exc, AuthenticationError):
        return "invalid_api_key"
    if isinstance(exc, MissingScopeError):
        return "missing_scope"
    if isinstance(exc, PermissionDeniedError):
        return "forbidden"
    if isinstance(exc, ValidationError):
        return "invalid_request"
    if (
        isinstance(exc.status, int) and 400 <= exc.status < 500
    ):  # a conflict, a precondition...: its title as a word
        return exc.title.lower().replace(" ", "_").replace("-", "_")
    return "internal_error"


#: what our own errors that are not the client's say to the client
_OPAQUE = "an unexpected error occurred; the request id identifies it in our logs"
_STORE = "the service cannot reach its database just now; try again shortly"


def error_parts(exc: BaseException) -> tuple[int, str, str, dict[str, str]]:
    """(status, code, message, extra headers) of any exception a request ended with;
    every 429 and 503 says when to come back (``retry-after``), and so does any error that
    knows when (a 409 for an Idempotency-Key in use)."""
    if not isinstance(exc, RadiantError):
        return 500, "internal_error", _OPAQUE, {}
    headers: dict[str, str] = {}
    known = (GatewayError, NotFoundError, AuthenticationError, PermissionDeniedError)
    if isinstance(exc, ProviderError):
        status, code, message = upstream_parts(exc)
    elif isinstance(exc, StoreError):
        status, code, message = 503, "service_unavailable", _STORE
    elif isinstance(exc, (*known, ValidationError)):
        status = 400 if isinstance(exc, ValidationError) else exc.status
        code, message = error_code(exc), exc.message
    else:
        return 500, "internal_error", _OPAQUE, headers
    if isinstance(exc, GatewayError):
        headers.update(exc.headers)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        headers["retry-after"] = str(max(1, math.ceil(retry_after)))
    elif status in (429, 503):
        headers["retry-after"] = str(DEFAULT_RETRY_AFTER)
    if isinstance(exc, AuthenticationError):
        headers["www-authenticate"] = "Bearer"
    return status, code, message, headers


#: upstream statuses that are not the request's fault: our credentials (401, 403, 407),
#: load (408, 409, 429)
_OURS = frozenset({401, 403, 407, 408, 409, 429})


def upstream_parts(exc: ProviderError) -> tuple[int, str, str]:
    """(status, code, message) for an upstream failure that ended a request: the
    upstream's own 4xx when the request was at fault, else 502 (504: a timeout). The
    message is ours; the upstream's words stay in the log."""
    status = exc.status
    if exc.context_too_long:
        message = "the prompt is too long for the model's context window (and no model "
        return 400, "context_length_exceeded", message + "with a larger one could take it)"
    if exc.kind == "http" and status is not None and 400 <= status < 500 and status not in _OURS:
        return status, "upstream_invalid_request", "the upstream provider refused the request"
    if exc.kind == "timeout":
        return 504, "upstream_timeout", "the upstream provider did not answer in time"
    return 502, "upstream_error", "the upstream provider failed"


#: what looks like a credential in an upstream's words: a bearer token, provider keys
#: (``sk-...``, ``sk-ant-...``, Google's ``AIza...``), our own ``rtk_...`` keys
_SECRET = re.compile(r"(?i:bearer\s+)\S+|\b(?:sk-|rtk_|AIza)[A-Za-z0-9_\-*]{8,}", re.ASCII)


def redact(text: str) -> str:
    """``text`` (an upstream's error, for the log) without anything that looks like a key."""
    return _SECRET.sub("[redacted]", text)


def error_body(
    status: int, code: str, message: str, path: str, param: str | None = None, **extra: Any
) -> bytes:
    body: dict[str, Any] = {
        "type": f"urn:radiant:problem:{code.replace('_', '-')}",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": message,
        "instance": path,
        **extra,
        "error": {
            "message": message,
            "type": OPENAI_ERROR_TYPES.get(status, "api_error"),
            "code": code,
            "param": param,
        },
    }
    return json.dumps(body, separators=(",", ":"), default=str).encode()
