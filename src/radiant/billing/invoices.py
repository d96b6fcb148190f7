"""Monthly invoices: one draft per tenant and month, line items per model.

From the month's ``usage_rollups`` (rebuilt first, day by day, unless asked not to):

* a line per model: requests, tokens, units and its amount, the sum of the billed PRICE
  of its requests, exact (as a decimal string); ``estimated_requests`` says how many of
  them were billed on the gateway's own count of tokens (a stream cut short);
* ``subtotal``: the sum of the lines; the volume discount of
  :func:`radiant.pricing.billing_rules.volume_discount` is earned by that month's spend;
* free tier: a month whose usage is within every limit of ``FREE_TIER``
  (:func:`~radiant.pricing.billing_rules.within_free_tier`) is not charged: a free-tier
  credit equal to what is left;
* rounding to the cent (half up) happens here only, once per amount; the total is
  ``subtotal - discount - free-tier credit`` of the rounded amounts, so it adds up.

Running it again replaces a ``draft`` invoice (same id and number); an invoice that moved
on (``pending``, ``paid``, ...) is kept as it is.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session

from radiant.billing.rollup import rollup_day
from radiant.errors import NotFoundError, ValidationError
from radiant.pricing.billing_rules import volume_discount, within_free_tier
from radiant.store.billing_tables import InvoiceRow, UsageRollupRow
from radiant.store.tenant_tables import TenantRow
from radiant.tenants.scope import admin_scope

__all__ = ["InvoiceSummary", "make_invoices", "parse_month"]

_CENT = Decimal("0.01")
_ZERO = Decimal(0)
_COUNTS = (
    "request_count",
    "input_tokens",
    "output_tokens",
    "cached_tokens",
    "total_tokens",
    "images",
    "embedding_requests",
    "estimated_requests",
)
_AMOUNTS = ("seconds", "minutes", "billed_price")


@dataclass(frozen=True)
class InvoiceSummary:
    tenant_id: str
    invoice_number: str
    status: str
    subtotal: Decimal
    discount_amount: Decimal
    free_tier_credit: Decimal
    total_amount: Decimal
    lines: int
    #: ``False`` when an invoice that is no longer a draft was kept unchanged
    replaced: bool


def parse_month(text: str) -> date:
    """``YYYY-MM`` as the first day of that month."""
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        return date(int(year), int(month), 1)
    except ValueError:
        raise ValidationError(f"--month must be YYYY-MM, not {text!r}") from None


def _month_end(first: date) -> date:
    """The last day of ``first``'s month."""
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def make_invoices(
    engine: Engine, month: date, tenant: str | None = None, *, rollup: bool = True
) -> list[InvoiceSummary]:
    """Make (or remake) the draft invoices of ``month``: of ``tenant`` (id or slug) only, or
    of every tenant with usage that month. ``rollup=False`` trusts the stored rollups."""
    first, last = month.replace(day=1), _month_end(month)
    if rollup:
        today = datetime.now(UTC).date()
        day = first
        while day <= min(last, today):
            rollup_day(engine, day)
            day += timedelta(days=1)
    with Session(engine) as session, session.begin():
        admin_scope(session)
        tenant_id = _tenant_id(session, tenant) if tenant else None
        query = select(UsageRollupRow).where(
            UsageRollupRow.rollup_date >= first, UsageRollupRow.rollup_date <= last
        )
        if tenant_id:
            query = query.where(UsageRollupRow.tenant_id == tenant_id)
        by_tenant: dict[str, list[UsageRollupRow]] = {}
        for row in session.scalars(query):
            by_tenant.setdefault(row.tenant_id, []).append(row)
        if tenant_id:
            by_tenant.setdefault(tenant_id, [])
        return [
            _invoice(session, tid, first, last, rows) for tid, rows in sorted(by_tenant.items())
        ]


def _tenant_id(session: Session, tenant: str) -> str:
    found = session.scalar(
        select(TenantRow.id).where(or_(TenantRow.id == tenant, TenantRow.slug == tenant))
    )
    if found is None:
        raise NotFoundError("tenant", tenant)
    return found


def _lines(rows: list[UsageRollupRow]) -> list[dict[str, Any]]:
    per_model: dict[str, dict[str, Any]] = {}
    for row in rows:
        line = per_model.setdefault(
            row.model_id,
            {"model_id": row.model_id, "provider_id": row.provider_id}
            | dict.fromkeys(_COUNTS, 0)
            | dict.fromkeys(_AMOUNTS, _ZERO),
        )
        for name in (*_COUNTS, *_AMOUNTS):
            line[name] += getattr(row, name)
    return [per_model[model] for model in sorted(per_model)]


def _invoice(
    session: Session, tenant_id: str, first: date, last: date, rows: list[UsageRollupRow]
) -> InvoiceSummary:
    lines = _lines(rows)
    exact = sum((line["billed_price"] for line in lines), _ZERO)
    rate = volume_discount(exact)
    usage: dict[str, int | Decimal] = {
        "tokens": sum(line["total_tokens"] for line in lines),
        "requests": sum(line["request_count"] for line in lines),
        "images": sum(line["images"] for line in lines),
        "video_seconds": sum((line["seconds"] for line in lines), _ZERO),
        "audio_minutes": sum((line["minutes"] for line in lines), _ZERO),
        "embeddings": sum(line["embedding_requests"] for line in lines),
    }
    free = within_free_tier(usage)
    subtotal = _cents(exact)
    discount = _cents(exact * rate)
    credit = subtotal - discount if free else _ZERO
    values: dict[str, Any] = {
        "billing_period_end": last,
        "subtotal": subtotal,
        "discount_amount": discount,
        "free_tier_credit": credit,
        "tax_amount": _ZERO,
        "total_amount": subtotal - discount - credit,
        "line_items": [_json_line(line) for line in lines],
        "details": {
            "exact_subtotal": str(exact),
            "volume_discount_percent": str((rate * 100).normalize()),
            "within_free_tier": free,
            "usage": {k: str(v) for k, v in usage.items()},
        },
    }
    invoice = session.scalar(
        select(InvoiceRow).where(
            InvoiceRow.tenant_id == tenant_id, InvoiceRow.billing_period_start == first
        )
    )
    replaced = invoice is None or invoice.status == "draft"
    if invoice is None:
        invoice = InvoiceRow(
            id=str(uuid.uuid4()),
            tenant_id=tenant_id,
            invoice_number=_number(session, tenant_id, first),
            billing_period_start=first,
            status="draft",
        )
        session.add(invoice)
    if replaced:
        for name, value in values.items():
            setattr(invoice, name, value)
    session.flush()
    return InvoiceSummary(
        tenant_id,
        invoice.invoice_number,
        invoice.status,
        invoice.subtotal,
        invoice.discount_amount,
        invoice.free_tier_credit,
        invoice.total_amount,
        len(invoice.line_items),
        replaced,
    )


def _json_line(line: dict[str, Any]) -> dict[str, Any]:
    """Money and units as exact decimal strings (JSON numbers would be floats)."""
    out = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in line.items()}
    out["amount"] = out.pop("billed_price")
    return out


def _number(session: Session, tenant_id: str, first: date) -> str:
    slug = session.scalar(select(TenantRow.slug).where(TenantRow.id == tenant_id))
    handle = slug if slug and len(slug) <= 39 else tenant_id  # the number has 50 characters
    return f"INV-{first:%Y%m}-{handle}"
