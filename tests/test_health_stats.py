"""Latency and outcome statistics, and the circuit breaker's transitions (pure)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from radiant.domain import HealthStatus
from radiant.health.breaker import (
    BreakerPolicy,
    BreakerState,
    CircuitState,
    admits,
    on_failure,
    on_success,
    try_trial,
)
from radiant.health.stats import HealthStats, Sample, WindowPolicy, classify, ema, percentile


def test_ema_is_the_seeds_seventy_thirty_average() -> None:
    assert ema(None, 200) == 200
    assert ema(200, 100) == pytest.approx(170)  # 0.7 * 200 + 0.3 * 100
    value = None
    for sample in (100, 100, 400):
        value = ema(value, sample)
    assert value == pytest.approx(190)  # 100, 100, 0.7 * 100 + 0.3 * 400


def test_nearest_rank_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile([10.0, 20.0, 1000.0], 95) == 1000
    assert percentile([], 95) is None


@pytest.mark.parametrize(
    ("ok", "code", "status"),
    [
        (True, 200, HealthStatus.HEALTHY),
        (False, 500, HealthStatus.UNHEALTHY),
        (False, 503, HealthStatus.UNHEALTHY),
        (False, None, HealthStatus.UNHEALTHY),  # timeout, refused connection
        (False, 429, HealthStatus.DEGRADED),
        (False, 401, HealthStatus.DEGRADED),
    ],
)
def test_one_outcome_is_classified_as_the_seed_does(
    ok: bool, code: int | None, status: HealthStatus
) -> None:
    assert classify(ok, code) is status


def _fill(stats: HealthStats, policy: WindowPolicy, outcomes: list[tuple[float, bool]]) -> None:
    for i, (latency, ok) in enumerate(outcomes):
        code = 200 if ok else 500
        stats.observe(Sample(1000.0 + i, latency, classify(ok, code)), policy, status_code=code)


def test_summary_rates_percentiles_and_status() -> None:
    policy = WindowPolicy(max_samples=100, max_age=3600)
    stats = HealthStats()
    assert stats.summary(0, policy).status is HealthStatus.UNKNOWN

    _fill(stats, policy, [(float(v), True) for v in range(1, 101)])
    summary = stats.summary(1100, policy)
    assert summary.status is HealthStatus.HEALTHY
    assert (summary.p95_latency_ms, summary.p99_latency_ms) == (95, 99)
    assert summary.error_rate == Decimal("0.00") and summary.success_rate == Decimal("100.00")
    assert stats.last_success_at == 1099 and stats.last_failure_at is None

    # 10 failures push out the 10 oldest samples: 10 % errors, the last one a 500
    _fill(stats, policy, [(50.0, False)] * 10)
    summary = stats.summary(1200, policy)
    assert summary.samples == 100
    assert summary.error_rate == Decimal("10.00")
    assert summary.status is HealthStatus.UNHEALTHY  # the last outcome failed
    assert stats.failure_count == 10 and stats.consecutive_failures == 10
    assert stats.last_error == "HTTP 500"

    stats.observe(Sample(1300, 10, HealthStatus.HEALTHY), policy)
    assert stats.summary(1300, policy).status is HealthStatus.DEGRADED  # 10 % > 5 %


def test_window_is_bounded_by_age() -> None:
    policy = WindowPolicy(max_samples=1000, max_age=60)
    stats = HealthStats()
    stats.observe(Sample(0, 5000, HealthStatus.HEALTHY), policy)
    stats.observe(Sample(100, 10, HealthStatus.HEALTHY), policy)
    summary = stats.summary(100, policy)
    assert summary.samples == 1 and summary.p99_latency_ms == 10  # the slow one aged out
    assert summary.avg_latency_ms == pytest.approx(0.7 * 5000 + 0.3 * 10)  # the EMA remembers
    assert stats.summary(1000, policy).status is HealthStatus.UNKNOWN  # nothing recent


def test_stats_survive_a_round_trip() -> None:
    policy = WindowPolicy()
    stats = HealthStats()
    _fill(stats, policy, [(12.5, True), (30.0, False)])
    assert HealthStats.from_dict(stats.as_dict()) == stats


# ----------------------------------------------------------------------------- breaker

POLICY = BreakerPolicy(allowed_fails=3, window=60, cooldown=60)


def test_the_third_failure_within_the_window_opens_the_breaker() -> None:
    state = BreakerState()
    state = on_failure(state, 0, POLICY)
    state = on_failure(state, 70, POLICY)  # the first one has left the window
    state = on_failure(state, 80, POLICY)
    assert state.state is CircuitState.CLOSED and admits(state, 80, POLICY) is True
    state = on_failure(state, 90, POLICY)
    assert state.state is CircuitState.OPEN
    assert state.open_until == 150 and state.times_opened == 1
    assert admits(state, 149.9, POLICY) is False
    assert admits(state, 150, POLICY) is None  # the trial is free


def test_one_half_open_trial_then_close_or_reopen() -> None:
    opened = BreakerState(state=CircuitState.OPEN, opened_at=0, open_until=60, times_opened=1)
    assert try_trial(opened, 30, POLICY) == (opened, False)
    trial, granted = try_trial(opened, 60, POLICY)
    assert granted and trial.state is CircuitState.HALF_OPEN
    assert try_trial(trial, 61, POLICY)[1] is False  # a second caller is refused

    closed = on_success(trial, 62)
    assert closed.state is CircuitState.CLOSED and closed.failures == ()

    reopened = on_failure(trial, 62, POLICY)
    assert reopened.state is CircuitState.OPEN and reopened.open_until == 122
    assert reopened.times_opened == 2


def test_a_trial_that_never_reports_expires_after_a_cooldown() -> None:
    trial = BreakerState(state=CircuitState.HALF_OPEN, trial_started_at=100)
    assert admits(trial, 159, POLICY) is False
    again, granted = try_trial(trial, 160, POLICY)
    assert granted and again.trial_started_at == 160


def test_breaker_policy_is_validated() -> None:
    with pytest.raises(ValueError, match="allowed_fails"):
        BreakerPolicy(allowed_fails=0)
