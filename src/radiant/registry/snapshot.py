"""An immutable, indexed, in-memory view of the registry at one version.

Every read and every selection runs here, with no SQL. Indexes are bitsets (see
:mod:`radiant.registry.bitset`) keyed by task, capability, modality, provider, platform,
hosting type, category and status, so a filtered listing is a handful of integer ANDs.

Whether each route can be called from this process is decided once, when the snapshot is
built, by an injected :data:`RouteCheck` (the registry passes
:class:`radiant.providers.callability.CallabilityCheck`); :attr:`Snapshot.uncallable` holds
the reason of every route that cannot be. Without a check every route counts as callable.
"""

from __future__ import annotations

import builtins
import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from radiant.domain import (
    HealthStatus,
    Model,
    Platform,
    Provider,
    ProviderHealth,
    Route,
    ThermalState,
    ThermalStatus,
)
from radiant.domain.base import canonical_category
from radiant.errors import ModelNotFoundError, NotFoundError
from radiant.registry.bitset import from_positions, positions
from radiant.registry.entry import ModelEntry, build_entry, hosting_by_platform
from radiant.registry.numeric import NumericIndex
from radiant.registry.query import ModelQuery
from radiant.store.registry_data import RegistryData

__all__ = ["Page", "RouteCheck", "Snapshot"]

#: why a route cannot be called from this process (None: it can), given its platform and
#: its model's provider (None when the provider is not in the registry)
RouteCheck = Callable[[Platform, Route, Provider | None], str | None]

#: The exact-match indexes: every one exists, even over an empty registry.
_INDEXES = (
    "capability",
    "input_modality",
    "output_modality",
    "provider",
    "platform",
    "hosting_type",
    "task",
    "category",
    "status",
)
_DATE_SUFFIX = re.compile(r"(?:[-@_](?:\d{8}|\d{4}-\d{2}-\d{2}))(?:-v\d+(?::\d+)?)?$")


@dataclass(frozen=True, slots=True)
class Page:
    data: list[ModelEntry]
    count: int


