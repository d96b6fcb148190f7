"""What selection precomputes once per snapshot: one slot per model and hosting type.

A *slot* is a model served one way (external or self-hosted) with that way's routes, its
thermal state, health, latency and the two static ranks of :mod:`radiant.selection.ranking`.
Every slot-level filter is also a bitset over model positions, one per hosting type
(:class:`HostingMasks`), so the slots passing a criteria's filters are a few integer ANDs
(:meth:`SelectionIndex.passing`).

A slot's *lead* route is its first active route this process can call (the snapshot says
which can: :attr:`radiant.registry.Snapshot.uncallable`), or with ``include_uncallable``
its first active route.

The index is built lazily the first time a snapshot is selected from and kept as long as
the snapshot lives; price tables (per markup book), price orders (per token estimate, for
estimates that come again) and price ladders (per task, for any estimate:
:mod:`radiant.selection.ladder`) are cached in it.
"""

from __future__ import annotations

import gc
import threading
import weakref
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from radiant.domain import (
    HealthStatus,
    HostingType,
    LifecycleStatus,
    Model,
    PlatformKind,
    Route,
    RouteStatus,
    ThermalState,
)
from radiant.pricing.markup import MarkupBook
from radiant.registry import ModelEntry, Snapshot
from radiant.registry.bitset import from_positions
from radiant.registry.numeric import NumericIndex
from radiant.selection.candidate import MISSING_PRICE, Candidate, make_candidate
from radiant.selection.criteria import HostingPreference, SelectionCriteria
from radiant.selection.ladder import Ladder
from radiant.selection.prices import PriceTable
from radiant.selection.ranking import dense_ranks, static_key

__all__ = [
    "HOSTINGS",
    "MISSING_PRICE",
    "Columns",
    "HostingMasks",
    "PriceOrder",
    "SelectionIndex",
    "Slot",
    "selection_index",
]
_READY = (ThermalState.WARM, ThermalState.HOT)
_COLD = (ThermalState.COLD, ThermalState.OFF)
HOSTINGS = (HostingType.EXTERNAL, HostingType.SELF_HOSTED)
#: task, input tokens, output tokens, price table, hosting type (None: both), uncallable too
OrderKey = tuple[str, int, int, int, str | None, bool]
#: price table, task, hosting type (None: both), uncallable too
LadderKey = tuple[int, str, str | None, bool]
_ORDERS_KEPT = 32
_MISSING = float("inf")
#: thermal, health, latency, tier, compliance, capabilities, owners, warm-up, warm-up needed
SlotFacts = tuple[
    ThermalState | None,
    HealthStatus,
    float | None,
    int,
    frozenset[str],
    frozenset[str],
    frozenset[str],
    int | None,
    bool,
]


@dataclass(slots=True, eq=False)
class Slot:
    """Never changed once built (not frozen: a frozen dataclass is built 10x slower)."""

    pos: int
    entry: ModelEntry
    hosting: HostingType
    #: the routes of this hosting type, in the entry's order (active, priority, cheapest)
    routes: tuple[Route, ...]
    #: the first active route this process can call, or None
    first: Route | None
    #: the first active route, callable or not, or None
    first_any: Route | None
    thermal: ThermalState | None
    health: HealthStatus
    latency_ms: float | None
    #: tier a tenant needs: 0 for external slots (open to every tier), else ``min_tier``
    min_tier: int
    compliance: frozenset[str]
    #: the model's capabilities, case-folded
    capabilities: frozenset[str]
    #: the model's provider and that provider's parent (for preferred providers)
    providers: frozenset[str]
    unhealthy: bool
    #: the warm-up time of a self-hosted slot's endpoint (None for external slots)
    warmup_seconds: int | None
    #: dense rank of keys 1-3 and of keys 6-7
    static_rank: int
    tail_rank: int
    #: self-hosted and COLD or OFF: a request would wait for the warm-up
    warmup_required: bool

    def lead(self, include_uncallable: bool) -> Route | None:
        """The route a selection without route filters uses."""
        return self.first_any if include_uncallable else self.first


