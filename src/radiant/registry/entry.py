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

__all__ = ["ModelEntry", "build_entry", "hosting_by_platform"]


@dataclass(frozen=True, slots=True)
class ModelEntry:
    model: Model
    #: Routes in fallback order: active first, priority, cheapest input price, platform id.
    routes: tuple[Route, ...]
    hosting_types: frozenset[HostingType]
    platform_ids: frozenset[str]
    task: Task
    #: Cheapest active per-token prices over the routes (None when no route is per token).
    input_price: Decimal | None
    output_price: Decimal | None
    health: HealthStatus
    thermal_state: ThermalState | None

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def search_text(self) -> str:
        """What a text search looks in: the id, every alias, the name, the display name
        and the description, case-folded (made when asked: most snapshots serve no
        text search; the snapshot keeps the texts of its entries once one does)."""
        model = self.model
        parts = [model.id, *model.aliases, model.name, model.display_name, model.description]
        return " ".join(parts).casefold()

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


_NO_PRICE = Decimal("Infinity")


def _route_order(route: Route) -> tuple[int, int, Decimal, str]:
    price = route.price.input_per_1m if route.price and route.price.input_per_1m else None
    return (
        0 if route.status is RouteStatus.ACTIVE else 1,
        route.priority,
        price if price is not None else _NO_PRICE,
        route.platform_id,  # the same order whatever order the routes came in
    )


def _in_order(routes: list[Route]) -> bool:
    """True when ``routes`` are in :func:`_route_order` already: all active, priorities
    rising, so no tie for the price or the platform to break. Cheaper to check than to
    sort."""
    previous = 0
    for route in routes:
        if route.status is not RouteStatus.ACTIVE or route.priority <= previous:
            return False
        previous = route.priority
    return True


def hosting_by_platform(platforms: dict[str, Platform]) -> dict[str, HostingType]:
    """What a route on each platform is (external or self-hosted): the argument of
    :func:`build_entry`, computed once per snapshot, not once per route."""
    return {pid: platform.kind.hosting for pid, platform in platforms.items()}


def build_entry(
    model: Model,
    routes: list[Route],
    hosting_of: dict[str, HostingType],
    health: HealthStatus,
    thermal: ThermalState | None,
) -> ModelEntry:
    """``hosting_of``: :func:`hosting_by_platform` of the snapshot's platforms."""
    ordered = tuple(routes) if _in_order(routes) else tuple(sorted(routes, key=_route_order))
    hosting: set[HostingType] = set()
    inputs: list[Decimal] = []
    outputs: list[Decimal] = []
    for route in ordered:
        kind = hosting_of.get(route.platform_id)
        if kind is not None:
            hosting.add(kind)
        price = route.price
        if (
            price is not None
            and price.pricing_type is PricingType.PER_TOKEN
            and route.status is RouteStatus.ACTIVE
        ):
            if price.input_per_1m is not None:
                inputs.append(price.input_per_1m)
            if price.output_per_1m is not None:
                outputs.append(price.output_per_1m)
    return ModelEntry(
        model=model,
        routes=ordered,
        hosting_types=frozenset(hosting),
        platform_ids=frozenset([r.platform_id for r in ordered]),
        task=model.primary_task,
        input_price=min(inputs) if inputs else None,
        output_price=min(outputs) if outputs else None,
        health=health,
        thermal_state=thermal,
    )
