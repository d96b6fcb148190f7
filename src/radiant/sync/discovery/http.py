"""One GET of a list-models API, with bounded retries (tenacity).

Retried, with exponential backoff and jitter: connection errors, timeouts, HTTP 429
(waiting what ``Retry-After`` asks, up to ``max_wait``) and 5xx. Anything else, and the
last failed attempt, raises :class:`UpstreamError`, one clear line naming the URL (never
a credential: keys travel in headers, which are not part of the message).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx2
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from radiant.http.retry_after import retry_after

__all__ = ["RetryPolicy", "UpstreamError", "get_json"]


class UpstreamError(Exception):
    """A list-models call that failed for good (after retries) or answered nonsense."""


class _Retryable(UpstreamError):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class RetryPolicy:
    #: attempts in all, the first included
    attempts: int = 4
    #: first backoff in seconds; doubles each attempt, with up to ``initial`` of jitter
    initial: float = 0.5
    #: no single wait is longer, whatever Retry-After asks
    max_wait: float = 30.0


def _wait(policy: RetryPolicy) -> Any:
    backoff = wait_exponential(multiplier=policy.initial, max=policy.max_wait) + wait_random(
        0, policy.initial
    )

    def wait(state: RetryCallState) -> float:
        outcome = state.outcome
        error = outcome.exception() if outcome is not None else None
        if isinstance(error, _Retryable) and error.retry_after is not None:
            return min(error.retry_after, policy.max_wait)
        return float(backoff(state))

    return wait


async def _once(
    client: httpx2.AsyncClient, url: str, headers: dict[str, str], params: dict[str, Any]
) -> Any:
    try:
        response = await client.get(url, headers=headers, params=params)
    except httpx2.TimeoutException:
        raise _Retryable(f"GET {url}: timed out") from None
    except httpx2.TransportError as exc:
        raise _Retryable(f"GET {url}: {type(exc).__name__}: {exc}") from None
    status = response.status_code
    if status == 429:
        raise _Retryable(f"GET {url}: HTTP 429 rate limited", retry_after(response.headers))
    if status >= 500:
        raise _Retryable(f"GET {url}: HTTP {status}", retry_after(response.headers))
    if status >= 400:
        reason = response.text[:200].strip().replace("\n", " ")
        raise UpstreamError(f"GET {url}: HTTP {status}{': ' + reason if reason else ''}")
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        raise UpstreamError(f"GET {url}: the body is not JSON") from None


async def get_json(
    client: httpx2.AsyncClient,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
    policy: RetryPolicy | None = None,
) -> Any:
    """The decoded JSON body of ``GET url``; raises :class:`UpstreamError`."""
    policy = policy or RetryPolicy()
    retrying = AsyncRetrying(
        stop=stop_after_attempt(policy.attempts),
        wait=_wait(policy),
        retry=retry_if_exception(lambda exc: isinstance(exc, _Retryable)),
        reraise=True,
    )
    try:
        async for attempt in retrying:
            with attempt:
                return await _once(client, url, headers or {}, params or {})
    except _Retryable as exc:
        raise UpstreamError(f"{exc} (after {policy.attempts} attempts)") from None
    raise AssertionError("unreachable")  # pragma: no cover
