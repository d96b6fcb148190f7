"""Selection on the snapshot: which (model, route) pairs fit the criteria, best first.

``select_model()`` (migration 0005's SQL) in memory: the model-level filters are bitset ANDs
over the :class:`~radiant.selection.index.SelectionIndex`, and so are the slot-level ones
(:meth:`~radiant.selection.index.SelectionIndex.passing`); only then are slots looked at
one by one. When no criterion can change which route a model uses (no region, price
cap, preferred platform or provider, estimated prices allowed), a slot's route is its lead
route and the candidates are ranked lazily: from the index's cached order when the token
estimate was seen before (:meth:`~radiant.selection.index.SelectionIndex.order`), else from
the task's price ladder (:mod:`radiant.selection.ladder`), either stopping at ``limit``;
when few slots pass, ranking them directly is cheaper and is done instead.

A candidate is a model served one way (external or self-hosted) on one route: the first
route of that hosting type (active, then priority, then cheapest) that passes the route
filters — active, callable from this process unless ``include_uncallable`` (an adapter
serves its wire and its credential is set: :mod:`radiant.providers.callability`), in the
region, priced if estimated prices are excluded, at most the price cap; a route on a
preferred platform wins over the model's other routes.

:func:`radiant.selection.engine.select` is the entry point; this module ranks, and
:mod:`radiant.selection.explain` builds on it to say why each excluded model lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from radiant.domain import HealthStatus, Route, RouteStatus
from radiant.registry import Snapshot
from radiant.registry.bitset import positions
from radiant.selection.candidate import Candidate, make_candidate
from radiant.selection.criteria import HostingPreference, SelectionCriteria
from radiant.selection.index import (
    HOSTINGS,
    MISSING_PRICE,
    PriceOrder,
    SelectionIndex,
    Slot,
)
from radiant.selection.prices import PriceTable

__all__ = ["Candidate", "Exclusion", "Selection", "ranked_directly", "ranked_simple"]

#: ranking by the ladder beats ranking every passing slot once passing**2 exceeds this
#: times limit * ladder size (a step of the ladder costs several of a direct ranking)
_LADDER_FACTOR = 6


class Exclusion(NamedTuple):
    """A model (``route_id`` None) or one of its slots (named by its first route) that
    failed check ``code``; a tuple: explaining 10,000 models makes thousands."""

    model_id: str
    route_id: str | None
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class Selection:
    candidates: list[Candidate]
    #: filled only with ``explain=True``
    excluded: list[Exclusion]
    #: how many candidates passed every filter (``candidates`` holds the first ``limit``);
    #: None when the selection stopped at ``limit`` without counting the rest
    total: int | None = None

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


def is_simple(criteria: SelectionCriteria) -> bool:
    """True when every slot's route is its lead route and no preference ranks first."""
    return not criteria.has_route_filters and not criteria.preferred_providers


def ranked_simple(
    index: SelectionIndex, table: PriceTable, criteria: SelectionCriteria, mask: int
) -> Selection:
    """Criteria without route filters: a cached order, the ladder, or ranking directly."""
    hosting = criteria.hosting.value if criteria.hosting is not HostingPreference.ANY else None
    inp, out = criteria.estimated_input_tokens, criteria.estimated_output_tokens
    flag = criteria.include_uncallable
    passing = index.passing(criteria, mask)
    order = index.order(table, criteria.task.value, inp, out, hosting, flag)
    if order is not None:
        # walking costs about limit * len(order) / count steps; ranking costs count
        count = mask.bit_count()
        if criteria.optional_capabilities or 4 * count * count >= criteria.limit * len(order):
            return _walk(index, table, criteria, passing, order)
        return ranked_directly(index, table, criteria, passing)
    count = sum(p.bit_count() for p in passing)
    if count < _LADDER_FACTOR * criteria.limit:  # the ladder holds at least count slots
        return ranked_directly(index, table, criteria, passing)
    ladder = index.ladder(table, criteria.task.value, hosting, flag)
    if count * count >= _LADDER_FACTOR * criteria.limit * ladder.size:
        wanted = frozenset(c.casefold() for c in criteria.optional_capabilities)
        found = ladder.best(inp, out, _as_bytes(passing, index.size), criteria.limit, wanted)
        return Selection(
            [make_candidate(s, r, k, h, table) for s, r, k, h in found],
            [],
            None,
        )
    return ranked_directly(index, table, criteria, passing)


def _as_bytes(masks: list[int], size: int) -> list[bytes]:
    width = (size + 7) // 8
    return [m.to_bytes(width, "little") for m in masks]


# ---------------------------------------------------------------------- shared checks


