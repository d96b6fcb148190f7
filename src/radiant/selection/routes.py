"""Routes of one model, and routes across models (docs/concepts.md, Route).

* :func:`rank_routes` — every route of a model, best first (``get_best_route``): usable
  routes (active, not unhealthy and callable from this process — an adapter serves the
  wire and the credential is set; ``include_uncallable`` waives that) first, then
  priority (1 = primary), health (healthy, degraded, other), success rate (highest
  first, missing last), average latency (lowest first, missing last), price (lowest
  first, missing last). A route's health is its platform's health record when there is
  one (an aggregator, a cloud, a host), else — for the provider's own API — the
  provider's; a self-hosted route is healthy when WARM or HOT. The usable ones, in that
  order, are the model's fallback chain.
* :func:`availability` — the routes of a model grouped by platform (``get_model_availability``).
* :func:`cheapest_routes` — the cheapest routes of any model for a prompt
  (``find_cheapest_route_for_prompt``): every active, priced route of every model that
  fits, not only each model's first (callable ones only, unless ``include_uncallable``).
* :func:`alternatives` — models to move to from a (deprecated) model: its successor
  first, then models of the same task and modalities with the most capabilities in
  common, in selection order among equals.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from radiant.domain import (
    HealthStatus,
    HostingType,
    PlatformKind,
    Route,
    RouteStatus,
    ThermalState,
)
from radiant.pricing.markup import Markup, MarkupBook
from radiant.registry import ModelEntry, Snapshot
from radiant.registry.bitset import positions
from radiant.selection.criteria import SelectionCriteria
from radiant.selection.engine import Candidate, select
from radiant.selection.index import MISSING_PRICE, selection_index
from radiant.selection.prices import DEFAULT_BOOK, PriceTable
from radiant.selection.ranked import slot_failure
from radiant.selection.ranking import health_rank

__all__ = [
    "CheapRoute",
    "Alternative",
    "RankedRoute",
    "availability",
    "alternatives",
    "cheapest_routes",
    "rank_routes",
]

_INF = float("inf")


@dataclass(frozen=True, slots=True)
class RankedRoute:
    route: Route
    hosting_type: HostingType
    health: HealthStatus
    usable: bool
    #: why the route is not usable (None when it is)
    reason: str | None
    #: estimated PRICE of one request of the given size (None: cannot be priced)
    price_per_request: Decimal | None
    markup: Markup | None
    #: why this process cannot call the route (no adapter, no credential); None: it can
    not_callable: str | None = None


def _route_health(
    snapshot: Snapshot, entry: ModelEntry, route: Route
) -> tuple[HostingType, HealthStatus]:
    platform = snapshot.platforms.get(route.platform_id)
    kind = platform.kind if platform is not None else PlatformKind.DIRECT
    hosting = route.hosting_type(kind)
    if hosting is HostingType.SELF_HOSTED:
        ready = entry.thermal_state in (ThermalState.WARM, ThermalState.HOT)
        return hosting, HealthStatus.HEALTHY if ready else HealthStatus.UNKNOWN
    record = snapshot.health.get(route.platform_id)
    if record is None and kind is PlatformKind.DIRECT:
        record = snapshot.health.get(entry.model.provider_id)
    return hosting, record.status if record is not None else HealthStatus.UNKNOWN


def rank_routes(
    snapshot: Snapshot,
    entry: ModelEntry,
    *,
    input_tokens: int = 1000,
    output_tokens: int = 500,
    markups: MarkupBook | None = None,
    include_uncallable: bool = False,
) -> list[RankedRoute]:
    table = selection_index(snapshot).prices(markups or DEFAULT_BOOK)
    ranked: list[tuple[tuple[bool, int, int, float, float, int, str], RankedRoute]] = []
    for route in entry.routes:
        hosting, health = _route_health(snapshot, entry, route)
        blocked = snapshot.not_callable(route)
        reason = None
        if route.status is not RouteStatus.ACTIVE:
            reason = f"route is {route.status.value}"
        elif blocked is not None and not include_uncallable:
            reason = f"not callable: {blocked}"
        elif health is HealthStatus.UNHEALTHY:
            reason = "route is unhealthy"
        price = table.get(route)
        key = None if price is None else price.key(input_tokens, output_tokens)
        item = RankedRoute(
            route,
            hosting,
            health,
            reason is None,
            reason,
            None if key is None else table.to_decimal(key),
            None if price is None else price.markup,
            blocked,
        )
        order = (
            reason is not None,
            route.priority,
            health_rank(health),
            -route.success_rate if route.success_rate is not None else _INF,
            route.avg_latency_ms if route.avg_latency_ms is not None else _INF,
            key if key is not None else MISSING_PRICE,
            route.platform_id,
        )
        ranked.append((order, item))
    ranked.sort(key=lambda pair: pair[0])
    return [item for _, item in ranked]


def availability(
    snapshot: Snapshot,
    entry: ModelEntry,
    *,
    markups: MarkupBook | None = None,
    include_uncallable: bool = False,
) -> dict[str, list[RankedRoute]]:
    """Every platform the model is on, with its routes there, best platform first."""
    grouped: dict[str, list[RankedRoute]] = {}
    ranked = rank_routes(snapshot, entry, markups=markups, include_uncallable=include_uncallable)
    for item in ranked:
        grouped.setdefault(item.route.platform_id, []).append(item)
    return grouped


@dataclass(frozen=True, slots=True)
class CheapRoute:
    entry: ModelEntry
    route: Route
    hosting_type: HostingType
    price_per_request: Decimal
    markup: Markup
    is_estimated: bool


def cheapest_routes(
    snapshot: Snapshot,
    criteria: SelectionCriteria,
    *,
    markups: MarkupBook | None = None,
) -> list[CheapRoute]:
    """The ``criteria.limit`` cheapest priced routes for a request of the estimated size."""
    index = selection_index(snapshot)
    table: PriceTable = index.prices(markups or DEFAULT_BOOK)
    blocked = {} if criteria.include_uncallable else index.blocked
    inp, out = criteria.estimated_input_tokens, criteria.estimated_output_tokens
    cap = criteria.max_price_per_request
    cap_key = table.cap_key(cap) if cap is not None else None
    mask = index.model_mask(criteria)
    found: list[tuple[int, int, str, CheapRoute]] = []
    for pos in positions(mask):
        for slot in index.by_pos[pos]:
            if slot_failure(slot, criteria) is not None:
                continue
            for route in slot.routes:
                price = table.get(route)
                if route.status is not RouteStatus.ACTIVE or price is None:
                    continue
                if id(route) in blocked:
                    continue
                if price.is_estimated and not criteria.include_estimated:
                    continue
                key = price.key(inp, out)
                if cap_key is not None and key > cap_key:
                    continue
                item = CheapRoute(
                    slot.entry,
                    route,
                    slot.hosting,
                    table.to_decimal(key),
                    price.markup,
                    price.is_estimated,
                )
                found.append((key, slot.tail_rank, route.platform_id, item))
    found.sort(key=lambda t: t[:3])
    return [t[3] for t in found[: criteria.limit]]


@dataclass(frozen=True, slots=True)
class Alternative:
    candidate: Candidate
    is_successor: bool
    shared_capabilities: list[str]


def alternatives(
    snapshot: Snapshot,
    entry: ModelEntry,
    *,
    tier: int | None = None,
    limit: int = 5,
    markups: MarkupBook | None = None,
) -> list[Alternative]:
    model = entry.model
    criteria = SelectionCriteria(
        task=entry.task,
        input_modalities=model.input_modalities,
        output_modalities=model.output_modalities,
        optional_capabilities=model.capabilities,
        tier=tier,
        limit=max(50, limit + 2),
    )
    found = select(snapshot, criteria, markups=markups).candidates
    successor = snapshot.find(model.successor_id) if model.successor_id else None
    chosen: list[Candidate] = []
    if successor is not None and successor.id != entry.id:
        own = [c for c in found if c.entry.id == successor.id]
        if not own:
            only = criteria.model_copy(
                update={
                    "input_modalities": [],
                    "output_modalities": [],
                    "task": successor.task,
                    "allow_deprecated": True,
                    "limit": 1000,
                }
            )
            own = [
                c
                for c in select(snapshot, only, markups=markups).candidates
                if c.entry.id == successor.id
            ]
        chosen.extend(own[:1])
    caps = {c.casefold() for c in model.capabilities}
    others = [c for c in found if c.entry.id not in {entry.id, *(x.entry.id for x in chosen)}]
    # more shared capabilities first, then the selection's order (sorted() is stable)
    others = sorted(others, key=lambda c: -c.optional_hits)
    chosen.extend(others)
    return [
        Alternative(
            c,
            successor is not None and c.entry.id == successor.id,
            sorted(cap for cap in c.entry.model.capabilities if cap.casefold() in caps),
        )
        for c in chosen[:limit]
    ]
