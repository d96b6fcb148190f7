"""What selection precomputes once per snapshot: one slot per model and hosting type.

A *slot* is a model served one way (external or self-hosted) with that way's routes, its
thermal state, health, latency and the two static ranks of :mod:`radiant.selection.ranking`.
The index is built lazily the first time a snapshot is selected from and kept as long as
the snapshot lives; price tables (per markup book) and price orders (per token estimate)
are cached in it.
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from radiant.domain import (
    HealthStatus,
    HostingType,
    LifecycleStatus,
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
from radiant.selection.prices import PriceTable
from radiant.selection.ranking import dense_ranks, static_key, tail_key

__all__ = ["MISSING_PRICE", "PriceOrder", "SelectionIndex", "Slot", "selection_index"]
_READY = (ThermalState.WARM, ThermalState.HOT)
#: task, input tokens, output tokens, price table, hosting type (None: both)
OrderKey = tuple[str, int, int, int, str | None]
_ORDERS_KEPT = 32


@dataclass(frozen=True, slots=True, eq=False)
class Slot:
    pos: int
    entry: ModelEntry
    hosting: HostingType
    #: the routes of this hosting type, in the entry's order (active, priority, cheapest)
    routes: tuple[Route, ...]
    #: the first active one, or None
    first: Route | None
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


@dataclass(frozen=True, slots=True)
class PriceOrder:
    """A task's slots ranked for one token estimate, as (slot, price key) pairs.

    ``made`` keeps the plain candidate of each slot a selection took from the order, made
    on first use (selections read the first few slots of an order, over and over).
    """

    items: list[tuple[Slot, int]]
    made: dict[Slot, Candidate]
    table: PriceTable

    def __len__(self) -> int:
        return len(self.items)

    def candidate(self, slot: Slot, price: int) -> Candidate:
        found = self.made.get(slot)
        if found is None:
            assert slot.first is not None  # an order holds slots with an active route
            found = self.made[slot] = make_candidate(slot, slot.first, price, 0, self.table)
        return found


class SelectionIndex:
    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.by_pos: list[tuple[Slot, ...]] = []
        self.slots: list[Slot] = []
        self._build(snapshot)
        self.size = snapshot.size
        entries = snapshot.entries
        self._build_masks(entries, snapshot.size)
        self.eligible_mask = from_positions(
            (
                i
                for i, e in enumerate(entries)
                if e.model.enabled and e.model.status is not LifecycleStatus.INACTIVE
            ),
            snapshot.size,
        )
        self.deprecated_mask = from_positions(
            (i for i, e in enumerate(entries) if e.model.is_deprecated), snapshot.size
        )
        self.imported_mask = from_positions(
            (i for i, e in enumerate(entries) if e.model.imported), snapshot.size
        )
        self._lock = threading.Lock()
        self._tables: dict[int, PriceTable] = {}
        self._orders: dict[OrderKey, PriceOrder] = {}
        self._seen: dict[OrderKey, None] = {}

    def _build(self, snapshot: Snapshot) -> None:
        platforms = snapshot.platforms
        self_hosted = snapshot.providers.get("self_hosted")
        hosted_compliance = (
            frozenset(c.casefold() for c in self_hosted.compliance)
            if (self_hosted)
            else frozenset()
        )
        raw: list[tuple[int, ModelEntry, HostingType, tuple[Route, ...]]] = []
        for pos, entry in enumerate(snapshot.entries):
            groups: dict[HostingType, list[Route]] = {}
            for route in entry.routes:
                platform = platforms.get(route.platform_id)
                if platform is not None:
                    groups.setdefault(route.hosting_type(platform.kind), []).append(route)
            for hosting in (HostingType.EXTERNAL, HostingType.SELF_HOSTED):
                if hosting in groups:
                    raw.append((pos, entry, hosting, tuple(groups[hosting])))
        facts = [
            self._facts(snapshot, entry, hosting, hosted_compliance) for _, entry, hosting, _ in raw
        ]
        statics = dense_ranks([static_key(f[0], f[2], f[1]) for f in facts])
        tails = dense_ranks(
            [tail_key(entry.model.quality_score, entry.id, hosting) for _, entry, hosting, _ in raw]
        )
        by_pos: list[list[Slot]] = [[] for _ in snapshot.entries]
        for i, (pos, entry, hosting, routes) in enumerate(raw):
            thermal, health, latency, compliance = facts[i]
            provider = snapshot.providers.get(entry.model.provider_id)
            owners = {entry.model.provider_id}
            if provider is not None and provider.parent_id:
                owners.add(provider.parent_id)
            slot = Slot(
                pos=pos,
                entry=entry,
                hosting=hosting,
                routes=routes,
                first=next((r for r in routes if r.status is RouteStatus.ACTIVE), None),
                thermal=thermal,
                health=health,
                latency_ms=latency,
                min_tier=0 if hosting is HostingType.EXTERNAL else entry.model.min_tier,
                compliance=compliance,
                capabilities=frozenset(c.casefold() for c in entry.model.capabilities),
                providers=frozenset(owners),
                unhealthy=health is HealthStatus.UNHEALTHY,
                warmup_seconds=_warmup_seconds(routes)
                if hosting is HostingType.SELF_HOSTED
                else None,
                static_rank=statics[i],
                tail_rank=tails[i],
                warmup_required=hosting is HostingType.SELF_HOSTED
                and thermal in (ThermalState.COLD, ThermalState.OFF),
            )
            self.slots.append(slot)
            by_pos[pos].append(slot)
        self.by_pos = [tuple(slots) for slots in by_pos]

    def _build_masks(self, entries: list[ModelEntry], size: int) -> None:
        task: dict[str, list[int]] = defaultdict(list)
        caps: dict[str, list[int]] = defaultdict(list)
        inputs: dict[str, list[int]] = defaultdict(list)
        outputs: dict[str, list[int]] = defaultdict(list)
        hosting: dict[HostingType, list[int]] = defaultdict(list)
        for pos, entry in enumerate(entries):
            model = entry.model
            task[entry.task.value].append(pos)
            for cap in model.capabilities:
                caps[cap.casefold()].append(pos)
            for mod in model.input_modalities:
                inputs[mod.casefold()].append(pos)
            for mod in model.output_modalities:
                outputs[mod.casefold()].append(pos)
            for slot in self.by_pos[pos]:
                hosting[slot.hosting].append(pos)
        self.task_masks = {k: from_positions(v, size) for k, v in task.items()}
        self.capability_masks = {k: from_positions(v, size) for k, v in caps.items()}
        self.input_masks = {k: from_positions(v, size) for k, v in inputs.items()}
        self.output_masks = {k: from_positions(v, size) for k, v in outputs.items()}
        self.hosting_masks = {k: from_positions(v, size) for k, v in hosting.items()}
        compliance: dict[str, list[int]] = defaultdict(list)
        for pos in range(size):
            for name in {c for slot in self.by_pos[pos] for c in slot.compliance}:
                compliance[name].append(pos)
        self.compliance_masks = {k: from_positions(v, size) for k, v in compliance.items()}
        self.context = NumericIndex([e.model.context_window for e in entries], size)
        external = self.hosting_masks.get(HostingType.EXTERNAL, 0)
        # tier t: every model with an external route, and the others with min_tier <= t
        self.tier_masks = {
            tier: external
            | from_positions((i for i, e in enumerate(entries) if e.model.min_tier <= tier), size)
            for tier in range(1, 6)
        }

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

    @staticmethod
    def _facts(
        snapshot: Snapshot,
        entry: ModelEntry,
        hosting: HostingType,
        hosted_compliance: frozenset[str],
    ) -> tuple[ThermalState | None, HealthStatus, float | None, frozenset[str]]:
        if hosting is HostingType.SELF_HOSTED:
            thermal = entry.thermal_state
            health = HealthStatus.HEALTHY if thermal in _READY else HealthStatus.UNKNOWN
            return thermal, health, None, hosted_compliance
        record = snapshot.health.get(entry.model.provider_id)
        provider = snapshot.providers.get(entry.model.provider_id)
        compliance = (
            frozenset(c.casefold() for c in provider.compliance) if provider else frozenset()
        )
        if record is None:
            return None, HealthStatus.UNKNOWN, None, compliance
        latency = None if record.avg_latency_ms is None else float(record.avg_latency_ms)
        return None, record.status, latency, compliance

    # ------------------------------------------------------------------ prices

    def prices(self, book: MarkupBook) -> PriceTable:
        table = self._tables.get(id(book))
        if table is not None and table.book is book and table.fresh():
            return table
        with self._lock:
            table = PriceTable(list(self._routes()), book, datetime.now(UTC))
            if len(self._tables) > 8:
                self._tables.clear()
                self._orders.clear()
            self._tables[id(book)] = table
            self._orders = {k: v for k, v in self._orders.items() if k[3] != id(book)}
            return table

    def _routes(self) -> Iterable[tuple[Route, str, HostingType]]:
        for slot in self.slots:
            for route in slot.routes:
                yield route, slot.entry.model.provider_id, slot.hosting

    def order(
        self,
        table: PriceTable,
        task: str,
        input_tokens: int,
        output_tokens: int,
        hosting: str | None = None,
    ) -> PriceOrder | None:
        """The task's slots (of one hosting type, or all) with an active route, ranked by
        keys 1-3, price, 6-7 for this estimate.

        Orders are cached (a few dozen per markup book). An estimate seen for the first
        time returns None — ranking the passing candidates directly is cheaper than
        sorting every slot once — and its order is built when it comes again.
        """
        key = (task, input_tokens, output_tokens, id(table), hosting)
        found = self._orders.get(key)
        if found is not None:
            return found
        if key not in self._seen:
            if len(self._seen) > 4096:
                self._seen.clear()
            self._seen[key] = None
            return None
        ranked: list[tuple[int, int, int, Slot]] = []
        for slot in self.slots:
            if slot.first is None or slot.entry.task.value != task:
                continue
            if hosting is not None and slot.hosting.value != hosting:
                continue
            price = table.get(slot.first)
            cost = MISSING_PRICE if price is None else price.key(input_tokens, output_tokens)
            ranked.append((slot.static_rank, cost, slot.tail_rank, slot))
        ranked.sort(key=lambda item: item[:3])
        order = PriceOrder([(item[3], item[1]) for item in ranked], {}, table)
        with self._lock:
            if len(self._orders) >= _ORDERS_KEPT:
                self._orders.pop(next(iter(self._orders)))
            self._orders[key] = order
        return order


def _warmup_seconds(routes: tuple[Route, ...]) -> int | None:
    for route in routes:
        if route.self_hosted is not None:
            return route.self_hosted.thermal.warmup_time_seconds
    return None


_indexes: weakref.WeakKeyDictionary[Snapshot, SelectionIndex] = weakref.WeakKeyDictionary()
_build_lock = threading.Lock()


def selection_index(snapshot: Snapshot) -> SelectionIndex:
    """The index of ``snapshot``, built on first use and kept while the snapshot lives."""
    found = _indexes.get(snapshot)
    if found is None:
        with _build_lock:
            found = _indexes.get(snapshot)
            if found is None:
                found = _indexes[snapshot] = SelectionIndex(snapshot)
    return found