def slot_failure(slot: Slot, criteria: SelectionCriteria) -> tuple[str, str] | None:
    """The first slot-level check ``slot`` fails, as (code, reason), or None."""
    hosting = criteria.hosting
    if hosting is not HostingPreference.ANY and slot.hosting.value != hosting.value:
        return "hosting", f"served {slot.hosting.value}, {hosting.value} requested"
    if criteria.tier is not None and slot.min_tier > criteria.tier:
        return "tier", f"self-hosted needs tier {slot.min_tier}, tenant tier is {criteria.tier}"
    if slot.health is HealthStatus.UNHEALTHY:
        return "health", "provider is unhealthy"
    if criteria.compliance:
        missing = [c for c in criteria.compliance if c.casefold() not in slot.compliance]
        if missing:
            return "compliance", f"provider lacks {', '.join(missing)}"
    cap = criteria.max_latency_ms
    if cap is not None:
        if slot.latency_ms is not None and slot.latency_ms > cap:
            return "latency", f"average latency {slot.latency_ms:g} ms > {cap} ms"
        warmup = slot.warmup_seconds
        if slot.warmup_required and warmup is not None and warmup * 1000 > cap:
            return "latency", f"needs a {warmup} s warm-up > {cap} ms"
    return None


def in_region(route: Route, region: str, snapshot: Snapshot) -> bool:
    regions = route.regions
    if not regions:
        platform = snapshot.platforms.get(route.platform_id)
        regions = platform.regions if platform is not None else []
    if not regions:
        return True
    folded = region.casefold()
    return any(r.casefold() == folded for r in regions)


def choose_route(
    slot: Slot,
    criteria: SelectionCriteria,
    table: PriceTable,
    index: SelectionIndex,
    cap_key: int | None = None,
    *,
    why: bool = True,
) -> tuple[Route, int] | tuple[None, tuple[str, str]]:
    """The route of ``slot`` for ``criteria`` and its price key, or why none fits.

    ``cap_key`` is ``table.cap_key(criteria.max_price_per_request)`` (computed once by
    the caller); without it, it is computed here.
    """
    inp, out = criteria.estimated_input_tokens, criteria.estimated_output_tokens
    cap = criteria.max_price_per_request
    if cap_key is None and cap is not None:
        cap_key = table.cap_key(cap)
    preferred = criteria.preferred_platforms
    blocked = None if criteria.include_uncallable else index.blocked
    # without ``why`` the first failure is a placeholder: no message is built
    failure: tuple[str, str] | None = None if why else ("no_route", "")
    fallback: tuple[Route, int] | None = None
    for route in slot.routes:
        if route.status is not RouteStatus.ACTIVE:
            failure = failure or ("route_status", f"route {route.id} is {route.status.value}")
            continue
        if blocked:
            reason = blocked.get(id(route))
            if reason is not None:
                failure = failure or ("callable", f"route {route.id} is not callable: {reason}")
                continue
        if criteria.region and not in_region(route, criteria.region, index.snapshot):
            failure = failure or ("region", f"route {route.id} is not in {criteria.region}")
            continue
        price = table.by_route.get(id(route))
        if price is not None and price.is_estimated and not criteria.include_estimated:
            failure = failure or ("estimated", f"route {route.id} has an estimated price")
            continue
        key = (
            MISSING_PRICE
            if price is None
            else inp * price.input_rate + out * price.output_rate + price.fixed
        )
        if cap_key is not None and key > cap_key:
            if failure is None:
                what = "no price for a request" if price is None else f"${table.to_decimal(key)}"
                failure = ("price", f"route {route.id}: {what} > ${cap}")
            continue
        if preferred and route.platform_id not in preferred:
            fallback = fallback or (route, key)
            continue
        return route, key
    if fallback is not None:
        return fallback
    return None, failure or ("no_route", "no route")


def preference(slot: Slot, route: Route, criteria: SelectionCriteria) -> int:
    if not criteria.preferred_providers and not criteria.preferred_platforms:
        return 0
    if route.platform_id in criteria.preferred_platforms:
        return 0
    return 0 if not slot.providers.isdisjoint(criteria.preferred_providers) else 1


def optional_hits(slot: Slot, criteria: SelectionCriteria) -> int:
    caps = slot.capabilities
    return sum(1 for c in criteria.optional_capabilities if c.casefold() in caps)


RankKey = tuple[int, int, int, int, int]
Ranked = tuple[RankKey, Slot, Route, int, int]


def rank_key(
    slot: Slot, route: Route, price: int, hits: int, criteria: SelectionCriteria
) -> RankKey:
    return (preference(slot, route, criteria), slot.static_rank, -hits, price, slot.tail_rank)


# ---------------------------------------------------------------------- the paths


def _first(item: Ranked) -> RankKey:
    return item[0]


