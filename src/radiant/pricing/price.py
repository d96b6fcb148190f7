"""PRICE of a usage: its cost breakdown marked up, line by line.

A tenant's custom prices (per 1M tokens, ``tenant_model_access``) replace the marked-up
price of the input and output token lines; every other line keeps the markup.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from radiant.domain.numbers import percent_of
from radiant.domain.tenant import TenantModelAccess
from radiant.pricing.cost import CostBreakdown
from radiant.pricing.markup import Markup, apply_markup

__all__ = ["PriceLine", "PricedUsage", "price_usage"]

_ZERO = Decimal(0)


class PriceLine(NamedTuple):
    item: str
    quantity: Decimal | int
    unit: str
    unit_cost: Decimal
    unit_price: Decimal
    cost: Decimal
    price: Decimal


class PricedUsage(NamedTuple):
    route_id: str
    lines: tuple[PriceLine, ...]
    total_cost: Decimal
    total_price: Decimal
    markup: Markup
    is_estimated: bool
    long_context: bool
    batch: bool
    unpriced: tuple[str, ...]

    @property
    def margin(self) -> Decimal:
        return self.total_price - self.total_cost

    @property
    def margin_percent(self) -> Decimal | None:
        """Margin as a percentage of the price (None when the price is zero)."""
        return percent_of(self.margin, self.total_price)


def price_usage(
    breakdown: CostBreakdown, markup: Markup, tenant: TenantModelAccess | None = None
) -> PricedUsage:
    custom = _custom_prices(tenant)
    percent = markup.percent
    lines = []
    total = _ZERO
    for line in breakdown.lines:
        own = custom.get(line.item) if custom else None
        if own is not None:
            unit_price = own
            price = own.scaleb(-6) * line.quantity
        else:
            unit_price = apply_markup(line.unit_price, percent)
            price = apply_markup(line.amount, percent)
        total += price
        lines.append(
            PriceLine(
                line.item, line.quantity, line.unit, line.unit_price, unit_price, line.amount, price
            )
        )
    return PricedUsage(
        breakdown.route_id,
        tuple(lines),
        breakdown.total,
        total,
        markup,
        breakdown.is_estimated,
        breakdown.long_context,
        breakdown.batch,
        breakdown.unpriced,
    )


def _custom_prices(tenant: TenantModelAccess | None) -> dict[str, Decimal] | None:
    if tenant is None or not tenant.enabled:
        return None
    found: dict[str, Decimal] = {}
    if tenant.custom_input_price_per_1m is not None:
        found["input_tokens"] = tenant.custom_input_price_per_1m
    if tenant.custom_output_price_per_1m is not None:
        found["output_tokens"] = tenant.custom_output_price_per_1m
    return found or None