@dataclass(slots=True)
class HostingMasks:
    """The models served one way (external or self-hosted), by what their slot is."""

    present: int
    #: the slot has an active route / an active route this process can call
    active: int
    ready: int
    unhealthy: int
    #: tier -> models whose slot a tenant of that tier may use
    tier: dict[int, int]
    #: certification (case-folded) -> models whose slot's provider holds it
    compliance: dict[str, int]
    #: the latency a request waits for in ms: an external provider's average latency, a
    #: COLD or OFF endpoint's warm-up; models without one are not in the index
    latency: NumericIndex
    latency_known: int


@dataclass(frozen=True, slots=True)
class Columns:
    """Per model position: id, task, context window, successor; per hosting type and
    position: the id of the slot's first route and the tier the slot needs (None: no
    slot)."""

    ids: list[str]
    tasks: list[str]
    windows: list[int | None]
    successors: list[str | None]
    first_ids: dict[HostingType, list[str | None]]
    tiers: dict[HostingType, list[int | None]]


@dataclass(frozen=True, slots=True)
class PriceOrder:
    """A task's slots ranked for one token estimate, as (slot, price key) pairs.

    ``made`` keeps the plain candidate of each slot a selection took from the order, made
    on first use (selections read the first few slots of an order, over and over).
    """

    items: list[tuple[Slot, int]]
    made: dict[Slot, Candidate]
    table: PriceTable
    include_uncallable: bool

    def __len__(self) -> int:
        return len(self.items)

    def candidate(self, slot: Slot, price: int) -> Candidate:
        found = self.made.get(slot)
        if found is None:
            route = slot.lead(self.include_uncallable)
            assert route is not None  # an order holds slots with a lead route
            found = self.made[slot] = make_candidate(slot, route, price, 0, self.table)
        return found


