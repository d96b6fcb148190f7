"""Daily usage rollups: one ``usage_rollups`` row per tenant, UTC day and model.

A rollup of a day replaces that day's rows in one transaction, from every usage event
created in ``[day 00:00 UTC, next day 00:00 UTC)``: running it again (after late events
were flushed from a spool, say) gives the right numbers, never doubled ones. Events whose
usage the gateway counted itself (``usage_estimated``) are counted apart too. Money is
summed as ``Decimal`` in Python (SQLite has no decimal type), nothing is rounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.orm import Session

from radiant.errors import ValidationError
from radiant.store.billing_tables import UsageEventRow, UsageRollupRow
from radiant.tenants.scope import admin_scope

__all__ = ["RollupSummary", "parse_day", "rollup_day"]

_ZERO = Decimal(0)


@dataclass(frozen=True)
class RollupSummary:
    day: date
    events: int
    rows: int
    tenants: int


@dataclass
class _Totals:
    provider_id: str
    request_count: int = 0
    success_count: int = 0
    error_count: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    images: int = 0
    seconds: Decimal = _ZERO
    minutes: Decimal = _ZERO
    embedding_requests: int = 0
    estimated_requests: int = 0
    base_cost: Decimal = _ZERO
    billed_price: Decimal = _ZERO
    latency_total: int = 0
    latency_count: int = 0

    def add(self, event: Any) -> None:
        self.request_count += 1
        if event.status == "success":
            self.success_count += 1
        else:
            self.error_count += 1
        self.input_tokens += event.input_tokens
        self.output_tokens += event.output_tokens
        self.cached_tokens += event.cached_tokens
        self.images += event.images
        self.seconds += event.seconds
        self.minutes += event.minutes
        if event.endpoint == "embeddings":
            self.embedding_requests += 1
        if event.usage_estimated:
            self.estimated_requests += 1
        self.base_cost += event.base_cost
        self.billed_price += event.billed_price
        if event.latency_ms is not None:
            self.latency_total += event.latency_ms
            self.latency_count += 1

    def row(self, tenant_id: str, day: date, model_id: str) -> dict[str, Any]:
        average = (
            (Decimal(self.latency_total) / self.latency_count).quantize(Decimal("0.01"))
            if self.latency_count
            else None
        )
        return {
            "tenant_id": tenant_id,
            "rollup_date": day,
            "model_id": model_id,
            "provider_id": self.provider_id,
            "request_count": self.request_count,
            "success_count": self.success_count,
            "error_count": self.error_count,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cached_tokens": self.cached_tokens,
            "total_tokens": self.input_tokens + self.output_tokens,
            "images": self.images,
            "seconds": self.seconds,
            "minutes": self.minutes,
            "embedding_requests": self.embedding_requests,
            "estimated_requests": self.estimated_requests,
            "base_cost": self.base_cost,
            "billed_price": self.billed_price,
            "avg_latency_ms": average,
        }


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"--day must be a date YYYY-MM-DD, not {text!r}") from None


_COLUMNS = (
    UsageEventRow.tenant_id,
    UsageEventRow.model_id,
    UsageEventRow.provider_id,
    UsageEventRow.status,
    UsageEventRow.endpoint,
    UsageEventRow.input_tokens,
    UsageEventRow.output_tokens,
    UsageEventRow.cached_tokens,
    UsageEventRow.images,
    UsageEventRow.seconds,
    UsageEventRow.minutes,
    UsageEventRow.base_cost,
    UsageEventRow.billed_price,
    UsageEventRow.latency_ms,
    UsageEventRow.usage_estimated,
)


def rollup_day(engine: Engine, day: date) -> RollupSummary:
    """Rebuild the rollups of ``day`` (UTC) from its usage events."""
    start = datetime.combine(day, time(), tzinfo=UTC)
    end = start + timedelta(days=1)
    totals: dict[tuple[str, str], _Totals] = {}
    events = 0
    with Session(engine) as session, session.begin():
        admin_scope(session)
        query = (
            select(*_COLUMNS)
            .where(UsageEventRow.created_at >= start, UsageEventRow.created_at < end)
            .execution_options(yield_per=2000)
        )
        for event in session.execute(query):
            key = (event.tenant_id, event.model_id)
            bucket = totals.get(key)
            if bucket is None:
                bucket = totals[key] = _Totals(event.provider_id)
            bucket.add(event)
            events += 1
        session.execute(delete(UsageRollupRow).where(UsageRollupRow.rollup_date == day))
        rows = [t.row(tenant, day, model) for (tenant, model), t in sorted(totals.items())]
        if rows:
            session.execute(insert(UsageRollupRow), rows)
    return RollupSummary(day, events, len(rows), len({tenant for tenant, _ in totals}))
