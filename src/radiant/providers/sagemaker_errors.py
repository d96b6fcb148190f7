"""botocore's errors of SageMaker runtime as :class:`~radiant.errors.ProviderError`, in
one place (also the errors a response stream sends after its 200).

============================================ ===============================================
botocore says                                ProviderError
============================================ ===============================================
``ModelNotReadyException`` (429); a          ``kind="unavailable"`` (:data:`COLD`),
``ValidationError`` "Endpoint ... not found"  ``status=503``, ``code`` the AWS code (or
or "... not in service"                       ``EndpointNotFound``/``EndpointNotInService``):
                                             the endpoint is cold or absent; retryable, the
                                             gateway may warm it and fall back
``ThrottlingException`` and other throttling  ``kind="http"``, ``status=429`` (retryable)
``ModelError`` (424: the container's 4xx/5xx) ``kind="http"``, ``status`` = its
                                             ``OriginalStatusCode``, ``body`` its
                                             ``OriginalMessage``, ``code="ModelError"``
``ServiceUnavailable``, ``InternalFailure``  ``kind="http"``, the HTTP status (503, 500)
other ``ValidationError``                    ``kind="http"``, ``status=400``
``ModelStreamError``/``InternalStreamFailure`` ``kind="http"``, ``status=500`` (mid-stream)
no credentials, no region, boto3 missing     ``kind="config"``
no connection / timed out / cut answer       ``kind="connect"`` / ``"timeout"`` / ``"protocol"``
============================================ ===============================================
"""

from __future__ import annotations

from typing import Any

from radiant.errors import ProviderError
from radiant.providers.errors import BODY_LIMIT

__all__ = ["COLD", "from_botocore", "is_cold"]

#: the ``kind`` of an error saying the endpoint is cold (scaled to zero, still starting,
#: loading its model) or absent: the gateway may ask the thermal manager to warm it
COLD = "unavailable"

_THROTTLED = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
    }
)
_NOT_FOUND = ("not found", "could not find")
_NOT_IN_SERVICE = ("not in service", "is not in service")


def is_cold(error: ProviderError) -> bool:
    """Whether ``error`` says the endpoint is cold or absent."""
    return error.kind == COLD


def _cold(name: str, message: str, code: str) -> ProviderError:
    return ProviderError(
        f"{name}: endpoint cold or absent: {message}",
        provider=name,
        kind=COLD,
        status=503,
        body=message[:BODY_LIMIT],
        code=code,
    )


def _client_error(name: str, response: dict[str, Any]) -> ProviderError:
    error = response.get("Error") or {}
    code = str(error.get("Code") or "")
    message = str(error.get("Message") or response.get("Message") or code)
    meta = response.get("ResponseMetadata") or {}
    status = meta.get("HTTPStatusCode")
    lowered = message.lower()
    if code == "ModelNotReadyException":
        return _cold(name, message, code)
    if code in ("ValidationError", "ValidationException"):
        if "endpoint" in lowered and any(m in lowered for m in _NOT_FOUND):
            return _cold(name, message, "EndpointNotFound")
        if any(m in lowered for m in _NOT_IN_SERVICE):
            return _cold(name, message, "EndpointNotInService")
        status = 400
    if code in _THROTTLED:
        status = 429
    if code == "ModelError":
        original = response.get("OriginalStatusCode")
        detail = str(response.get("OriginalMessage") or message)
        return ProviderError(
            f"{name}: the model's container answered {original}: {detail[:200]}",
            provider=name,
            kind="http",
            status=int(original) if isinstance(original, int) else 424,
            body=detail[:BODY_LIMIT],
            code=code,
        )
    if code in ("ModelStreamError", "InternalStreamFailure"):
        reason = str(response.get("ErrorCode") or code)
        return ProviderError(
            f"{name}: error in stream: {reason}: {message}",
            provider=name,
            kind="http",
            status=500,
            body=message[:BODY_LIMIT],
            code=code,
        )
    return ProviderError(
        f"{name}: {code or 'error'}: {message}",
        provider=name,
        kind="http",
        status=int(status) if isinstance(status, int) else 500,
        body=message[:BODY_LIMIT],
        code=code or None,
    )


def from_botocore(name: str, exc: Exception) -> ProviderError:
    """The error for what boto3 raised calling SageMaker runtime for upstream ``name``."""
    from botocore import exceptions as boto  # with boto3, an optional extra

    if isinstance(exc, boto.ClientError):
        return _client_error(name, dict(exc.response))
    if isinstance(exc, boto.NoCredentialsError | boto.PartialCredentialsError):
        return ProviderError(
            f"{name}: no AWS credentials ({exc}); set them as the AWS SDKs read them "
            "(environment, profile, instance role)",
            provider=name,
            kind="config",
        )
    if isinstance(exc, boto.NoRegionError):
        return ProviderError(
            f"{name}: no AWS region: give the route a region or set AWS_REGION",
            provider=name,
            kind="config",
        )
    if isinstance(exc, boto.ConnectTimeoutError | boto.ReadTimeoutError):
        return ProviderError(f"{name}: timed out ({exc})", provider=name, kind="timeout")
    if isinstance(exc, boto.EndpointConnectionError | boto.ConnectionClosedError):
        return ProviderError(f"{name}: {exc}", provider=name, kind="connect")
    if isinstance(exc, boto.BotoCoreError):
        return ProviderError(f"{name}: broken response ({exc})", provider=name, kind="protocol")
    raise exc
