"""A model as the snapshot holds it: the model, its routes and what is derived from them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from radiant.domain import (
    HealthStatus,
    HostingType,
    Model,
    Platform,
    PricingType,
    Route,
    RouteStatus,
    Task,
    ThermalState,
)

__all__ = ["ModelEntry", "build_entry"]


@dataclass(frozen=True, slots=True)
class ModelEntry:
    model: Model
    #: Routes in fallback order: priority, then cheapest input price.
    routes: tuple[Route, ...]
    hosting_types: frozenset[HostingType]
    platform_ids: frozenset[str]
    task: Task
    #: Cheapest active per-token prices over the routes (None when no route is per token).
    input_price: Decimal | None
    output_price: Decimal | None
    health: HealthStatus
    thermal_state: ThermalState | None
    search_text: str

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def hosting_type(self) -> str:
        """``external``, ``self_hosted``, or ``hybrid`` when it has routes of both kinds."""
        if len(self.hosting_types) > 1:
            return "hybrid"
        if self.hosting_types:
            return next(iter(self.hosting_types)).value
        return HostingType.EXTERNAL.value

    @property
    def is_estimated(self) -> bool:
        return any(r.price is not None and r.price.is_estimated for r in self.routes)


def _route_order(route: Route) -> tuple[int, int, Decimal]:
    price = route.price.input_per_1m if route.price and route.price.input_per_1m else None
    return (
        0 if route.status is RouteStatus.ACTIVE else 1,
        route.priority,
        price if price is not None else Decimal("Infinity"),
    )


def build_entry(
    model: Model,
    routes: list[Route],
    platforms: dict[str, Platform],
    health: HealthStatus,
    thermal: ThermalState | None,
) -> ModelEntry:
    ordered = tuple(sorted(routes, key=_route_order)) if len(routes) > 1 else tuple(routes)
    hosting = frozenset(
        [
            r.hosting_type(platforms[r.platform_id].kind)
            for r in ordered
            if r.platform_id in platforms
        ]
    )
    active = [r for r in ordered if r.status is RouteStatus.ACTIVE and r.price is not None]
    token = [r.price for r in active if r.price and r.price.pricing_type is PricingType.PER_TOKEN]
    inputs = [p.input_per_1m for p in token if p.input_per_1m is not None]
    outputs = [p.output_per_1m for p in token if p.output_per_1m is not None]
    text = " ".join(
        [model.id, *model.aliases, model.name, model.display_name, model.description]
    ).casefold()
    return ModelEntry(
        model=model,
        routes=ordered,
        hosting_types=hosting,
        platform_ids=frozenset(r.platform_id for r in ordered),
        task=model.primary_task,
        input_price=min(inputs) if inputs else None,
        output_price=min(outputs) if outputs else None,
        health=health,
        thermal_state=thermal,
        search_text=text,
    )
