"""Role-based pricing views: what an administrator and a client each see of a price.

``AdminPricingView``: cost, markup with its source, price, margin, estimated flags and
the actions an administrator may take. ``ClientPricingView``: prices only, savings
options, the "Estimated" badge, and the price tier against the average. A client view
never holds a cost, a markup or a margin: it is built from prices alone.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from radiant.domain import MONEY_FIELDS, PriceSheet
from radiant.domain.numbers import percent_of
from radiant.pricing.estimates import EstimateInfo
from radiant.pricing.markup import Markup, apply_markup

__all__ = [
    "AdminPricingView",
    "ClientPricingView",
    "RouteFacts",
    "admin_view",
    "client_tooltip",
    "client_view",
    "headline",
    "marked_up",
    "usd",
]

_HUNDRED = Decimal(100)
_TOKEN_FIELDS: tuple[str, ...] = (
    "input_per_1m",
    "output_per_1m",
    "cached_input_per_1m",
    "batch_input_per_1m",
    "batch_output_per_1m",
)
_UNIT_FIELDS = tuple(f for f in MONEY_FIELDS if not f.endswith("_per_1m"))

CLIENT_TOOLTIPS: dict[str, str] = {
    "model_temporarily_unavailable": "Price is estimated - final pricing coming soon",
    "cost_not_published": "Price not yet confirmed by provider",
    "new_model_pending": "New model - pricing being finalized",
    "provider_api_error": "Price temporarily unavailable",
    "provider_rate_limited": "Price temporarily unavailable",
    "deprecated_model": "Legacy model - estimated pricing",
    "preview_beta_model": "Preview model - pricing may change",
}
DEFAULT_TOOLTIP = "Price is estimated and may change"


def client_tooltip(reason: str | None) -> str:
    return CLIENT_TOOLTIPS.get(reason or "", DEFAULT_TOOLTIP)


def usd(value: Decimal | None, suffix: str = "") -> str | None:
    """``$4.20``: at least two decimals, more when the amount needs them."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    whole, _, frac = text.partition(".")
    return f"${whole}.{frac.ljust(2, '0')}{suffix}"


def marked_up(sheet: PriceSheet, percent: Decimal) -> dict[str, Decimal]:
    """Every money field of ``sheet`` as a price."""
    return {name: apply_markup(value, percent) for name, value in sheet.prices().items()}


def headline(values: dict[str, Decimal]) -> tuple[str, Decimal] | None:
    """The value a person compares first: the input token price, or the first unit price."""
    for name in ("input_per_1m", "output_per_1m", *_UNIT_FIELDS):
        if name in values:
            return name, values[name]
    return None


class _View(BaseModel):
    model_config = ConfigDict(frozen=True, protected_namespaces=())


class RouteFacts(_View):
    """Who and where: shared by both views."""

    model_id: str
    model_display_name: str
    provider_id: str
    provider_display_name: str
    route_id: str
    platform: str
    hosting_type: str
    pricing_type: str


class CostBlock(_View):
    input_per_1m: Decimal | None = None
    output_per_1m: Decimal | None = None
    cached_input_per_1m: Decimal | None = None
    batch_input_per_1m: Decimal | None = None
    batch_output_per_1m: Decimal | None = None
    units: dict[str, Decimal] = {}
    source: str
    last_updated: datetime | None
    display: dict[str, str] = {}


class MarkupBlock(_View):
    percent: Decimal
    source: str
    is_overridden: bool
    overridden_by: str | None = None
    overridden_at: datetime | None = None
    reason: str | None = None
    expires_at: datetime | None = None


class PriceBlock(_View):
    input_per_1m: Decimal | None = None
    output_per_1m: Decimal | None = None
    cached_input_per_1m: Decimal | None = None
    batch_input_per_1m: Decimal | None = None
    batch_output_per_1m: Decimal | None = None
    units: dict[str, Decimal] = {}
    display: dict[str, str] = {}


class MarginBlock(_View):
    input_per_1m: Decimal | None
    output_per_1m: Decimal | None
    percent_of_price: Decimal | None


class EstimatedCostBlock(_View):
    is_estimated: bool
    reason: str | None = None
    confidence: Decimal | None = None
    source_models: list[str] = []
    admin_can_adjust: bool
    awaiting_real_cost: bool
    alert_id: int | None = None


class AdminActions(_View):
    can_override_markup: bool
    can_adjust_estimated_cost: bool
    can_force_sync: bool


class AdminPricingView(RouteFacts):
    view: Literal["admin"] = "admin"
    cost: CostBlock
    markup: MarkupBlock
    price: PriceBlock
    margin: MarginBlock
    estimated_cost: EstimatedCostBlock
    actions: AdminActions


class SavingsOption(_View):
    available: bool
    input_per_1m: Decimal
    output_per_1m: Decimal | None = None
    savings_percent: Decimal
    description: str


class Badge(_View):
    text: str
    tooltip: str
    variant: Literal["warning", "info"]


class EstimatedPrice(_View):
    is_estimated: bool
    badge: Badge | None = None


class ClientPrices(_View):
    input_per_1m: Decimal | None = None
    output_per_1m: Decimal | None = None
    units: dict[str, Decimal] = {}
    display: dict[str, str] = {}


class ClientPricingView(_View):
    view: Literal["client"] = "client"
    model_id: str
    model_display_name: str
    provider_display_name: str
    route_id: str
    platform: str
    pricing_type: str
    prices: ClientPrices
    savings_options: dict[str, SavingsOption] = {}
    estimated_price: EstimatedPrice
    price_tier: Literal["budget", "standard", "premium"] | None
    compared_to_average: Literal["cheaper", "average", "expensive"] | None