def rank_all(
    index: SelectionIndex,
    table: PriceTable,
    criteria: SelectionCriteria,
    passing: list[int],
    failures: list[tuple[Slot, tuple[str, str]]] | None = None,
) -> list[Ranked]:
    """Every slot of ``passing`` (per hosting type) that has a route for ``criteria``,
    ranked; with ``failures``, the others are added to it with the reason."""
    simple = is_simple(criteria)
    flag = criteria.include_uncallable
    # only a price cap: the lead route is the answer whenever it fits under the cap
    cap_only = (
        not simple
        and criteria.include_estimated
        and not criteria.region
        and not criteria.preferred_platforms
    )
    inp, out = criteria.estimated_input_tokens, criteria.estimated_output_tokens
    wanted = frozenset(c.casefold() for c in criteria.optional_capabilities)
    prefers = bool(criteria.preferred_providers or criteria.preferred_platforms)
    cap = criteria.max_price_per_request
    cap_key = table.cap_key(cap) if cap is not None else None
    ceiling = cap_key if cap_only else None
    prices = table.by_route
    why = failures is not None
    ranked: list[Ranked] = []
    for hosting, mask in zip(HOSTINGS, passing, strict=True):
        slot_at = index.slot_at[hosting]
        for pos in positions(mask):
            slot = slot_at[pos]
            assert slot is not None  # passing holds models with a slot of this type
            route = slot.lead(flag) if simple or cap_only else None
            if route is not None:
                price = prices.get(id(route))
                key = (
                    MISSING_PRICE
                    if price is None
                    else inp * price.input_rate + out * price.output_rate + price.fixed
                )
                if ceiling is not None and key > ceiling:
                    route = None
            if route is None:
                if simple:  # only explain asks for slots without a lead route
                    if failures is not None:
                        failures.append((slot, lead_failure(slot, criteria, table, index)))
                    continue
                found = choose_route(slot, criteria, table, index, cap_key, why=why)
                if found[0] is None:
                    if failures is not None:
                        failures.append((slot, found[1]))
                    continue
                route, key = found
            hits = len(wanted & slot.capabilities) if wanted else 0
            pref = preference(slot, route, criteria) if prefers else 0
            ranked.append(
                ((pref, slot.static_rank, -hits, key, slot.tail_rank), slot, route, key, hits)
            )
    ranked.sort(key=_first)
    return ranked


def lead_failure(
    slot: Slot, criteria: SelectionCriteria, table: PriceTable, index: SelectionIndex
) -> tuple[str, str]:
    """Why a slot has no lead route (no active route, or none this process can call):
    for criteria without route filters it depends on the slot alone, so it is kept."""
    key = (slot.hosting, criteria.include_uncallable)
    kept = index.lead_failures.get(key)
    if kept is None:
        kept = index.lead_failures.setdefault(key, [None] * index.size)
    known = kept[slot.pos]
    if known is None:
        found = choose_route(slot, criteria, table, index)
        assert found[0] is None, "a slot without a lead route has no route"
        known = kept[slot.pos] = found[1]
    return known


def ranked_directly(
    index: SelectionIndex, table: PriceTable, criteria: SelectionCriteria, passing: list[int]
) -> Selection:
    ranked = rank_all(index, table, criteria, passing)
    return Selection(
        [make_candidate(s, r, k, h, table) for _, s, r, k, h in ranked[: criteria.limit]],
        [],
        len(ranked),
    )


def _walk(
    index: SelectionIndex,
    table: PriceTable,
    criteria: SelectionCriteria,
    passing: list[int],
    order: PriceOrder,
) -> Selection:
    """Walk the order (keys 1-3, price, 6-7) and keep the first ``limit`` that pass.

    With optional capabilities, key 4 (matches, descending) sits between keys 1-3 and the
    price: within a run of equal keys 1-3, slots are bucketed by matches (each bucket stays
    in walk order) and the buckets are emitted best first at the end of the run. A full
    bucket of slots matching every optional capability ends the walk: nothing later beats it.
    """
    external, hosted = _as_bytes(passing, index.size)
    limit = criteria.limit
    wanted = frozenset(c.casefold() for c in criteria.optional_capabilities)
    top = len(wanted)
    chosen: list[Candidate] = []
    buckets: list[list[tuple[Slot, int, int]]] = [[] for _ in range(top + 1)]
    group = -1
    self_hosted = HOSTINGS[1]
    for slot, price in order.items:
        if wanted and slot.static_rank != group:
            if _flush(buckets, chosen, limit, table, criteria.include_uncallable):
                return Selection(chosen, [], None)
            group = slot.static_rank
        pos = slot.pos
        bits = hosted if slot.hosting is self_hosted else external
        if not (bits[pos >> 3] >> (pos & 7)) & 1:
            continue
        if not wanted:
            chosen.append(order.candidate(slot, price))
            if len(chosen) == limit:
                return Selection(chosen, [], None)
            continue
        hits = len(wanted & slot.capabilities)
        bucket = buckets[hits]
        if len(bucket) < limit:
            bucket.append((slot, price, hits))
            if hits == top and len(bucket) >= limit - len(chosen):
                _flush(buckets, chosen, limit, table, criteria.include_uncallable)
                return Selection(chosen, [], None)
    _flush(buckets, chosen, limit, table, criteria.include_uncallable)
    return Selection(chosen, [], len(chosen) if not wanted else None)


def _flush(
    buckets: list[list[tuple[Slot, int, int]]],
    chosen: list[Candidate],
    limit: int,
    table: PriceTable,
    include_uncallable: bool,
) -> bool:
    """Emit the buckets best first into ``chosen``; True once ``chosen`` is full."""
    for bucket in reversed(buckets):
        for slot, price, hits in bucket:
            if len(chosen) == limit:
                break
            route = slot.lead(include_uncallable)
            assert route is not None
            chosen.append(make_candidate(slot, route, price, hits, table))
        bucket.clear()
    return len(chosen) >= limit
