"""When to call a route again, and when to move on to the next route of the chain.

A failure the provider marks retryable (a connection error or reset, a timeout, 429, a
5xx, a broken response) is retried on the same route up to ``attempts_per_route`` times
in all, after an exponential backoff with jitter (tenacity); a ``retry-after`` the
upstream sent is honoured when it is short (``max_retry_after``), and a longer one moves
on to the next route at once rather than keep the client waiting. A prompt too long for
the model is never retried on the same model: a model with a larger context is next.
A failure that is not retryable (400, 401, 404, ...) ends the request: another route
would refuse the same request the same way.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from radiant.errors import ProviderError

__all__ = ["RetryPolicy", "RouteRefused"]


class RouteRefused(Exception):
    """The route's circuit breaker is open: skip it (not a call, not a failure).
    ``retry_after``: seconds until the breaker lets a call through, when it knows."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class RetryPolicy:
    #: calls of one route per request, the first included
    attempts_per_route: int = 2
    initial_backoff: float = 0.05
    max_backoff: float = 1.0
    #: a retry-after longer than this (seconds) moves on to the next route at once
    max_retry_after: float = 2.0
    _wait: wait_exponential_jitter = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.attempts_per_route < 1:
            raise ValueError("attempts_per_route must be >= 1")
        wait = wait_exponential_jitter(
            multiplier=self.initial_backoff, max=self.max_backoff, jitter=self.initial_backoff
        )
        object.__setattr__(self, "_wait", wait)

    @staticmethod
    def next_route(error: BaseException) -> bool:
        """Should the request go on to the next route after ``error``?"""
        return isinstance(error, RouteRefused) or (
            isinstance(error, ProviderError) and error.retryable
        )

    def same_route(self, error: BaseException) -> bool:
        """Should the same route be called again after ``error``?"""
        if not isinstance(error, ProviderError) or not error.retryable:
            return False
        if error.context_too_long:
            return False
        return error.retry_after is None or error.retry_after <= self.max_retry_after

    def wait(self, state: RetryCallState) -> float:
        backoff = float(self._wait(state))
        error = state.outcome.exception() if state.outcome is not None else None
        after = getattr(error, "retry_after", None)
        return max(backoff, after) if after is not None else backoff

    def retrying(self, after: ProviderError) -> AsyncRetrying:
        """A tenacity loop for the retries of one route, once its first call failed with
        ``after`` (the first call is made without it: the common case pays nothing). It
        waits before its first attempt as it would have after ``after``."""
        first = self._first_wait(after)

        async def before(state: RetryCallState) -> None:
            if state.attempt_number == 1:
                await asyncio.sleep(first)

        return AsyncRetrying(
            stop=stop_after_attempt(self.attempts_per_route - 1),
            wait=self.wait,
            retry=retry_if_exception(self.same_route),
            before=before,
            reraise=True,
        )

    def _first_wait(self, error: ProviderError) -> float:
        backoff = min(self.max_backoff, self.initial_backoff) + random.uniform(  # noqa: S311 - jitter, not a secret
            0, self.initial_backoff
        )
        return max(backoff, error.retry_after) if error.retry_after is not None else backoff