class SelectionIndex:
    def __init__(self, snapshot: Snapshot) -> None:
        # weak: the snapshot holds its index (Snapshot.derived), and a snapshot the registry
        # replaced must be freed as soon as its last reader is done, without a GC cycle
        self._snapshot = weakref.ref(snapshot)
        self.size = snapshot.size
        #: id(route) -> why this process cannot call it
        self.blocked: dict[int, str] = snapshot.blocked
        self.slots: list[Slot] = []
        self.slot_at: dict[HostingType, list[Slot | None]] = {}
        with paused_gc():
            self._build(snapshot)
            self._build_masks(snapshot)
        self._lock = threading.Lock()
        self._tables: dict[int, PriceTable] = {}
        self._orders: dict[OrderKey, PriceOrder] = {}
        self._seen: dict[OrderKey, None] = {}
        self._ladders: dict[LadderKey, Ladder] = {}
        self._columns: Columns | None = None
        #: (hosting type, include_uncallable) -> per model position: why the slot of that
        #: hosting type has no lead route (None: not asked yet)
        self.lead_failures: dict[tuple[HostingType, bool], list[tuple[str, str] | None]] = {}

    @property
    def snapshot(self) -> Snapshot:
        snapshot = self._snapshot()
        if snapshot is None:  # only a caller keeping the index without its snapshot
            raise RuntimeError("the snapshot of this selection index is gone")
        return snapshot

    # ------------------------------------------------------------------ building

    def _build(self, snapshot: Snapshot) -> None:
        providers = snapshot.providers
        self_hosted = providers.get("self_hosted")
        hosted_compliance = (
            frozenset(c.casefold() for c in self_hosted.compliance) if self_hosted else frozenset()
        )
        hosting_of = {
            pid: HostingType.SELF_HOSTED
            if p.kind in (PlatformKind.SELF_HOSTED, PlatformKind.LOCAL)
            else HostingType.EXTERNAL
            for pid, p in snapshot.platforms.items()
        }
        known = frozenset(hosting_of)
        external, hosted = HostingType.EXTERNAL, HostingType.SELF_HOSTED
        # what many models share is made once: capability sets, owners, provider facts,
        # static keys (one per provider for external slots, per thermal state for others)
        cap_sets: dict[tuple[str, ...], frozenset[str]] = {}
        folded: dict[str, str] = {}
        owner_sets: dict[str, frozenset[str]] = {}
        external_facts: dict[str, tuple[HealthStatus, float | None, frozenset[str]]] = {}
        external_keys: dict[str, tuple[int, float, int]] = {}
        hosted_keys: dict[ThermalState | None, tuple[int, float, int]] = {}
        raw: list[tuple[int, ModelEntry, HostingType, tuple[Route, ...]]] = []
        statics: list[tuple[int, float, int]] = []
        qualities: list[float] = []
        made: list[SlotFacts] = []
        for pos, entry in enumerate(snapshot.entries):
            ext_routes, own_routes = _split(entry, hosting_of, known)
            if not ext_routes and not own_routes:
                continue
            model = entry.model
            key = tuple(model.capabilities)
            caps = cap_sets.get(key)
            if caps is None:
                caps = cap_sets[key] = _folded(key, folded)
            provider_id = model.provider_id
            owners = owner_sets.get(provider_id)
            if owners is None:
                provider = providers.get(provider_id)
                parent = provider.parent_id if provider is not None else None
                owners = owner_sets[provider_id] = frozenset(
                    {provider_id, parent} if parent else {provider_id}
                )
            quality = _MISSING if model.quality_score is None else -model.quality_score
            if ext_routes:
                facts = external_facts.get(provider_id)
                if facts is None:
                    facts = external_facts[provider_id] = _external_facts(snapshot, model)
                    external_keys[provider_id] = static_key(None, facts[1], facts[0])
                health, latency, compliance = facts
                raw.append((pos, entry, external, tuple(ext_routes)))
                statics.append(external_keys[provider_id])
                qualities.append(quality)
                made.append((None, health, latency, 0, compliance, caps, owners, None, False))
            if own_routes:
                thermal = entry.thermal_state
                health = HealthStatus.HEALTHY if thermal in _READY else HealthStatus.UNKNOWN
                static = hosted_keys.get(thermal)
                if static is None:
                    static = hosted_keys[thermal] = static_key(thermal, None, health)
                own = tuple(own_routes)
                raw.append((pos, entry, hosted, own))
                statics.append(static)
                qualities.append(quality)
                made.append(
                    (
                        thermal,
                        health,
                        None,
                        model.min_tier,
                        hosted_compliance,
                        caps,
                        owners,
                        _warmup_seconds(own),
                        thermal in _COLD,
                    )
                )
        static_ranks = dense_ranks(statics)
        tail_ranks = _tail_ranks(snapshot.entries, raw, qualities)
        slot_at: dict[HostingType, list[Slot | None]] = {
            h: [None] * snapshot.size for h in HOSTINGS
        }
        ext_at, own_at = slot_at[external], slot_at[hosted]
        unhealthy = HealthStatus.UNHEALTHY
        active = RouteStatus.ACTIVE
        blocked = self.blocked
        slots = self.slots
        for i, (pos, entry, hosting, routes) in enumerate(raw):
            thermal, health, latency, tier, compliance, caps, owners, warmup, cold = made[i]
            lead = routes[0]
            first: Route | None
            first_any: Route | None
            if lead.status is active and id(lead) not in blocked:
                first = first_any = lead  # the usual case: the first route is the lead
            else:
                first, first_any = _leads(routes, blocked)
            slot = Slot(
                pos,
                entry,
                hosting,
                routes,
                first,
                first_any,
                thermal,
                health,
                latency,
                tier,
                compliance,
                caps,
                owners,
                health is unhealthy,
                warmup,
                static_ranks[i],
                tail_ranks[i],
                cold,
            )
            slots.append(slot)
            (ext_at if hosting is external else own_at)[pos] = slot
        self.slot_at = slot_at
        self.by_pos: list[tuple[Slot, ...]] = [
            (e, o)
            if e is not None and o is not None
            else (e,)
            if e is not None
            else (o,)
            if o is not None
            else ()
            for e, o in zip(ext_at, own_at, strict=True)
        ]

    def _build_masks(self, snapshot: Snapshot) -> None:
        entries, size = snapshot.entries, snapshot.size
        # the snapshot's exact-match indexes are these very sets (keys case-folded alike)
        self.task_masks = snapshot.masks("task")
        self.capability_masks = snapshot.masks("capability")
        self.input_masks = snapshot.masks("input_modality")
        self.output_masks = snapshot.masks("output_modality")
        eligible: list[int] = []
        deprecated: list[int] = []
        imported: list[int] = []
        inactive = LifecycleStatus.INACTIVE
        for pos, entry in enumerate(entries):
            model = entry.model
            if model.enabled and model.status is not inactive:
                eligible.append(pos)
            if model.is_deprecated:
                deprecated.append(pos)
            if model.imported:
                imported.append(pos)
        self.eligible_mask = from_positions(eligible, size)
        self.deprecated_mask = from_positions(deprecated, size)
        self.imported_mask = from_positions(imported, size)
        self.context = NumericIndex([e.model.context_window for e in entries], size)
        self.hosting = {h: self._hosting_masks(h, size) for h in HOSTINGS}
        self.hosting_masks = {h: m.present for h, m in self.hosting.items()}
        external = self.hosting[HostingType.EXTERNAL].present
        hosted = self.hosting[HostingType.SELF_HOSTED].present
        # some slot of the model holds the certification (each slot is checked later)
        names = set(self.hosting[HostingType.EXTERNAL].compliance)
        names |= set(self.hosting[HostingType.SELF_HOSTED].compliance)
        self.compliance_masks = {
            name: self.hosting[HostingType.EXTERNAL].compliance.get(name, 0)
            | self.hosting[HostingType.SELF_HOSTED].compliance.get(name, 0)
            for name in names
        }
        # tier t: every model with an external route, and the others with min_tier <= t
        self_tiers = self.hosting[HostingType.SELF_HOSTED].tier
        self.tier_masks = {tier: external | (hosted & self_tiers[tier]) for tier in range(1, 6)}

    def columns(self) -> Columns:
        """What explaining reads per position, made on first use."""
        found = self._columns
        if found is None:
            entries = self.snapshot.entries
            found = self._columns = Columns(
                ids=[e.id for e in entries],
                tasks=[e.task.value for e in entries],
                windows=[e.model.context_window for e in entries],
                successors=[e.model.successor_id for e in entries],
                first_ids={
                    h: [s.routes[0].id if s is not None else None for s in self.slot_at[h]]
                    for h in HOSTINGS
                },
                tiers={
                    h: [s.min_tier if s is not None else None for s in self.slot_at[h]]
                    for h in HOSTINGS
                },
            )
        return found

    def _hosting_masks(self, hosting: HostingType, size: int) -> HostingMasks:
        present: list[int] = []
        active: list[int] = []
        ready: list[int] = []
        unhealthy: list[int] = []
        by_tier: list[list[int]] = [[] for _ in range(6)]  # by min_tier 0 (external) .. 5
        compliance: dict[str, list[int]] = defaultdict(list)
        waits: list[float | None] = [None] * size
        known: list[int] = []
        for slot in self.slot_at[hosting]:
            if slot is None:
                continue
            pos = slot.pos
            present.append(pos)
            if slot.first_any is not None:
                active.append(pos)
                if slot.first is not None:
                    ready.append(pos)
            if slot.unhealthy:
                unhealthy.append(pos)
            if slot.min_tier <= 5:
                by_tier[max(slot.min_tier, 0)].append(pos)
            for name in slot.compliance:
                compliance[name].append(pos)
            wait = _wait_ms(slot)
            if wait is not None:
                waits[pos] = wait
                known.append(pos)
        # tier t: the slots needing at most t (external slots need 0)
        tiers: dict[int, int] = {}
        upto = from_positions(by_tier[0], size)
        for tier in range(1, 6):
            upto |= from_positions(by_tier[tier], size)
            tiers[tier] = upto
        return HostingMasks(
            present=from_positions(present, size),
            active=from_positions(active, size),
            ready=from_positions(ready, size),
            unhealthy=from_positions(unhealthy, size),
            tier=tiers,
            compliance={k: from_positions(v, size) for k, v in compliance.items()},
            latency=NumericIndex(waits, size),
            latency_known=from_positions(known, size),
        )

    # ------------------------------------------------------------------ filters

    def model_mask(self, criteria: SelectionCriteria) -> int:
        """Models passing every model-level filter of ``criteria``."""
        mask = self.task_masks.get(criteria.task.value, 0) & self.eligible_mask
        if not criteria.allow_deprecated:
            mask &= ~self.deprecated_mask
        if criteria.exclude_imported:
            mask &= ~self.imported_mask
        for mod in criteria.input_modalities:
            mask &= self.input_masks.get(mod.casefold(), 0)
        for mod in criteria.output_modalities:
            mask &= self.output_masks.get(mod.casefold(), 0)
        for cap in criteria.required_capabilities:
            mask &= self.capability_masks.get(cap.casefold(), 0)
        for cap in criteria.excluded_capabilities:
            mask &= ~self.capability_masks.get(cap.casefold(), 0)
        if criteria.hosting is not HostingPreference.ANY:
            mask &= self.hosting_masks.get(HostingType(criteria.hosting.value), 0)
        if criteria.tier is not None:
            mask &= self.tier_masks[criteria.tier]
        if criteria.min_context_window is not None:
            mask &= self.context.at_least(criteria.min_context_window)
        for name in criteria.compliance:  # some slot of the model holds it (then per slot)
            mask &= self.compliance_masks.get(name.casefold(), 0)
        return mask

    def passing(self, criteria: SelectionCriteria, mask: int, *, lead: bool = True) -> list[int]:
        """Per hosting type (in :data:`HOSTINGS` order), the models of ``mask`` whose slot
        passes every slot-level filter (hosting, tier, health, compliance, latency) and,
        with ``lead``, has a lead route (see :meth:`Slot.lead`)."""
        wanted = criteria.hosting
        found: list[int] = []
        for hosting in HOSTINGS:
            if wanted is not HostingPreference.ANY and wanted.value != hosting.value:
                found.append(0)
                continue
            masks = self.hosting[hosting]
            if lead:
                out = mask & (masks.active if criteria.include_uncallable else masks.ready)
            else:
                out = mask & masks.present
            out &= ~masks.unhealthy
            if criteria.tier is not None:
                out &= masks.tier[criteria.tier]
            for name in criteria.compliance:
                out &= masks.compliance.get(name.casefold(), 0)
            cap = criteria.max_latency_ms
            if cap is not None:
                out &= ~(masks.latency_known & ~masks.latency.at_most(cap))
            found.append(out)
        return found

    # ------------------------------------------------------------------ prices

    def prices(self, book: MarkupBook) -> PriceTable:
        table = self._tables.get(id(book))
        if table is not None and table.book is book and table.fresh():
            return table
        with self._lock, paused_gc():
            table = PriceTable(self._routes(), book, datetime.now(UTC))
            if len(self._tables) > 8:
                self._tables.clear()
                self._orders.clear()
                self._ladders.clear()
            self._tables[id(book)] = table
            self._orders = {k: v for k, v in self._orders.items() if k[3] != id(book)}
            self._ladders = {k: v for k, v in self._ladders.items() if k[0] != id(book)}
            return table

    def _routes(self) -> list[tuple[Route, str, HostingType]]:
        return [
            (route, slot.entry.model.provider_id, slot.hosting)
            for slot in self.slots
            for route in slot.routes
        ]

    def _members(
        self, task: str, hosting: str | None, include_uncallable: bool
    ) -> Iterable[tuple[Slot, Route]]:
        for slot in self.slots:
            # Task and HostingType are str enums: compared with their values as text
            if slot.entry.task != task:
                continue
            if hosting is not None and slot.hosting != hosting:
                continue
            route = slot.first_any if include_uncallable else slot.first
            if route is not None:
                yield slot, route

    def order(
        self,
        table: PriceTable,
        task: str,
        input_tokens: int,
        output_tokens: int,
        hosting: str | None = None,
        include_uncallable: bool = False,
    ) -> PriceOrder | None:
        """The task's slots (of one hosting type, or all) with a lead route, ranked by
        keys 1-3, price, 6-7 for this estimate.

        Orders are cached (a few dozen per markup book). An estimate seen for the first
        time returns None — ranking by the ladder is cheaper than sorting every slot once —
        and its order is built when it comes again.
        """
        key = (task, input_tokens, output_tokens, id(table), hosting, include_uncallable)
        found = self._orders.get(key)
        if found is not None:
            return found
        if key not in self._seen:
            if len(self._seen) > 4096:
                self._seen.clear()
            self._seen[key] = None
            return None
        ranked: list[tuple[int, int, int, Slot]] = []
        for slot, route in self._members(task, hosting, include_uncallable):
            price = table.get(route)
            cost = MISSING_PRICE if price is None else price.key(input_tokens, output_tokens)
            ranked.append((slot.static_rank, cost, slot.tail_rank, slot))
        ranked.sort(key=lambda item: item[:3])
        order = PriceOrder([(item[3], item[1]) for item in ranked], {}, table, include_uncallable)
        with self._lock:
            if len(self._orders) >= _ORDERS_KEPT:
                self._orders.pop(next(iter(self._orders)))
            self._orders[key] = order
        return order

    def ladder(
        self, table: PriceTable, task: str, hosting: str | None, include_uncallable: bool
    ) -> Ladder:
        """The task's slots with a lead route, for ranking by price at any estimate."""
        key = (id(table), task, hosting, include_uncallable)
        found = self._ladders.get(key)
        if found is None or found.table is not table:
            with paused_gc():
                found = Ladder(list(self._members(task, hosting, include_uncallable)), table)
            with self._lock:
                self._ladders[key] = found
        return found


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic collection meanwhile: what is built here lives on, and a collection
    triggered by its allocations would walk the whole snapshot (most of the time spent)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _folded(names: tuple[str, ...], folded: dict[str, str]) -> frozenset[str]:
    """``names`` case-folded; one folded string per name, kept in ``folded`` and shared by
    every set holding it (thousands of sets hold the same few capabilities)."""
    out: list[str] = []
    for name in names:
        found = folded.get(name)
        if found is None:
            found = folded[name] = name.casefold()
        out.append(found)
    return frozenset(out)


