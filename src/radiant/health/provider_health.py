"""Probe results into ``provider_health``, and back out for the admin views.

A probe of a provider's own API (``direct``) writes one row per provider it covers
(``target`` ``direct/<provider>``, what the registry snapshot reads as that provider's
health); a probe of a platform writes one row for the platform and region (no provider).
Each row keeps its statistics (``stats``: window samples, moving average) so the next
check continues them: average latency ``0.7 * old + 0.3 * new``.

Writing bumps the registry version only when the status of a provider changed: the
snapshot carries provider health into ``ModelEntry.health``; latency numbers alone do
not justify every process rebuilding its snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from radiant.health.probes import ProbeResult
from radiant.health.stats import HealthStats, Sample, WindowPolicy, timestamp
from radiant.store.repository import bump_version, store_errors
from radiant.store.tables import ProviderHealthRow

__all__ = ["PROBE_WINDOW", "list_provider_health", "record_probes"]

#: probes come every few minutes: keep the last 50 of the last day
PROBE_WINDOW = WindowPolicy(max_samples=50, max_age=24 * 3600, min_samples=3)


def _rows_of(result: ProbeResult) -> list[tuple[str, str | None]]:
    """(target key, provider id) of every row one probe result updates."""
    target = result.target
    if target.platform_id == "direct" and target.provider_ids:
        return [(f"direct/{p}", p) for p in sorted(target.provider_ids)]
    return [(target.platform_id, None)]


def record_probes(
    engine: Engine, results: Iterable[ProbeResult], policy: WindowPolicy = PROBE_WINDOW
) -> tuple[int, bool]:
    """Write the probe results; (rows written, whether a provider's status changed)."""
    written = 0
    changed = False
    with store_errors(), Session(engine) as session, session.begin():
        for result in results:
            if result.skipped:
                continue
            for key, provider_id in _rows_of(result):
                row = session.execute(
                    select(ProviderHealthRow).where(
                        ProviderHealthRow.target == key,
                        ProviderHealthRow.region == result.region,
                    )
                ).scalar_one_or_none()
                if row is None:
                    row = ProviderHealthRow(
                        target=key,
                        platform_id=result.target.platform_id,
                        provider_id=provider_id,
                        region=result.region,
                        status="unknown",
                    )
                    session.add(row)
                before = row.status
                _apply(row, result, policy)
                written += 1
                changed = changed or (provider_id is not None and before != row.status)
        if changed:
            bump_version(session, models=())  # health only: no model's rows
    return written, changed


def _apply(row: ProviderHealthRow, result: ProbeResult, policy: WindowPolicy) -> None:
    stats = HealthStats.from_dict(row.stats or {})
    stats.observe(
        Sample(result.checked_at, result.latency_ms, result.status),
        policy,
        error=result.error,
        status_code=result.status_code,
    )
    summary = stats.summary(result.checked_at, policy)
    row.status = summary.status.value
    row.avg_latency_ms = _int(summary.avg_latency_ms)
    row.p95_latency_ms = _int(summary.p95_latency_ms)
    row.p99_latency_ms = _int(summary.p99_latency_ms)
    row.error_rate = summary.error_rate
    row.success_rate = summary.success_rate
    row.last_check_at = timestamp(result.checked_at) or datetime.now(UTC)
    row.last_success_at = timestamp(stats.last_success_at)
    row.last_failure_at = timestamp(stats.last_failure_at)
    row.last_error = stats.last_error
    row.last_status_code = result.status_code
    row.success_count = stats.success_count
    row.failure_count = stats.failure_count
    row.stats = stats.as_dict()


def _int(value: float | None) -> int | None:
    return None if value is None else round(value)


def list_provider_health(engine: Engine) -> list[dict[str, Any]]:
    """Every probed endpoint: platform, provider, region, status, latency, rates, last times."""
    with store_errors(), Session(engine) as session:
        rows = session.execute(
            select(ProviderHealthRow).order_by(
                ProviderHealthRow.platform_id, ProviderHealthRow.target, ProviderHealthRow.region
            )
        ).scalars()
        return [
            {
                "target": r.target,
                "platform_id": r.platform_id,
                "provider_id": r.provider_id,
                "region": r.region,
                "status": r.status,
                "avg_latency_ms": r.avg_latency_ms,
                "p95_latency_ms": r.p95_latency_ms,
                "p99_latency_ms": r.p99_latency_ms,
                "error_rate": r.error_rate,
                "success_rate": r.success_rate,
                "success_count": r.success_count,
                "failure_count": r.failure_count,
                "last_check_at": r.last_check_at,
                "last_success_at": r.last_success_at,
                "last_failure_at": r.last_failure_at,
                "last_status_code": r.last_status_code,
                "last_error": r.last_error,
            }
            for r in rows
        ]
