"""API schemas (also the CLI's ``--json`` shapes). Lists are ``{data, count}``.

Prices, never costs: every price a payload carries is what a customer pays (the route's
cost marked up, see :mod:`radiant.pricing`). Only callers who ``sees_cost`` get the
route's cost sheet and markup (``RouteAdmin``) and the catalog's notes, which quote
providers' costs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, field_serializer

from radiant.domain import Model, Platform, PriceSheet, Provider, Route
from radiant.pricing.lens import PriceLens
from radiant.registry import ModelEntry, Snapshot

__all__ = [
    "ListResponse",
    "ModelDetail",
    "ModelSummary",
    "PlatformPublic",
    "ProviderPublic",
    "RouteAdmin",
    "RoutePublic",
    "model_detail",
    "model_summary",
    "route_public",
]

T = TypeVar("T")


class ListResponse(BaseModel, Generic[T]):
    data: list[T]
    count: int


class _Public(BaseModel):
    model_config = ConfigDict(protected_namespaces=())


class PlatformPublic(Platform):
    pass


class ProviderPublic(Provider):
    pass


class RoutePublic(_Public):
    id: str
    model_id: str
    platform: str
    model_string: str
    hosting_type: str
    endpoint_override: str | None
    regions: list[str]
    priority: int
    status: str
    success_rate: float | None
    avg_latency_ms: float | None
    #: what a customer pays on this route, per unit (the cost sheet marked up)
    price: PriceSheet | None
    self_hosted: dict[str, Any] | None
    #: whether this server can call the route: an adapter serves its wire and its
    #: credential is set in this server's environment (selection skips it otherwise)
    callable: bool
    #: why not (no adapter for the wire, no credential), None when callable
    not_callable_reason: str | None


class RouteAdmin(RoutePublic):
    """A route as an administrator who sees costs gets it."""

    cost: PriceSheet | None
    markup_percent: Decimal | None
    markup_source: str | None

    @field_serializer("markup_percent", when_used="json")
    def _percent(self, value: Decimal | None) -> str | None:
        return None if value is None else format(value.normalize(), "f")


class ModelSummary(_Public):
    id: str
    name: str
    display_name: str
    provider: str
    hosting_type: str
    task: str
    category: str
    capabilities: list[str]
    input_modalities: list[str]
    output_modalities: list[str]
    context_window: int | None
    max_output_tokens: int | None
    status: str
    deprecated: bool
    min_tier: int
    input_price_per_1m: Decimal | None
    output_price_per_1m: Decimal | None
    is_estimated: bool

    @field_serializer("input_price_per_1m", "output_price_per_1m", when_used="json")
    def _money(self, value: Decimal | None) -> str | None:
        return None if value is None else format(value.normalize(), "f")


class ModelDetail(ModelSummary):
    aliases: list[str]
    description: str
    provider_name: str
    hosting_types: list[str]
    segment: str | None
    release_date: date | None
    max_input_tokens: int | None
    knowledge_cutoff: date | None
    open_weights: bool | None
    #: created by a pricing sync from a public catalog (metadata.imported says from what)
    imported: bool
    deprecation_date: date | None
    successor_id: str | None
    migration_guide: str | None
    family: str | None
    version: str | None
    is_preview: bool
    is_latest: bool
    is_recommended: bool
    is_novel: bool
    is_legacy: bool
    license: str | None
    license_url: str | None
    commercial_use_allowed: bool
    commercial_use_notes: str | None
    attribution_required: bool
    quality_score: float | None
    quality_source: str | None
    performance: dict[str, float]
    platform_configs: dict[str, dict[str, Any]]
    tags: list[str]
    self_hosted_specs: dict[str, Any] | None
    health: str
    thermal_state: str | None
    metadata: dict[str, Any]
    notes: list[str]
    routes: list[RouteAdmin | RoutePublic]


def route_public(route: Route, entry: ModelEntry, lens: PriceLens) -> RoutePublic:
    platform = lens.snapshot.platforms.get(route.platform_id)
    hosting = route.hosting_type(platform.kind).value if platform else "external"
    fields: dict[str, Any] = dict(
        id=route.id,
        model_id=route.model_id,
        platform=route.platform_id,
        model_string=route.model_string,
        hosting_type=hosting,
        endpoint_override=route.endpoint_override,
        regions=list(route.regions),
        priority=route.priority,
        status=route.status.value,
        success_rate=route.success_rate,
        avg_latency_ms=route.avg_latency_ms,
        price=lens.price_sheet(entry, route),
        self_hosted=_deployment(route, lens.sees_cost),
        callable=lens.snapshot.not_callable(route) is None,
        not_callable_reason=lens.snapshot.not_callable(route),
    )
    if not lens.sees_cost:
        return RoutePublic(**fields)
    markup = lens.markup(entry, route) if route.price is not None else None
    return RouteAdmin(
        **fields,
        cost=route.price,
        markup_percent=markup.percent if markup else None,
        markup_source=markup.source.value if markup else None,
    )


def _deployment(route: Route, sees_cost: bool) -> dict[str, Any] | None:
    """A self-hosted route's deployment; its markup only for those who see costs."""
    if route.self_hosted is None:
        return None
    exclude = None if sees_cost else {"markup_percent"}
    return route.self_hosted.model_dump(mode="json", exclude=exclude)