_ONLY_EXTERNAL = frozenset({HostingType.EXTERNAL})
_ONLY_HOSTED = frozenset({HostingType.SELF_HOSTED})


def _split(
    entry: ModelEntry, hosting_of: dict[str, HostingType], known: frozenset[str]
) -> tuple[Sequence[Route], Sequence[Route]]:
    """The entry's routes on known platforms: external ones, self-hosted ones. Usually
    every route is on a known platform of one hosting type: then they are all of it."""
    routes = entry.routes
    if not routes:
        return (), ()
    if entry.platform_ids <= known:
        kinds = entry.hosting_types
        if kinds == _ONLY_EXTERNAL:
            return routes, ()
        if kinds == _ONLY_HOSTED:
            return (), routes
    return _by_hosting(entry, hosting_of)


def _by_hosting(
    entry: ModelEntry, hosting_of: dict[str, HostingType]
) -> tuple[list[Route], list[Route]]:
    """The entry's routes on known platforms: external ones, self-hosted ones."""
    external: list[Route] = []
    hosted: list[Route] = []
    for route in entry.routes:
        kind = hosting_of.get(route.platform_id)
        if kind is not None:
            (hosted if kind is HostingType.SELF_HOSTED else external).append(route)
    return external, hosted


def _tail_ranks(
    entries: list[ModelEntry],
    raw: list[tuple[int, ModelEntry, HostingType, tuple[Route, ...]]],
    qualities: list[float],
) -> list[int]:
    """The dense rank of every slot's keys 6-7 (quality descending, model id, hosting type).

    ``raw`` lists the slots by model position, external first. When the entries are in
    strictly increasing id order (as :meth:`Snapshot.build` makes them), that is already
    the order of (model id, hosting type), every key is distinct, and a stable sort by
    quality alone gives the ranks; otherwise the keys are ranked whole.
    """
    ids = [e.model.id for e in entries]
    if not all(a < b for a, b in zip(ids, ids[1:], strict=False)):
        return dense_ranks(
            [
                (quality, item[1].model.id, 0 if item[2] is HostingType.EXTERNAL else 1)
                for quality, item in zip(qualities, raw, strict=True)
            ]
        )
    ranks = [0] * len(raw)
    for rank, i in enumerate(sorted(range(len(raw)), key=qualities.__getitem__)):
        ranks[i] = rank
    return ranks


