"""What an import makes of its entries: models, routes, and each entry's part in them.

Entries are placed on models (:mod:`radiant.sync.import_identity`); the entries of one
model on one platform make one route. An existing route keeps its model string; a new one
calls the name most entries use for the endpoint itself (not a regional profile, not a
variant), then the one the most trusted source gives. Every entry of a route has a rank:

* ``0`` **exact** - its name is the route's model string;
* ``1`` **alias** - another name of the same endpoint (the undated name of a single
  snapshot, a Bedrock ``us.`` profile, an Azure region);
* ``2`` **other endpoint** - a ``-latest`` pointer the registry filed under the model, a
  free tier, an image size, a capacity commitment: kept as one of the route's other model
  strings, never pricing it.

Every entry read is one of: a route (ranks 0 and 1), another endpoint of a route (rank 2),
or skipped with its reason. Nothing is dropped silently.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from radiant.catalog.importers import ImportResult
from radiant.catalog.importers.names import name_key, parse_name
from radiant.domain import route_id
from radiant.sync.import_identity import Placed, Placement, place_entries
from radiant.sync.import_precedence import price_trust
from radiant.sync.import_state import RegistryState

__all__ = ["EXACT", "ALIAS", "OTHER", "ImportPlan", "RoutePlan", "plan_import"]

EXACT, ALIAS, OTHER = 0, 1, 2
_DOTTED = frozenset({"bedrock", "oci"})


@dataclass
class RoutePlan:
    id: str
    model_id: str
    platform: str
    model_string: str
    #: created by this import
    new: bool
    #: (rank, entry), best first for pricing
    entries: list[tuple[int, Placed]] = field(default_factory=list)

    def ranked(self, most: int = ALIAS) -> list[tuple[int, Placed]]:
        return [(rank, p) for rank, p in self.entries if rank <= most]

    @property
    def other_strings(self) -> list[str]:
        strings = {p.entry.model_name for rank, p in self.entries if rank == OTHER}
        strings.discard(self.model_string)
        return sorted(strings)


@dataclass
class ImportPlan:
    state: RegistryState
    results: list[ImportResult]
    placement: Placement
    routes: dict[str, RoutePlan] = field(default_factory=dict)
    #: model id -> its routes' ids
    model_routes: dict[str, list[str]] = field(default_factory=dict)
    #: (source, key, reason) of every entry that is not part of a route
    skipped: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def read(self) -> int:
        return sum(r.total for r in self.results)

    def outcomes(self) -> dict[str, dict[str, int]]:
        """Per source: entries that are routes, other endpoints of routes, and skipped."""
        found: dict[str, Counter[str]] = defaultdict(Counter)
        for route in self.routes.values():
            for rank, placed in route.entries:
                found[placed.entry.source]["other_endpoints" if rank == OTHER else "routes"] += 1
        for source, _, _ in self.skipped:
            found[source]["skipped"] += 1
        for result in self.results:
            found[result.source]["read"] = result.total
        return {s: dict(sorted(c.items())) for s, c in sorted(found.items())}

    def skipped_by_source(self) -> dict[str, dict[str, list[str]]]:
        found: dict[str, dict[str, list[str]]] = {}
        for source, key, reason in self.skipped:
            found.setdefault(source, {}).setdefault(reason, []).append(key)
        return found

    def reasons(self) -> dict[str, int]:
        return dict(Counter(reason for _, _, reason in self.skipped).most_common())


def plan_import(state: RegistryState, results: list[ImportResult]) -> ImportPlan:
    ordered = sorted(results, key=lambda r: r.source)
    placement = place_entries(state, ordered)
    plan = ImportPlan(state, ordered, placement)
    for result in ordered:
        plan.skipped.extend((result.source, s.source_key, s.reason) for s in result.skipped)
    grouped: dict[tuple[str, str], list[Placed]] = defaultdict(list)
    for item in placement.placed:
        grouped[(item.model_id, item.entry.platform)].append(item)
    for (model_id, platform), items in sorted(grouped.items()):
        rid = route_id(model_id, platform)
        existing = state.routes.get(rid)
        string = existing["model_string"] if existing else _model_string(items, platform)
        route = RoutePlan(rid, model_id, platform, string, existing is None)
        target = _identity(string, platform, placement)
        ranked = [(_rank(item, string, target), item) for item in items]
        route.entries = sorted(ranked, key=lambda pair: _order(pair, platform))
        plan.routes[rid] = route
        plan.model_routes.setdefault(model_id, []).append(rid)
    return plan


def _identity(string: str, platform: str, placement: Placement) -> str:
    return placement.canonical(parse_name(string, bedrock=platform in _DOTTED))


def _rank(item: Placed, string: str, target: str) -> int:
    entry = item.entry
    regional = entry.region is not None or item.name.region is not None
    if not regional and entry.model_name.casefold() == string.casefold():
        return EXACT  # the endpoint itself, even a free one when that is all there is
    if entry.variant is not None or item.name.variant is not None:
        return OTHER
    if item.identity == target:
        return ALIAS
    # the same name spelled with its vendor (LiteLLM's ``tavily/search`` for
    # ``tavily-search``), not a broader one (``mistral-medium`` for ``mistral-medium-2505``)
    flat = _flat(string)
    if not item.name.latest and any(_flat(n) == flat for n in (entry.model_name, entry.source_key)):
        return ALIAS
    return OTHER


def _flat(name: str) -> str:
    return name_key(name.replace("/", "-"))


def _order(pair: tuple[int, Placed], platform: str) -> tuple[int, bool, bool, int, str, str]:
    rank, item = pair
    regional = item.entry.region is not None or item.name.region is not None
    variant = item.entry.variant is not None
    trust = price_trust(item.entry.source, platform)
    return (rank, variant, regional, trust, item.entry.source, item.entry.source_key)


def _model_string(items: list[Placed], platform: str) -> str:
    """The name of the endpoint itself that most entries use, then the most trusted."""
    counts = Counter(i.entry.model_name for i in items)

    def key(item: Placed) -> tuple[bool, bool, bool, int, int, str]:
        entry = item.entry
        return (
            entry.variant is not None or item.name.variant is not None,
            entry.region is not None or item.name.region is not None,
            item.name.latest,
            -counts[entry.model_name],
            price_trust(entry.source, platform),
            entry.model_name,
        )

    return min(items, key=key).entry.model_name
