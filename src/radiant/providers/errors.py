"""Vendor errors mapped onto :class:`~radiant.errors.ProviderError`, in one place.

HTTP errors keep status, body (truncated) and ``Retry-After`` (seconds, an HTTP date or
``retry-after-ms``); the message names the vendor's own words when the body carries them
(OpenAI and Gemini ``{"error": {...}}``, Anthropic ``{"type": "error", "error": {...}}``,
ElevenLabs ``{"detail": {...}}``, Deepgram ``{"err_code", "err_msg"}``).
Transport failures (:class:`~radiant.http.client.TransportError`) keep their kind:
``timeout``, ``connect`` (no connection, or it was reset), ``protocol`` (an answer cut
before its end or malformed; a body that is not JSON, too) and ``config`` (a URL or proxy
that cannot be used). Errors a stream reports in its own events go through
:func:`stream_error`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from radiant.errors import ProviderError
from radiant.http.client import TransportError
from radiant.http.retry_after import retry_after

__all__ = ["from_response", "from_transport", "protocol_error", "retry_after", "stream_error"]

#: how much of an error body an error keeps
BODY_LIMIT = 2000

#: Anthropic error types (also sent mid-stream) and the HTTP status each stands for
ANTHROPIC_ERROR_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "overloaded_error": 529,
}


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _vendor_detail(payload: Any) -> tuple[str | None, str | None]:
    """(message, code) from an OpenAI, Anthropic or Gemini error body."""
    if not isinstance(payload, dict):
        return None, None
    error = payload.get("error")
    if isinstance(error, str):
        return error, None
    if not isinstance(error, dict):
        # ElevenLabs {"detail": {"status", "message"}}, Deepgram {"err_code", "err_msg"}
        detail = payload.get("detail")
        if isinstance(detail, dict):
            return _text(detail.get("message")), _text(detail.get("status"))
        message = payload.get("message") or detail or payload.get("err_msg")
        return _text(message), _text(payload.get("err_code"))
    message = error.get("message")
    # OpenAI: a string code (or type); Anthropic: type; Gemini: status ("UNAVAILABLE")
    names = [error.get(k) for k in ("code", "type", "status")]
    code = next((n for n in names if isinstance(n, str) and n), error.get("code"))
    return (str(message) if message else None), (None if code is None else str(code))


def from_response(
    provider: str, status: int, body: str, headers: Mapping[str, str]
) -> ProviderError:
    """The error for an upstream answer with an error ``status``."""
    try:
        message, code = _vendor_detail(json.loads(body))
    except ValueError:
        message, code = None, None
    if message is None:
        message = body.strip().replace("\n", " ")[:200]
    text = f"{provider}: HTTP {status}" + (f": {message}" if message else "")
    return ProviderError(
        text,
        provider=provider,
        kind="http",
        status=status,
        body=body[:BODY_LIMIT],
        retry_after=retry_after(headers),
        code=code,
    )


def from_transport(provider: str, exc: TransportError) -> ProviderError:
    """The error for a failure below HTTP (no answer, a reset, a cut body)."""
    what = f"broken response ({exc})" if exc.kind == "protocol" else str(exc)
    return ProviderError(f"{provider}: {what}", provider=provider, kind=exc.kind)


def protocol_error(provider: str, problem: str, body: str | None = None) -> ProviderError:
    """An answer that is not what the wire protocol promises."""
    return ProviderError(
        f"{provider}: {problem}",
        provider=provider,
        kind="protocol",
        body=None if body is None else body[:BODY_LIMIT],
    )


def stream_error(
    provider: str, payload: Mapping[str, object], status: int | None = None
) -> ProviderError:
    """An error a stream reports in one of its events (after the 200 was sent), or an
    answer's body that is one; ``payload`` is the vendor's JSON, read leniently."""
    message, code = _vendor_detail(payload)
    if status is None and code in ANTHROPIC_ERROR_STATUS:
        status = ANTHROPIC_ERROR_STATUS[code]
    if status is None:
        raw = payload.get("error")
        raw_code = raw.get("code") if isinstance(raw, dict) else None
        status = raw_code if isinstance(raw_code, int) else 500
    return ProviderError(
        f"{provider}: error in stream: {message or code or 'unknown error'}",
        provider=provider,
        kind="http",
        status=status,
        body=json.dumps(payload)[:BODY_LIMIT],
        code=code,
    )