def _leads(routes: tuple[Route, ...], blocked: dict[int, str]) -> tuple[Route | None, Route | None]:
    """The first active route this process can call, and the first active route."""
    first_any = None
    for route in routes:
        if route.status is RouteStatus.ACTIVE:
            if first_any is None:
                first_any = route
            if id(route) not in blocked:
                return route, first_any
    return None, first_any


def _external_facts(
    snapshot: Snapshot, model: Model
) -> tuple[HealthStatus, float | None, frozenset[str]]:
    """Health, average latency and certifications of an external slot: its provider's."""
    provider = snapshot.providers.get(model.provider_id)
    compliance = frozenset(c.casefold() for c in provider.compliance) if provider else frozenset()
    record = snapshot.health.get(model.provider_id)
    if record is None:
        return HealthStatus.UNKNOWN, None, compliance
    latency = None if record.avg_latency_ms is None else float(record.avg_latency_ms)
    return record.status, latency, compliance


def _warmup_seconds(routes: tuple[Route, ...]) -> int | None:
    for route in routes:
        if route.self_hosted is not None:
            return route.self_hosted.thermal.warmup_time_seconds
    return None


def _wait_ms(slot: Slot) -> float | None:
    """What the latency filter compares: average latency, or a needed warm-up, in ms."""
    if slot.latency_ms is not None:
        return slot.latency_ms
    if slot.warmup_required and slot.warmup_seconds is not None:
        return float(slot.warmup_seconds * 1000)
    return None


_build_lock = threading.Lock()
_KEY = "selection.index"


def selection_index(snapshot: Snapshot) -> SelectionIndex:
    """The index of ``snapshot``, built on first use and kept while the snapshot lives.

    It is kept on the snapshot itself (not in a weak mapping whose value would hold the
    snapshot alive: every snapshot ever selected from would stay in memory)."""
    found: SelectionIndex | None = snapshot.derived.get(_KEY)
    if found is None:
        with _build_lock:
            found = snapshot.derived.get(_KEY)
            if found is None:
                found = snapshot.derived[_KEY] = SelectionIndex(snapshot)
    return found


def prepare(snapshot: Snapshot, book: MarkupBook) -> None:
    """Build what the first selection on ``snapshot`` under ``book`` would: the index and
    its price table (the registry runs this before it serves a new snapshot)."""
    selection_index(snapshot).prices(book)
