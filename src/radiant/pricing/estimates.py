"""Estimated costs: a route with no published cost is priced from similar models.

Similarity of two models, 0-1 (exact decimals), is a weighted sum of four factors:

* category equal (0.35),
* capabilities, Jaccard overlap (0.30),
* context window, smaller / larger (0.15),
* provider family: same model 1, same provider or same family 1, else 0 (0.20).

The same model on another platform scores 1. The estimate is the similarity-weighted
average of the published (non-estimated) token costs of the ``limit`` most similar
models scoring at least ``min_similarity``; confidence is their mean similarity, scaled
down when fewer than three models were found.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

from radiant.domain import CostSource, Model, PriceSheet, PricingType, Route, RouteStatus

__all__ = [
    "EstimateInfo",
    "EstimatedCostReason",
    "SourceModel",
    "Severity",
    "estimate_cost",
    "reason_for",
    "recommendation",
    "severity",
    "similarity",
]

_ONE = Decimal(1)
_ZERO = Decimal(0)
_STEP = Decimal("0.0001")
FACTORS = ("category", "capabilities", "context_window", "provider_family")
_WEIGHTS = (Decimal("0.35"), Decimal("0.30"), Decimal("0.15"), Decimal("0.20"))

Severity = Literal["info", "warning", "critical"]


class EstimatedCostReason(StrEnum):
    MODEL_TEMPORARILY_UNAVAILABLE = "model_temporarily_unavailable"
    COST_NOT_PUBLISHED = "cost_not_published"
    NEW_MODEL_PENDING = "new_model_pending"
    PROVIDER_API_ERROR = "provider_api_error"
    PROVIDER_RATE_LIMITED = "provider_rate_limited"
    DEPRECATED_MODEL = "deprecated_model"
    PREVIEW_BETA_MODEL = "preview_beta_model"


class SourceModel(BaseModel):
    model_config = ConfigDict(frozen=True, protected_namespaces=())
    model_id: str
    display_name: str
    provider_id: str
    input_per_1m: Decimal
    output_per_1m: Decimal
    similarity_score: Decimal
    weight: Decimal


class EstimateInfo(BaseModel):
    model_config = ConfigDict(frozen=True, protected_namespaces=())
    reason: EstimatedCostReason
    confidence: Decimal
    source_models: list[SourceModel]
    calculation_method: Literal["weighted_average", "simple_average", "nearest_model"] = (
        "weighted_average"
    )
    similarity_factors: list[str] = list(FACTORS)
    alert_id: int | None = None


def similarity(a: Model, b: Model) -> Decimal:
    if a.id == b.id:
        return _ONE
    category = _ONE if a.category == b.category else _ZERO
    caps_a, caps_b = set(a.capabilities), set(b.capabilities)
    union = caps_a | caps_b
    caps = Decimal(len(caps_a & caps_b)) / Decimal(len(union)) if union else _ONE
    cw_a, cw_b = a.context_window or 0, b.context_window or 0
    context = Decimal(min(cw_a, cw_b)) / Decimal(max(cw_a, cw_b)) if cw_a and cw_b else _ZERO
    same_family = a.family is not None and a.family == b.family
    family = _ONE if a.provider_id == b.provider_id or same_family else _ZERO
    score = sum(
        (w * f for w, f in zip(_WEIGHTS, (category, caps, context, family), strict=True)), _ZERO
    )
    return score.quantize(_STEP)


def reason_for(model: Model, today: date | None = None) -> EstimatedCostReason:
    """Why a cost is estimated, from what the registry knows of the model."""
    if model.is_deprecated or model.is_legacy:
        return EstimatedCostReason.DEPRECATED_MODEL
    if model.is_preview or model.status.value in ("preview", "beta"):
        return EstimatedCostReason.PREVIEW_BETA_MODEL
    today = today or datetime.now(UTC).date()
    if model.release_date is not None and model.release_date > today - timedelta(days=30):
        return EstimatedCostReason.NEW_MODEL_PENDING
    return EstimatedCostReason.COST_NOT_PUBLISHED


def severity(confidence: Decimal) -> Severity:
    if confidence > Decimal("0.8"):
        return "info"
    if confidence > Decimal("0.5"):
        return "warning"
    return "critical"


_RECOMMENDATIONS: dict[str, str] = {
    "critical": "Low confidence estimate. Recommend manually verifying cost with provider "
    "or adjusting before customer usage.",
    "warning": "Moderate confidence estimate. Consider verifying with provider documentation.",
    "info": "High confidence estimate based on similar models. "
    "Will auto-update when real cost is available.",
}


def recommendation(level: Severity) -> str:
    return _RECOMMENDATIONS[level]


def _published(route: Route) -> PriceSheet | None:
    sheet = route.price
    if (
        sheet is None
        or sheet.is_estimated
        or route.status is not RouteStatus.ACTIVE
        or sheet.pricing_type is not PricingType.PER_TOKEN
        or sheet.input_per_1m is None
        or sheet.output_per_1m is None
    ):
        return None
    return sheet


def estimate_cost(
    model: Model,
    candidates: Iterable[tuple[Model, Iterable[Route]]],
    *,
    exclude_route: str | None = None,
    reason: EstimatedCostReason | None = None,
    limit: int = 5,
    min_similarity: Decimal = Decimal("0.3"),
    now: datetime | None = None,
) -> tuple[PriceSheet, EstimateInfo] | None:
    """An estimated per-token sheet for ``model`` from the published costs of ``candidates``
    (each model with its routes); None when nothing similar enough has a published cost."""
    scored: list[tuple[Decimal, Model, PriceSheet]] = []
    for other, routes in candidates:
        sheets = [s for r in routes if r.id != exclude_route and (s := _published(r))]
        if not sheets:
            continue
        score = similarity(model, other)
        if score >= min_similarity:
            cheapest = min(sheets, key=lambda s: (s.input_per_1m, s.output_per_1m))
            scored.append((score, other, cheapest))
    if not scored:
        return None
    scored.sort(key=lambda item: (-item[0], item[1].id))
    top = scored[:limit]
    total = sum((s for s, _, _ in top), _ZERO)
    inp = sum((s * sheet.input_per_1m for s, _, sheet in top if sheet.input_per_1m), _ZERO)
    out = sum((s * sheet.output_per_1m for s, _, sheet in top if sheet.output_per_1m), _ZERO)
    money = Decimal("1e-10")
    sources = [
        SourceModel(
            model_id=m.id,
            display_name=m.display_name,
            provider_id=m.provider_id,
            input_per_1m=sheet.input_per_1m or _ZERO,
            output_per_1m=sheet.output_per_1m or _ZERO,
            similarity_score=s,
            weight=(s / total).quantize(_STEP),
        )
        for s, m, sheet in top
    ]
    coverage = min(_ONE, Decimal(len(top)) / Decimal(3))
    confidence = (total / Decimal(len(top)) * coverage).quantize(Decimal("0.01"))
    when = now or datetime.now(UTC)
    sheet = PriceSheet(
        pricing_type=PricingType.PER_TOKEN,
        input_per_1m=(inp / total).quantize(money).normalize(),
        output_per_1m=(out / total).quantize(money).normalize(),
        effective_from=when,
        source=CostSource.ESTIMATED_AVERAGE,
        is_estimated=True,
        notes=f"estimated from {', '.join(m.id for _, m, _ in top)}",
    )
    info = EstimateInfo(
        reason=reason or reason_for(model, when.date()),
        confidence=confidence,
        source_models=sources,
    )
    return sheet, info