def _blocks(values: dict[str, Decimal]) -> dict[str, object]:
    tokens = {name: values.get(name) for name in _TOKEN_FIELDS}
    units = {name: values[name] for name in _UNIT_FIELDS if name in values}
    display = {name: text for name, v in values.items() if (text := usd(v)) is not None}
    return {**tokens, "units": units, "display": display}


def admin_view(
    facts: RouteFacts,
    sheet: PriceSheet,
    markup: Markup,
    estimate: EstimateInfo | None = None,
    prices: dict[str, Decimal] | None = None,
) -> AdminPricingView:
    """The administrator's view of one route. ``prices`` overrides the marked-up values
    (a tenant's custom prices)."""
    costs = sheet.prices()
    price_values = prices if prices is not None else marked_up(sheet, markup.percent)
    margin_in = _margin(price_values, costs, "input_per_1m")
    margin_out = _margin(price_values, costs, "output_per_1m")
    head_price = headline(price_values)
    head_cost = headline(costs)
    percent_of_price = None
    if head_price and head_cost:
        percent_of_price = percent_of(head_price[1] - head_cost[1], head_price[1])
    return AdminPricingView(
        **facts.model_dump(),
        cost=CostBlock(
            **_blocks(costs),
            source=sheet.source.value,
            last_updated=sheet.last_verified_at or sheet.effective_from,
        ),
        markup=MarkupBlock(
            percent=markup.percent,
            source=markup.source.value,
            is_overridden=markup.is_overridden,
            overridden_by=markup.set_by,
            overridden_at=markup.set_at,
            reason=markup.reason,
            expires_at=markup.expires_at,
        ),
        price=PriceBlock(**_blocks(price_values)),
        margin=MarginBlock(
            input_per_1m=margin_in, output_per_1m=margin_out, percent_of_price=percent_of_price
        ),
        estimated_cost=EstimatedCostBlock(
            is_estimated=sheet.is_estimated,
            reason=estimate.reason if estimate else None,
            confidence=estimate.confidence if estimate else None,
            source_models=[m.display_name for m in estimate.source_models] if estimate else [],
            admin_can_adjust=sheet.is_estimated,
            awaiting_real_cost=sheet.is_estimated,
            alert_id=estimate.alert_id if estimate else None,
        ),
        actions=AdminActions(
            can_override_markup=True,
            can_adjust_estimated_cost=sheet.is_estimated,
            can_force_sync=True,
        ),
    )


def _margin(prices: dict[str, Decimal], costs: dict[str, Decimal], name: str) -> Decimal | None:
    if name in prices and name in costs:
        return prices[name] - costs[name]
    return None


def client_view(
    facts: RouteFacts,
    prices: dict[str, Decimal],
    *,
    is_estimated: bool,
    reason: str | None,
    average: Decimal | None,
) -> ClientPricingView:
    """The client's view of one route, from its PRICES only.

    ``average``: the average price of the same headline unit across the registry.
    """
    tier, compared = _tier(prices, average)
    token_suffix = " / 1M tokens"  # noqa: S105 - a label
    display = {
        name: text
        for name, value in prices.items()
        if (text := usd(value, token_suffix if name.endswith("_per_1m") else "")) is not None
    }
    return ClientPricingView(
        model_id=facts.model_id,
        model_display_name=facts.model_display_name,
        provider_display_name=facts.provider_display_name,
        route_id=facts.route_id,
        platform=facts.platform,
        pricing_type=facts.pricing_type,
        prices=ClientPrices(
            input_per_1m=prices.get("input_per_1m"),
            output_per_1m=prices.get("output_per_1m"),
            units={name: prices[name] for name in _UNIT_FIELDS if name in prices},
            display=display,
        ),
        savings_options=_savings(prices),
        estimated_price=EstimatedPrice(
            is_estimated=is_estimated,
            badge=Badge(text="Estimated", tooltip=client_tooltip(reason), variant="warning")
            if is_estimated
            else None,
        ),
        price_tier=tier,
        compared_to_average=compared,
    )


_Tier = Literal["budget", "standard", "premium"]
_Compared = Literal["cheaper", "average", "expensive"]


def _tier(
    prices: dict[str, Decimal], average: Decimal | None
) -> tuple[_Tier | None, _Compared | None]:
    head = headline(prices)
    if head is None or average is None or not average:
        return None, None
    value = head[1]
    if value < average * Decimal("0.7"):
        return "budget", "cheaper"
    if value > average * Decimal("1.3"):
        return "premium", "expensive"
    return "standard", "average"


def _savings(prices: dict[str, Decimal]) -> dict[str, SavingsOption]:
    options: dict[str, SavingsOption] = {}
    base_in, base_out = prices.get("input_per_1m"), prices.get("output_per_1m")
    cached = prices.get("cached_input_per_1m")
    if cached is not None and base_in:
        off = _percent_off(cached, base_in)
        options["caching"] = SavingsOption(
            available=True,
            input_per_1m=cached,
            savings_percent=off,
            description=f"{off}% off with context caching",
        )
    batch_in = prices.get("batch_input_per_1m")
    if batch_in is not None and base_in:
        off = _percent_off(batch_in, base_in)
        options["batch"] = SavingsOption(
            available=True,
            input_per_1m=batch_in,
            output_per_1m=prices.get("batch_output_per_1m", base_out),
            savings_percent=off,
            description=f"{off}% off with batch API (24h)",
        )
    return options


def _percent_off(reduced: Decimal, base: Decimal) -> Decimal:
    return ((base - reduced) * _HUNDRED / base).quantize(Decimal(1)).normalize() + 0
