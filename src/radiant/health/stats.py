"""Latency and outcome statistics of one route or one probed endpoint. Pure: no I/O.

Rules (one check's classification, extended to a window of outcomes):

* one outcome is classified: a good answer is
  *healthy*; an HTTP status >= 500, or no answer at all (timeout, refused connection),
  is *unhealthy*; any other failure (a 4xx such as 429, a malformed body) is *degraded*;
* the latency average is a moving average: ``new = 0.7 * old + 0.3 * sample``;
* p95 and p99 are nearest-rank percentiles over a sliding window bounded both by count
  (``max_samples``) and by age (``max_age`` seconds);
* the status over the window is *unknown* without outcomes; *unhealthy* when the last
  outcome was (a failed check marks it unhealthy at once) or when at least half of
  the window failed; *degraded* when the last outcome was degraded or more than
  ``degraded_error_rate`` percent of the window failed; else *healthy*. The rates count
  only once the window holds ``min_samples`` outcomes.

Rates are percentages (0-100, two decimals) like the ``DECIMAL(5, 2)``
columns of ``provider_health``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from radiant.domain import HealthStatus

__all__ = [
    "EMA_OLD_WEIGHT",
    "HealthStats",
    "Sample",
    "Summary",
    "WindowPolicy",
    "classify",
    "ema",
    "percentile",
    "timestamp",
]

#: Weight of the previous average in the moving average (the sample gets 0.3).
EMA_OLD_WEIGHT = 0.7
_CENT = Decimal("0.01")


def ema(old: float | None, sample: float) -> float:
    """The latency average: the first sample, then ``0.7 * old + 0.3 * sample``."""
    if old is None:
        return float(sample)
    return EMA_OLD_WEIGHT * old + (1 - EMA_OLD_WEIGHT) * sample


def percentile(values: Iterable[float], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in 0-100) of ``values``; None when there are none."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def classify(ok: bool, status_code: int | None = None) -> HealthStatus:
    """The status of one outcome (see the module docstring)."""
    if ok:
        return HealthStatus.HEALTHY
    if status_code is None or status_code >= 500:
        return HealthStatus.UNHEALTHY
    return HealthStatus.DEGRADED


def timestamp(at: float | None) -> datetime | None:
    return None if at is None else datetime.fromtimestamp(at, UTC)


@dataclass(frozen=True, slots=True)
class WindowPolicy:
    """How many recent outcomes count: at most ``max_samples``, none older than ``max_age``."""

    max_samples: int = 200
    max_age: float = 300.0
    #: percent of failures in the window above which the status is degraded
    degraded_error_rate: float = 5.0
    #: percent of failures in the window at or above which the status is unhealthy
    unhealthy_error_rate: float = 50.0
    #: fewer outcomes than this in the window: only the last outcome decides
    min_samples: int = 5


@dataclass(frozen=True, slots=True)
class Sample:
    """One outcome: when (epoch seconds), how long it took, how it was classified."""

    at: float
    latency_ms: float
    status: HealthStatus

    @property
    def ok(self) -> bool:
        return self.status is HealthStatus.HEALTHY

    def as_list(self) -> list[Any]:
        return [round(self.at, 3), round(self.latency_ms, 3), self.status.value]

    @classmethod
    def from_list(cls, raw: list[Any]) -> Sample:
        return cls(float(raw[0]), float(raw[1]), HealthStatus(raw[2]))


@dataclass(frozen=True, slots=True)
class Summary:
    status: HealthStatus
    avg_latency_ms: float | None
    p95_latency_ms: float | None
    p99_latency_ms: float | None
    error_rate: Decimal | None
    success_rate: Decimal | None
    samples: int


@dataclass
class HealthStats:
    """Everything known about one route's or endpoint's outcomes; merged by :meth:`observe`."""

    avg_latency_ms: float | None = None
    samples: list[Sample] = field(default_factory=list)
    success_count: int = 0
    failure_count: int = 0
    consecutive_failures: int = 0
    last_status: HealthStatus = HealthStatus.UNKNOWN
    last_check_at: float | None = None
    last_success_at: float | None = None
    last_failure_at: float | None = None
    last_error: str | None = None
    last_status_code: int | None = None

    def observe(
        self,
        sample: Sample,
        policy: WindowPolicy,
        *,
        error: str | None = None,
        status_code: int | None = None,
        trim: bool = True,
    ) -> None:
        """Add one outcome (outcomes must arrive in time order) and trim the window (or let
        the caller trim once after a batch: ``trim=False``)."""
        self.avg_latency_ms = ema(self.avg_latency_ms, sample.latency_ms)
        self.samples.append(sample)
        self.last_status = sample.status
        self.last_check_at = sample.at
        self.last_status_code = status_code
        if sample.ok:
            self.success_count += 1
            self.consecutive_failures = 0
            self.last_success_at = sample.at
        else:
            self.failure_count += 1
            self.consecutive_failures += 1
            self.last_failure_at = sample.at
            self.last_error = error or (f"HTTP {status_code}" if status_code else "failed")
        if trim:
            self.trim(sample.at, policy)

    def trim(self, now: float, policy: WindowPolicy) -> None:
        oldest = now - policy.max_age
        kept = [s for s in self.samples if s.at >= oldest]
        self.samples = kept[-policy.max_samples :]

    def window(self, now: float, policy: WindowPolicy) -> list[Sample]:
        oldest = now - policy.max_age
        return [s for s in self.samples if s.at >= oldest][-policy.max_samples :]

    def summary(self, now: float, policy: WindowPolicy) -> Summary:
        window = self.window(now, policy)
        latencies = [s.latency_ms for s in window]
        if not window:
            return Summary(HealthStatus.UNKNOWN, self.avg_latency_ms, None, None, None, None, 0)
        failures = sum(1 for s in window if not s.ok)
        error_rate = (Decimal(failures * 100) / len(window)).quantize(_CENT)
        return Summary(
            status=self._status(
                window[-1].status,
                float(error_rate) if len(window) >= policy.min_samples else 0.0,
                policy,
            ),
            avg_latency_ms=self.avg_latency_ms,
            p95_latency_ms=percentile(latencies, 95),
            p99_latency_ms=percentile(latencies, 99),
            error_rate=error_rate,
            success_rate=Decimal(100) - error_rate,
            samples=len(window),
        )

    @staticmethod
    def _status(last: HealthStatus, error_rate: float, policy: WindowPolicy) -> HealthStatus:
        if last is HealthStatus.UNHEALTHY or error_rate >= policy.unhealthy_error_rate:
            return HealthStatus.UNHEALTHY
        if last is HealthStatus.DEGRADED or error_rate > policy.degraded_error_rate:
            return HealthStatus.DEGRADED
        return HealthStatus.HEALTHY

    # ------------------------------------------------------------------ serialisation

    def as_dict(self) -> dict[str, Any]:
        return {
            "avg_latency_ms": self.avg_latency_ms,
            "samples": [s.as_list() for s in self.samples],
            "success_count": self.success_count,
            "failure_count": self.failure_count,
            "consecutive_failures": self.consecutive_failures,
            "last_status": self.last_status.value,
            "last_check_at": self.last_check_at,
            "last_success_at": self.last_success_at,
            "last_failure_at": self.last_failure_at,
            "last_error": self.last_error,
            "last_status_code": self.last_status_code,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> HealthStats:
        def num(key: str) -> float | None:
            value = raw.get(key)
            return None if value is None else float(value)

        code = raw.get("last_status_code")
        return cls(
            avg_latency_ms=num("avg_latency_ms"),
            samples=[Sample.from_list(s) for s in raw.get("samples") or []],
            success_count=int(raw.get("success_count") or 0),
            failure_count=int(raw.get("failure_count") or 0),
            consecutive_failures=int(raw.get("consecutive_failures") or 0),
            last_status=HealthStatus(raw.get("last_status") or "unknown"),
            last_check_at=num("last_check_at"),
            last_success_at=num("last_success_at"),
            last_failure_at=num("last_failure_at"),
            last_error=raw.get("last_error"),
            last_status_code=None if code is None else int(code),
        )