class Snapshot:
    """Build with :meth:`build`; never mutated afterwards."""

    def __init__(
        self,
        version: int,
        platforms: dict[str, Platform],
        providers: dict[str, Provider],
        entries: list[ModelEntry],
        health: dict[str, ProviderHealth],
        uncallable: dict[str, str] | None = None,
        blocked: dict[int, str] | None = None,
    ) -> None:
        self.version = version
        self.platforms = platforms
        self.providers = providers
        self.entries = entries
        self.health = health
        #: route id -> why this process cannot call that route (absent: it can)
        self.uncallable: dict[str, str] = uncallable if uncallable is not None else {}
        #: the same by route object (``id(route)`` of the routes in ``entries``)
        self.blocked: dict[int, str] = (
            blocked
            if blocked is not None
            else {
                id(r): reason
                for e in entries
                for r in e.routes
                if self.uncallable and (reason := self.uncallable.get(r.id)) is not None
            }
        )
        self.size = len(entries)
        self.all_mask = (1 << self.size) - 1
        self._names: dict[str, int] = {}
        self._folded: dict[str, int] = {}
        for pos, entry in enumerate(entries):
            for name in entry.model.names():
                self._names.setdefault(name, pos)
                folded = name.casefold()
                # most names are lower case already: keep one string, not an equal copy
                self._folded.setdefault(name if folded == name else folded, pos)
        self._index: dict[str, dict[str, int]] = self._build_indexes()
        self._numeric_cache: dict[tuple[str, Any], int] = {}
        self._text_cache: dict[str, int] = {}
        #: the range indexes, each made when a filter first asks for it
        self._ranges: dict[str, NumericIndex] = {}
        self._search_texts: list[str] | None = None
        self._undated_names: dict[str, set[int]] | None = None
        self._by_prefix: dict[str, list[str]] | None = None
        self._orders: dict[str, list[int]] = {}
        #: what engines derive from this snapshot (the selection index), kept while it lives
        self.derived: dict[str, Any] = {}

    # ------------------------------------------------------------------ building

    @classmethod
    def of(cls, data: RegistryData, route_check: RouteCheck | None = None) -> Snapshot:
        """The snapshot of the whole registry ``data`` holds (see :meth:`build`)."""
        return cls.build(
            data.version,
            data.platforms,
            data.providers,
            data.models,
            data.routes,
            data.health,
            data.thermal,
            route_check,
        )

    @classmethod
    def build(
        cls,
        version: int,
        platforms: Iterable[Platform],
        providers: Iterable[Provider],
        models: Iterable[Model],
        routes: Iterable[Route],
        health: Iterable[ProviderHealth] = (),
        thermal: Iterable[ThermalStatus] = (),
        route_check: RouteCheck | None = None,
    ) -> Snapshot:
        """``route_check`` runs once per route on a known platform (see :data:`RouteCheck`)."""
        platform_map = {p.id: p for p in platforms}
        provider_map = {p.id: p for p in providers}
        models = builtins.list(models)
        by_model: dict[str, list[Route]] = defaultdict(list)
        for route in routes:
            by_model[route.model_id].append(route)
        uncallable: dict[str, str] = {}
        blocked: dict[int, str] = {}
        if route_check is not None:
            for model in models:
                provider = provider_map.get(model.provider_id)
                for route in by_model.get(model.id, ()):
                    platform = platform_map.get(route.platform_id)
                    if platform is not None:
                        reason = route_check(platform, route, provider)
                        if reason:
                            uncallable[route.id] = reason
                            blocked[id(route)] = reason
        health_map = _provider_health(health)
        thermal_map = {t.model_id: t.current_state for t in thermal}
        hosting_of = hosting_by_platform(platform_map)
        entries = [
            build_entry(
                model,
                by_model.get(model.id, []),
                hosting_of,
                _model_health(model, health_map, thermal_map.get(model.id)),
                thermal_map.get(model.id),
            )
            for model in sorted(models, key=lambda m: m.id)
        ]
        return cls(version, platform_map, provider_map, entries, health_map, uncallable, blocked)

    def _build_indexes(self) -> dict[str, dict[str, int]]:
        raw: dict[str, dict[str, list[int]]] = {name: defaultdict(list) for name in _INDEXES}
        children: dict[str, list[str]] = defaultdict(list)
        for provider in self.providers.values():
            if provider.parent_id:
                children[provider.parent_id].append(provider.id)
        # ``_value_``: an enum's value without the (slow) ``value`` property
        for pos, entry in enumerate(self.entries):
            model = entry.model
            for cap in model.capabilities:
                raw["capability"][cap.casefold()].append(pos)
            for mod in model.input_modalities:
                raw["input_modality"][mod.casefold()].append(pos)
            for mod in model.output_modalities:
                raw["output_modality"][mod.casefold()].append(pos)
            raw["provider"][model.provider_id].append(pos)
            for platform_id in entry.platform_ids:
                raw["platform"][platform_id].append(pos)
            for hosting in entry.hosting_types:
                raw["hosting_type"][hosting._value_].append(pos)
            raw["task"][entry.task._value_].append(pos)
            raw["category"][model.category.casefold()].append(pos)
            raw["status"][model.status._value_].append(pos)
        for parent, kids in children.items():
            merged = raw["provider"][parent]
            for kid in kids:
                merged.extend(raw["provider"].get(kid, []))
        return {
            name: {key: from_positions(pos_list, self.size) for key, pos_list in keys.items()}
            for name, keys in raw.items()
        }

    def masks(self, index: str) -> dict[str, int]:
        """One exact-match index (one of ``capability``, ``input_modality``,
        ``output_modality``, ``provider``, ``platform``, ``hosting_type``, ``task``,
        ``category``, ``status``): key (case-folded where text) -> bitset of the models
        having it. Shared, not copied: never change it."""
        return self._index[index]

    # ------------------------------------------------------------------ lookups

    def resolve(self, name: str) -> ModelEntry:
        """The model known by ``name``: an id, any alias, ``provider:name``, a dated id."""
        pos = self._names.get(name)
        if pos is None:
            pos = self._folded.get(name.casefold())
            if pos is None:
                pos = self._resolve_slow(name)
        return self.entries[pos]

    def find(self, name: str) -> ModelEntry | None:
        """Like :meth:`resolve`, None for an unknown name (no suggestions computed: cheap)."""
        pos = self._names.get(name)
        if pos is None:
            pos = self._folded.get(name.casefold())
            if pos is None:
                pos = self._position(name)
        return None if pos is None else self.entries[pos]

    def _resolve_slow(self, name: str) -> int:
        pos = self._position(name)
        if pos is None:
            raise ModelNotFoundError(name, self.suggest(name))
        return pos

    def _position(self, name: str) -> int | None:
        folded = name.casefold().strip()
        for sep in (":", "/"):
            provider, _, rest = folded.partition(sep)
            if rest and provider in self.providers:
                pos = self._folded.get(rest)
                if pos is not None and self._provider_matches(self.entries[pos], provider):
                    return pos
        base = _DATE_SUFFIX.sub("", folded)
        if base != folded and base in self._folded:
            return self._folded[base]
        dated = self._undated().get(folded, set())
        if len(dated) == 1:
            return next(iter(dated))
        return None

    def _undated(self) -> dict[str, set[int]]:
        """Dated names by their undated form (``claude-x-20250101`` under ``claude-x``)."""
        if self._undated_names is None:
            undated: dict[str, set[int]] = defaultdict(set)
            for key, pos in self._folded.items():
                base = _DATE_SUFFIX.sub("", key)
                if base != key:
                    undated[base].add(pos)
            self._undated_names = dict(undated)
        return self._undated_names

    def _provider_matches(self, entry: ModelEntry, provider: str) -> bool:
        model_provider = entry.model.provider_id
        if model_provider == provider:
            return True
        parent = self.providers.get(model_provider)
        return parent is not None and parent.parent_id == provider

    def suggest(self, name: str, limit: int = 3) -> builtins.list[str]:
        """Close names, compared with the names sharing the first two letters (or the ids)."""
        folded = name.casefold()
        if self._by_prefix is None:
            by_prefix: dict[str, builtins.list[str]] = defaultdict(list)
            for key in self._folded:
                by_prefix[key[:2]].append(key)
            self._by_prefix = dict(by_prefix)
        pool = self._by_prefix.get(folded[:2], [])
        close = difflib.get_close_matches(folded, pool, n=limit * 3, cutoff=0.6)
        if not close:  # then the ids that share the first letter
            ids = [e.id.casefold() for e in self.entries if e.id[:1].casefold() == folded[:1]]
            close = difflib.get_close_matches(folded, ids, n=limit * 3, cutoff=0.6)
        seen: dict[str, None] = {}
        for key in close:
            seen.setdefault(self.entries[self._folded[key]].id, None)
        return builtins.list(seen)[:limit]

    def not_callable(self, route: Route) -> str | None:
        """Why this process cannot call ``route`` (no adapter, no credential), or None."""
        return self.uncallable.get(route.id)

    def platform(self, platform_id: str) -> Platform:
        try:
            return self.platforms[platform_id]
        except KeyError:
            raise NotFoundError("platform", platform_id) from None

    def provider(self, provider_id: str) -> Provider:
        try:
            return self.providers[provider_id]
        except KeyError:
            raise NotFoundError("provider", provider_id) from None

    # ------------------------------------------------------------------ listing

    def mask(self, query: ModelQuery) -> int:
        mask = self.all_mask
        idx = self._index
        for cap in query.capabilities:
            mask &= idx["capability"].get(cap.casefold(), 0)
        for cap in query.exclude_capabilities:
            mask &= ~idx["capability"].get(cap.casefold(), 0)
        for mod in query.input_modalities:
            mask &= idx["input_modality"].get(mod.casefold(), 0)
        for mod in query.output_modalities:
            mask &= idx["output_modality"].get(mod.casefold(), 0)
        mask = self._any(mask, "provider", query.provider)
        mask = self._any(mask, "platform", query.platform)
        mask = self._any(mask, "task", [t.value for t in query.task])
        mask = self._any(mask, "category", [canonical_category(c) for c in query.category])
        mask = self._any(mask, "status", [s.value for s in query.status])
        if query.hosting_type is not None:
            mask &= idx["hosting_type"].get(query.hosting_type.value, 0)
        if query.min_context_window is not None:
            mask &= self._numeric("context_window", query.min_context_window)
        if query.max_input_price is not None:
            mask &= self._numeric("input_price", query.max_input_price)
        if query.max_output_price is not None:
            mask &= self._numeric("output_price", query.max_output_price)
        if query.tier is not None:
            mask &= self._numeric("tier", query.tier)
        if query.q:
            mask &= self._text(query.q.casefold().strip())
        return mask

    def _any(self, mask: int, index: str, keys: list[str]) -> int:
        if not keys:
            return mask
        union = 0
        for key in keys:
            union |= self._index[index].get(key, 0)
        return mask & union

    def _numeric(self, field: str, bound: Any) -> int:
        key = (field, bound)
        cached = self._numeric_cache.get(key)
        if cached is None:
            index = self._ranges.get(field)
            if index is None:
                value = _RANGE_VALUES[field]
                index = NumericIndex([value(e) for e in self.entries], self.size)
                self._ranges = {**self._ranges, field: index}  # a new dict: readers keep theirs
            if field == "context_window":
                cached = index.at_least(bound)
            elif field == "tier":
                # external models are open to every tier; min_tier gates self-hosted ones
                cached = index.at_most(bound) | self._index["hosting_type"].get("external", 0)
            else:
                cached = index.at_most(bound)
            if len(self._numeric_cache) > 1024:
                self._numeric_cache.clear()
            self._numeric_cache[key] = cached
        return cached

    def _text(self, needle: str) -> int:
        cached = self._text_cache.get(needle)
        if cached is None:
            texts = self._search_texts
            if texts is None:
                texts = self._search_texts = [e.search_text for e in self.entries]
            cached = from_positions(
                (i for i, text in enumerate(texts) if needle in text), self.size
            )
            if len(self._text_cache) > 256:
                self._text_cache.clear()
            self._text_cache[needle] = cached
        return cached

    def list(self, query: ModelQuery) -> Page:
        mask = self.mask(query)
        count = mask.bit_count()
        if query.optional_capabilities:
            return Page(self._ranked(mask, query), count)
        if query.sort == "id" and not query.descending:
            data = []
            for pos in positions(mask, query.offset):
                data.append(self.entries[pos])
                if len(data) == query.limit:
                    break
            return Page(data, count)
        order = self._order(query.sort)
        chosen = sorted(positions(mask), key=order.__getitem__, reverse=query.descending)
        missing = _MISSING.get(query.sort)
        if query.descending and missing is not None:  # models without the value stay last
            chosen = [p for p in chosen if not missing(self.entries[p])] + [
                p for p in chosen if missing(self.entries[p])
            ]
        window = chosen[query.offset : query.offset + query.limit]
        return Page([self.entries[p] for p in window], count)

    def _ranked(self, mask: int, query: ModelQuery) -> builtins.list[ModelEntry]:
        wanted = [
            self._index["capability"].get(c.casefold(), 0) for c in query.optional_capabilities
        ]
        order = self._order(query.sort)

        def score(pos: int) -> tuple[int, int]:
            hits = sum(1 for m in wanted if (m >> pos) & 1)
            return (-hits, order[pos])

        chosen = sorted(positions(mask), key=score)
        return [self.entries[p] for p in chosen[query.offset : query.offset + query.limit]]

    def _order(self, key: str) -> builtins.list[int]:
        """Rank of every position under a sort key (missing values last)."""
        order = self._orders.get(key)
        if order is None:
            getter = _SORT_KEYS[key]
            ranked = sorted(range(self.size), key=lambda p: getter(self.entries[p]))
            order = [0] * self.size
            for rank, pos in enumerate(ranked):
                order[pos] = rank
            self._orders[key] = order
        return order

    # ------------------------------------------------------------------ aggregates

    def capability_matrix(self) -> dict[str, builtins.list[str]]:
        matrix: dict[str, builtins.list[str]] = {}
        for cap, mask in sorted(self._index["capability"].items()):
            matrix[cap] = [self.entries[p].id for p in positions(mask)]
        return matrix

    def stats(self) -> dict[str, Any]:
        hosting: Counter[str] = Counter()
        category: Counter[str] = Counter()
        provider: Counter[str] = Counter()
        health: Counter[str] = Counter()
        thermal: Counter[str] = Counter()
        task: Counter[str] = Counter()
        routes = 0
        for entry in self.entries:
            hosting[entry.hosting_type] += 1  # one each: external, self_hosted or hybrid
            category[entry.model.category] += 1
            provider[entry.model.provider_id] += 1
            health[entry.health.value] += 1
            task[entry.task.value] += 1
            if entry.thermal_state is not None:
                thermal[entry.thermal_state.value] += 1
            routes += len(entry.routes)
        return {
            "version": self.version,
            "models": self.size,
            "routes": routes,
            "providers": len(self.providers),
            "platforms": len(self.platforms),
            "by_hosting_type": dict(sorted(hosting.items())),
            "by_category": dict(sorted(category.items())),
            "by_provider": dict(sorted(provider.items())),
            "by_task": dict(sorted(task.items())),
            "by_health": dict(sorted(health.items())),
            "by_thermal_state": dict(sorted(thermal.items())),
        }