def _summary_fields(entry: ModelEntry, lens: PriceLens) -> dict[str, Any]:
    model: Model = entry.model
    input_price, output_price = lens.cheapest(entry)
    return {
        "id": model.id,
        "name": model.name,
        "display_name": model.display_name,
        "provider": model.provider_id,
        "hosting_type": entry.hosting_type,
        "task": entry.task.value,
        "category": model.category,
        "capabilities": list(model.capabilities),
        "input_modalities": list(model.input_modalities),
        "output_modalities": list(model.output_modalities),
        "context_window": model.context_window,
        "max_output_tokens": model.max_output_tokens,
        "status": model.status.value,
        "deprecated": model.is_deprecated,
        "min_tier": model.min_tier,
        "input_price_per_1m": input_price,
        "output_price_per_1m": output_price,
        "is_estimated": entry.is_estimated,
    }


def model_summary(entry: ModelEntry, lens: PriceLens) -> ModelSummary:
    return ModelSummary(**_summary_fields(entry, lens))


def model_detail(entry: ModelEntry, lens: PriceLens) -> ModelDetail:
    model = entry.model
    snapshot: Snapshot = lens.snapshot
    provider = snapshot.providers.get(model.provider_id)
    return ModelDetail(
        **_summary_fields(entry, lens),
        aliases=list(model.aliases),
        description=model.description,
        provider_name=provider.display_name if provider else model.provider_id,
        hosting_types=sorted(h.value for h in entry.hosting_types),
        segment=model.segment,
        release_date=model.release_date,
        max_input_tokens=model.max_input_tokens,
        knowledge_cutoff=model.knowledge_cutoff,
        open_weights=model.open_weights,
        imported=model.imported,
        deprecation_date=model.deprecation_date,
        successor_id=model.successor_id,
        migration_guide=model.migration_guide,
        family=model.family,
        version=model.version,
        is_preview=model.is_preview,
        is_latest=model.is_latest,
        is_recommended=model.is_recommended,
        is_novel=model.is_novel,
        is_legacy=model.is_legacy,
        license=model.license,
        license_url=model.license_url,
        commercial_use_allowed=model.commercial_use_allowed,
        commercial_use_notes=model.commercial_use_notes,
        attribution_required=model.attribution_required,
        quality_score=model.quality_score,
        quality_source=model.quality_source,
        performance=dict(model.performance),
        platform_configs=dict(model.platform_configs),
        tags=list(model.tags),
        self_hosted_specs=model.self_hosted.model_dump(mode="json") if model.self_hosted else None,
        health=entry.health.value,
        thermal_state=entry.thermal_state.value if entry.thermal_state else None,
        metadata=dict(model.metadata),
        notes=list(model.notes) if lens.sees_cost else [],
        routes=[route_public(r, entry, lens) for r in entry.routes],
    )


def list_priced(snapshot: Snapshot, query: Any, lens: PriceLens) -> tuple[list[ModelEntry], int]:
    """``snapshot.list(query)`` with its price bounds applied to PRICES, not costs.

    The snapshot's range index holds costs; a bound on what a customer pays is applied
    here over the prices the caller sees, before paging.
    """
    max_in, max_out = query.max_input_price, query.max_output_price
    if max_in is None and max_out is None:
        page = snapshot.list(query)
        return page.data, page.count
    wide = query.model_copy(
        update={"max_input_price": None, "max_output_price": None, "offset": 0, "limit": 1000}
    )
    kept = []
    offset = 0
    while True:
        page = snapshot.list(wide.model_copy(update={"offset": offset}))
        for entry in page.data:
            price_in, price_out = lens.cheapest(entry)
            if max_in is not None and (price_in is None or price_in > max_in):
                continue
            if max_out is not None and (price_out is None or price_out > max_out):
                continue
            kept.append(entry)
        offset += len(page.data)
        if not page.data or offset >= page.count:
            break
    return kept[query.offset : query.offset + query.limit], len(kept)
