"""The circuit breaker of one route, as pure transitions over its state.

::

              allowed_fails failures within `window` s
    CLOSED ------------------------------------------------> OPEN (for `cooldown` s)
      ^                                                       |
      |  the trial succeeds                                   | cooldown over: the first
      |                                                       v caller gets the one trial
      +------------------------------------------------- HALF_OPEN
                           the trial fails: OPEN again (another cooldown)

The defaults are LiteLLM router's (``allowed_fails: 3``,
``cooldown_time: 60``). While half-open, every caller but the one holding the trial is
refused; a trial that never reports back (its process died) expires after ``cooldown``
seconds and the next caller gets a new one.

A store applies these functions atomically (compare-and-set) so that every process
sharing it sees the same breaker; see :mod:`radiant.health.store`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

__all__ = [
    "BreakerPolicy",
    "BreakerState",
    "CircuitState",
    "admits",
    "on_failure",
    "on_success",
    "reopens_in",
    "try_trial",
]


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True)
class BreakerPolicy:
    allowed_fails: int = 3
    #: seconds in which ``allowed_fails`` failures open the breaker
    window: float = 60.0
    #: seconds an open breaker refuses every call
    cooldown: float = 60.0

    def __post_init__(self) -> None:
        if self.allowed_fails < 1 or self.window <= 0 or self.cooldown <= 0:
            raise ValueError("allowed_fails must be >= 1, window and cooldown > 0")


@dataclass(frozen=True, slots=True)
class BreakerState:
    state: CircuitState = CircuitState.CLOSED
    #: times (epoch seconds) of the failures still inside the window
    failures: tuple[float, ...] = field(default_factory=tuple)
    opened_at: float | None = None
    open_until: float | None = None
    trial_started_at: float | None = None
    times_opened: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state.value,
            "failures": list(self.failures),
            "opened_at": self.opened_at,
            "open_until": self.open_until,
            "trial_started_at": self.trial_started_at,
            "times_opened": self.times_opened,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> BreakerState:
        def num(key: str) -> float | None:
            value = raw.get(key)
            return None if value is None else float(value)

        return cls(
            state=CircuitState(raw.get("state") or "closed"),
            failures=tuple(float(f) for f in raw.get("failures") or ()),
            opened_at=num("opened_at"),
            open_until=num("open_until"),
            trial_started_at=num("trial_started_at"),
            times_opened=int(raw.get("times_opened") or 0),
        )


def _open(state: BreakerState, now: float, policy: BreakerPolicy) -> BreakerState:
    return replace(
        state,
        state=CircuitState.OPEN,
        opened_at=now,
        open_until=now + policy.cooldown,
        trial_started_at=None,
        times_opened=state.times_opened + 1,
    )


def on_failure(state: BreakerState, now: float, policy: BreakerPolicy) -> BreakerState:
    """A call failed: count it; open on the ``allowed_fails``-th failure within the window;
    a failed half-open trial opens the breaker again."""
    failures = tuple(t for t in state.failures if t > now - policy.window) + (now,)
    counted = replace(state, failures=failures)
    if state.state is CircuitState.HALF_OPEN:
        return _open(counted, now, policy)
    if state.state is CircuitState.CLOSED and len(failures) >= policy.allowed_fails:
        return _open(counted, now, policy)
    return counted


def on_success(state: BreakerState, now: float) -> BreakerState:  # noqa: ARG001 - as on_failure
    """A call succeeded: a half-open breaker closes and forgets its failures."""
    if state.state is CircuitState.HALF_OPEN:
        return replace(
            state,
            state=CircuitState.CLOSED,
            failures=(),
            opened_at=None,
            open_until=None,
            trial_started_at=None,
        )
    return state


def admits(state: BreakerState, now: float, policy: BreakerPolicy) -> bool | None:
    """True: call; False: refuse; None: the caller may take the trial (:func:`try_trial`)."""
    if state.state is CircuitState.CLOSED:
        return True
    if state.state is CircuitState.OPEN:
        return None if state.open_until is None or now >= state.open_until else False
    started = state.trial_started_at
    return None if started is None or now - started >= policy.cooldown else False


def try_trial(state: BreakerState, now: float, policy: BreakerPolicy) -> tuple[BreakerState, bool]:
    """Take the one half-open trial if it is free; returns the new state and whether the
    caller got it (and may call)."""
    verdict = admits(state, now, policy)
    if verdict is not None:
        return state, verdict
    return replace(state, state=CircuitState.HALF_OPEN, trial_started_at=now), True


def reopens_in(state: BreakerState, now: float, policy: BreakerPolicy) -> float:
    """Seconds until the breaker lets a call through (0: it does now): the rest of an open
    breaker's cooldown; while another caller holds the half-open trial, 1 (its outcome
    decides at once: closed, or open again) or the rest of the trial's time if shorter."""
    if admits(state, now, policy) is not False:
        return 0.0
    if state.state is CircuitState.OPEN and state.open_until is not None:
        return max(state.open_until - now, 0.0)
    started = state.trial_started_at or now
    return min(1.0, max(started + policy.cooldown - now, 0.0))
