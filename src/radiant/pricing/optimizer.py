"""The price optimizer: it optimises on PRICE, what the
customer pays, and explains its choice.

Every priced route of every model that has the required capabilities is a candidate; its
price for the request is computed three ways (plain, with caching, with caching and
batch), plus the self-hosted warm-up when the endpoint is COLD. Candidates are filtered
(availability, callable from this process — an adapter for the route's wire and its
credential set, unless ``include_uncallable`` —, estimated prices, minimum quality,
budget), ranked by price and by value (quality per dollar), and one is selected by the
preference: ``minimize`` the price, ``balance`` quality and price, or ``ignore`` the
price (best quality).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt

from radiant.domain import Route, RouteStatus, ThermalState
from radiant.domain.numbers import percent_of
from radiant.errors import NotFoundError, ValidationError
from radiant.pricing.cost import cost
from radiant.pricing.markup import Markup
from radiant.pricing.price import PricedUsage, price_usage
from radiant.pricing.usage import Usage
from radiant.registry import ModelEntry

__all__ = [
    "BudgetConstraints",
    "ModelPriceAnalysis",
    "OptimizationRequest",
    "OptimizationResult",
    "PriceWarning",
    "RequestShape",
    "analyse",
    "optimize",
]

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)
LOW_MARGIN_PERCENT = Decimal(20)
#: quality assumed for a model without a score when ranking by value
UNKNOWN_QUALITY = 50


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", protected_namespaces=())


class RequestShape(_Frozen):
    # strict: a JSON ``true`` is not one token
    estimated_input_tokens: StrictInt = Field(ge=0)
    estimated_output_tokens: StrictInt = Field(ge=0)
    can_use_caching: StrictBool = False
    cached_token_count: StrictInt = Field(default=0, ge=0)
    can_use_batch: StrictBool = False
    is_long_context: StrictBool = False
    requires_tool_calls: StrictBool = False
    estimated_tool_calls: StrictInt | None = Field(default=None, ge=0)


class BudgetConstraints(_Frozen):
    max_price_per_request: Decimal | None = Field(default=None, ge=0, allow_inf_nan=False)
    remaining_monthly_budget: Decimal | None = Field(default=None, ge=0, allow_inf_nan=False)


class OptimizationRequest(_Frozen):
    request: RequestShape
    required_capabilities: list[str] = []
    price_preference: Literal["minimize", "balance", "ignore"] = "minimize"
    min_quality_score: StrictFloat | None = Field(default=None, ge=0, le=100)
    include_estimated_pricing: StrictBool = True
    #: also routes this process cannot call (no adapter for the wire, no credential)
    include_uncallable: StrictBool = False
    budget_constraints: BudgetConstraints | None = None


class Breakdown(_Frozen):
    input_tokens_price: Decimal
    output_tokens_price: Decimal
    caching_discount: Decimal
    batch_discount: Decimal
    thermal_price: Decimal
    tool_calls_price: Decimal


class CalculatedPrices(_Frozen):
    standard_price: Decimal
    with_caching_price: Decimal | None
    with_batch_price: Decimal | None
    thermal_overhead_price: Decimal | None
    total_price: Decimal
    breakdown: Breakdown


class AdminCostInfo(_Frozen):
    total_cost: Decimal
    markup_percent: Decimal
    margin_amount: Decimal


class Flags(_Frozen):
    is_estimated_price: bool
    is_available: bool
    requires_warmup: bool
    warmup_wait_seconds: int | None
    #: whether this process can call the route, and why not
    is_callable: bool = True
    not_callable_reason: str | None = None


class Rankings(_Frozen):
    price_rank: int
    value_rank: int
    is_cheapest: bool
    is_best_value: bool
    is_recommended: bool


class ModelPriceAnalysis(_Frozen):
    model_id: str
    route_id: str
    platform: str
    provider_id: str
    display_name: str
    capabilities: list[str]
    quality_score: float | None
    calculated_prices: CalculatedPrices
    admin_cost_info: AdminCostInfo
    flags: Flags
    rankings: Rankings | None = None


class Summary(_Frozen):
    selected_price: Decimal
    cheapest_price: Decimal
    average_price: Decimal
    savings_vs_average: Decimal
    savings_percent: Decimal | None


class PriceWarning(_Frozen):
    type: str
    message: str
    model_id: str | None = None


class OptimizationResult(_Frozen):
    selected_model: ModelPriceAnalysis
    selection_reason: str
    all_candidates: list[ModelPriceAnalysis]
    summary: Summary
    client_warnings: list[PriceWarning]
    admin_warnings: list[PriceWarning]


MarkupOf = Callable[[ModelEntry, Route], Markup]


def _usages(shape: RequestShape) -> tuple[Usage, Usage, Usage]:
    """The request three ways: plain, with caching, with caching and batch."""
    cached = (
        min(shape.cached_token_count, shape.estimated_input_tokens) if shape.can_use_caching else 0
    )
    tools = (shape.estimated_tool_calls or 1) if shape.requires_tool_calls else 0
    plain = Usage(
        input_tokens=shape.estimated_input_tokens,
        output_tokens=shape.estimated_output_tokens,
        tool_calls=tools,
    )
    caching = Usage(
        input_tokens=shape.estimated_input_tokens - cached,
        cached_input_tokens=cached,
        output_tokens=shape.estimated_output_tokens,
        tool_calls=tools,
    )
    batch = Usage(
        input_tokens=caching.input_tokens,
        cached_input_tokens=cached,
        output_tokens=shape.estimated_output_tokens,
        tool_calls=tools,
        batch=shape.can_use_batch,
    )
    return plain, caching, batch


def _sum(priced: PricedUsage, items: Iterable[str]) -> Decimal:
    wanted = set(items)
    return sum((line.price for line in priced.lines if line.item in wanted), _ZERO)


_TOKENS = ("input_tokens", "cached_input_tokens", "output_tokens")


def analyse(
    entry: ModelEntry,
    route: Route,
    markup: Markup,
    shape: RequestShape,
    thermal: ThermalState | None,
    not_callable: str | None = None,
) -> ModelPriceAnalysis | None:
    """The price analysis of one route, or None when the route cannot price the request;
    ``not_callable`` is why this process cannot call the route (None: it can)."""
    plain_u, caching_u, batch_u = _usages(shape)
    try:
        plain = price_usage(cost(plain_u, route), markup)
        caching = price_usage(cost(caching_u, route), markup)
        total = price_usage(cost(batch_u, route, thermal_state=thermal), markup)
    except (ValidationError, NotFoundError):
        return None
    if not plain.lines:
        return None
    standard = _sum(plain, _TOKENS)
    cached = _sum(caching, _TOKENS)
    final_tokens = _sum(total, _TOKENS)
    thermal_price = _sum(total, ("warmup",))
    warmup = route.self_hosted.thermal.warmup_time_seconds if route.self_hosted else None
    cold = thermal is ThermalState.COLD and route.self_hosted is not None
    return ModelPriceAnalysis(
        model_id=entry.id,
        route_id=route.id,
        platform=route.platform_id,
        provider_id=entry.model.provider_id,
        display_name=entry.model.display_name,
        capabilities=list(entry.model.capabilities),
        quality_score=entry.model.quality_score,
        calculated_prices=CalculatedPrices(
            standard_price=plain.total_price,
            with_caching_price=caching.total_price if cached < standard else None,
            with_batch_price=total.total_price if total.batch else None,
            thermal_overhead_price=thermal_price or None,
            total_price=total.total_price,
            breakdown=Breakdown(
                input_tokens_price=_sum(total, ("input_tokens", "cached_input_tokens")),
                output_tokens_price=_sum(total, ("output_tokens",)),
                caching_discount=standard - cached,
                batch_discount=cached - final_tokens,
                thermal_price=thermal_price,
                tool_calls_price=_sum(total, ("tool_calls",)),
            ),
        ),
        admin_cost_info=AdminCostInfo(
            total_cost=total.total_cost,
            markup_percent=markup.percent,
            margin_amount=total.margin,
        ),
        flags=Flags(
            is_estimated_price=total.is_estimated,
            is_available=route.status is RouteStatus.ACTIVE,
            requires_warmup=cold,
            warmup_wait_seconds=warmup if cold else None,
            is_callable=not_callable is None,
            not_callable_reason=not_callable,
        ),
    )


def _value(c: ModelPriceAnalysis) -> Decimal:
    score = c.quality_score
    quality = Decimal(UNKNOWN_QUALITY) if score is None else Decimal(str(score))
    price = c.calculated_prices.total_price
    return quality / price if price else Decimal("Infinity")


def _eligible(
    candidates: list[ModelPriceAnalysis], req: OptimizationRequest
) -> list[ModelPriceAnalysis]:
    wanted = set(req.required_capabilities)
    eligible = [c for c in candidates if wanted <= set(c.capabilities) and c.flags.is_available]
    if not req.include_uncallable:
        eligible = [c for c in eligible if c.flags.is_callable]
    if not req.include_estimated_pricing:
        eligible = [c for c in eligible if not c.flags.is_estimated_price]
    if req.min_quality_score is not None:
        floor = req.min_quality_score
        eligible = [c for c in eligible if c.quality_score is not None and c.quality_score >= floor]
    budget = req.budget_constraints
    if budget is not None:
        for limit in (budget.max_price_per_request, budget.remaining_monthly_budget):
            if limit is not None:
                eligible = [c for c in eligible if c.calculated_prices.total_price <= limit]
    return eligible


def optimize(candidates: list[ModelPriceAnalysis], req: OptimizationRequest) -> OptimizationResult:
    """Select among analysed candidates; NotFoundError when none is eligible."""
    eligible = _eligible(candidates, req)
    if not eligible:
        callable_only = "" if req.include_uncallable else " on a route this server can call"
        raise NotFoundError(
            "candidate",
            "request",
            f"no model meets the capabilities, quality and budget asked{callable_only}",
        )
    by_price = sorted(eligible, key=lambda c: (c.calculated_prices.total_price, c.route_id))
    by_value = sorted(eligible, key=lambda c: (-_value(c), c.route_id))
    by_quality = sorted(
        eligible,
        key=lambda c: (-(c.quality_score or 0), c.calculated_prices.total_price, c.route_id),
    )
    order = {"minimize": by_price, "balance": by_value, "ignore": by_quality}[req.price_preference]
    price_rank = {c.route_id: i + 1 for i, c in enumerate(by_price)}
    value_rank = {c.route_id: i + 1 for i, c in enumerate(by_value)}
    ranked = [
        c.model_copy(
            update={
                "rankings": Rankings(
                    price_rank=price_rank[c.route_id],
                    value_rank=value_rank[c.route_id],
                    is_cheapest=price_rank[c.route_id] == 1,
                    is_best_value=value_rank[c.route_id] == 1,
                    is_recommended=c.route_id == order[0].route_id,
                )
            }
        )
        for c in order
    ]
    selected = ranked[0]
    prices = [c.calculated_prices.total_price for c in ranked]
    average = sum(prices, _ZERO) / len(prices)
    chosen = selected.calculated_prices.total_price
    savings = average - chosen
    return OptimizationResult(
        selected_model=selected,
        selection_reason=_reason(selected, req),
        all_candidates=ranked,
        summary=Summary(
            selected_price=chosen,
            cheapest_price=min(prices),
            average_price=average,
            savings_vs_average=savings,
            savings_percent=percent_of(savings, average),
        ),
        client_warnings=_client_warnings(selected, req),
        admin_warnings=_admin_warnings(selected),
    )


def _reason(model: ModelPriceAnalysis, req: OptimizationRequest) -> str:
    reasons: list[str] = []
    assert model.rankings is not None
    if model.rankings.is_cheapest:
        reasons.append("lowest price")
    elif model.rankings.is_best_value:
        reasons.append("best value (quality per dollar)")
    if req.price_preference == "minimize":
        reasons.append("optimized for minimum price")
    elif req.price_preference == "balance":
        reasons.append("balanced price and quality")
    else:
        reasons.append("highest quality, price ignored")
    if model.flags.is_estimated_price:
        reasons.append("note: estimated pricing")
    return f"Selected {model.display_name} on {model.platform}: {', '.join(reasons)}"


def _client_warnings(model: ModelPriceAnalysis, req: OptimizationRequest) -> list[PriceWarning]:
    warnings: list[PriceWarning] = []
    if model.flags.is_estimated_price:
        warnings.append(
            PriceWarning(type="estimated_price", message="Price is estimated and may change")
        )
    if model.flags.requires_warmup:
        warnings.append(
            PriceWarning(
                type="warmup_delay",
                message=f"Model requires ~{model.flags.warmup_wait_seconds}s warm-up",
            )
        )
    budget = req.budget_constraints
    remaining = budget.remaining_monthly_budget if budget else None
    if remaining is not None and model.calculated_prices.total_price * 10 > remaining:
        warnings.append(
            PriceWarning(
                type="near_budget", message="Fewer than 10 such requests left in the budget"
            )
        )
    return warnings


def _admin_warnings(model: ModelPriceAnalysis) -> list[PriceWarning]:
    warnings: list[PriceWarning] = []
    price = model.calculated_prices.total_price
    if price:
        margin = model.admin_cost_info.margin_amount * _HUNDRED / price
        if margin < LOW_MARGIN_PERCENT:
            warnings.append(
                PriceWarning(
                    type="low_margin",
                    message=f"Low margin ({margin:.1f}%) on {model.display_name}",
                    model_id=model.model_id,
                )
            )
    if model.flags.is_estimated_price:
        warnings.append(
            PriceWarning(
                type="estimated_cost",
                message=f"Cost for {model.display_name} is estimated - verify margin",
                model_id=model.model_id,
            )
        )
    return warnings