# ---------------------------------------------------------------------- helpers


def _provider_health(records: Iterable[ProviderHealth]) -> dict[str, ProviderHealth]:
    chosen: dict[str, ProviderHealth] = {}
    for record in records:
        current = chosen.get(record.provider_id)
        if current is None or record.region == "us-east-1":
            chosen[record.provider_id] = record
    return chosen


def _model_health(
    model: Model, health: dict[str, ProviderHealth], thermal: ThermalState | None
) -> HealthStatus:
    if thermal is not None and model.provider_id == "self_hosted":
        if thermal in (ThermalState.WARM, ThermalState.HOT):
            return HealthStatus.HEALTHY
        return HealthStatus.UNKNOWN
    record = health.get(model.provider_id)
    return record.status if record is not None else HealthStatus.UNKNOWN


_BIG = Decimal("Infinity")

_RANGE_VALUES: dict[str, Callable[[ModelEntry], Any]] = {
    "context_window": lambda e: e.model.context_window or 0,
    "input_price": lambda e: e.input_price,
    "output_price": lambda e: e.output_price,
    "tier": lambda e: e.model.min_tier,
}

_MISSING: dict[str, Callable[[ModelEntry], bool]] = {
    "input_price": lambda e: e.input_price is None,
    "output_price": lambda e: e.output_price is None,
    "context_window": lambda e: e.model.context_window is None,
    "release_date": lambda e: e.model.release_date is None,
}

_SORT_KEYS: dict[str, Callable[[ModelEntry], Any]] = {
    "id": lambda e: e.id,
    "name": lambda e: (e.model.display_name.casefold(), e.id),
    "input_price": lambda e: (e.input_price if e.input_price is not None else _BIG, e.id),
    "output_price": lambda e: (e.output_price if e.output_price is not None else _BIG, e.id),
    "context_window": lambda e: (e.model.context_window or 0, e.id),
    "release_date": lambda e: (
        e.model.release_date.isoformat() if e.model.release_date else "",
        e.id,
    ),
}
