"""The pricing engine: cost and price of any usage, markups, views, estimates, optimizer.

Pure functions over domain objects and a snapshot; the store-backed parts (overrides,
alerts, tenant terms, price history) are in :mod:`radiant.pricing.service`.
"""

from radiant.pricing.cost import CostBreakdown, CostLine, cost, sheet_in_force, warmup_cost
from radiant.pricing.markup import (
    DEFAULT_EXTERNAL_MARKUP,
    DEFAULT_SELF_HOSTED_MARKUP,
    Markup,
    MarkupBook,
    MarkupOverride,
    MarkupScope,
    MarkupSource,
    apply_markup,
)
from radiant.pricing.price import PricedUsage, PriceLine, price_usage
from radiant.pricing.usage import Usage

__all__ = [
    "DEFAULT_EXTERNAL_MARKUP",
    "DEFAULT_SELF_HOSTED_MARKUP",
    "CostBreakdown",
    "CostLine",
    "Markup",
    "MarkupBook",
    "MarkupOverride",
    "MarkupScope",
    "MarkupSource",
    "PriceLine",
    "PricedUsage",
    "Usage",
    "apply_markup",
    "cost",
    "price_usage",
    "sheet_in_force",
    "warmup_cost",
]
