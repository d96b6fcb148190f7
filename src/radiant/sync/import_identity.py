"""Which model each imported entry stands for: one the registry has, or a new one.

An entry (one model on one platform, under the platform's name for it) finds its model in
this order:

1. a registry route on the entry's platform whose model string is the entry's name;
2. a registry model whose id or alias is one of the entry's names, exactly (case aside);
3. a registry model one of whose names stands for the same model (see
   :func:`~radiant.catalog.importers.names.identity`: ``claude-opus-4.1`` and
   ``claude-opus-4-1-20250805`` when that is the only snapshot);
4. else the entries standing for the same model form a new one. A name that is another's
   with a vendor or platform word in front (``databricks-claude-opus-4-1``,
   ``meta-llama-3-3-70b-instruct``) joins that other model.

On a maker's own API (``direct``) the model must be that maker's: a direct route calls its
model's maker's API. A maker's API that serves another maker's models (Perplexity's
``openai/gpt-5``, Mistral's ``zai-glm-5-2``) is, for those, a host: a platform of the
maker's id.

A new model's maker is the maker whose API lists it, else the vendor its names state most
often, else its family's maker (:mod:`~radiant.catalog.importers.makers`), else the service
selling it. Its id is its own name as the maker's API spells it (else the spelling most
entries use), free of the registry's ids and aliases.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from radiant.catalog.importers import ImportedEntry, ImportResult
from radiant.catalog.importers.makers import VENDORS, family_maker, vendor_maker
from radiant.catalog.importers.names import (
    ModelName,
    claude_order,
    identity,
    parse_name,
    spelled_id,
)
from radiant.catalog.importers.platforms import Service
from radiant.domain.base import ID_PATTERN
from radiant.sync.import_state import RegistryState

__all__ = ["Placed", "Placement", "place_entries"]

#: platforms whose names read ``[region.]vendor.model-v1:0``
_DOTTED = frozenset({"bedrock", "oci"})
_ID = re.compile(ID_PATTERN)
#: a bare word (``search``, ``auto``): a model's name only together with its maker
_GENERIC = re.compile(r"[a-z]+")


@dataclass(slots=True)
class Placed:
    """One entry with its parsed name and the model it stands for."""

    entry: ImportedEntry
    name: ModelName
    identity: str
    model_id: str = ""
    #: the model is new (this import creates it)
    new: bool = False


@dataclass
class NewModel:
    id: str
    provider_id: str
    identity: str
    members: list[Placed] = field(default_factory=list)


@dataclass
class Placement:
    placed: list[Placed] = field(default_factory=list)
    new_models: dict[str, NewModel] = field(default_factory=dict)
    #: platforms made of makers' APIs serving other makers' models
    hosts: dict[str, Service] = field(default_factory=dict)
    #: key -> every full snapshot date known for it
    dates: dict[str, set[str]] = field(default_factory=dict)
    #: vendor and platform words a name may carry in front (``databricks-claude-...``)
    words: frozenset[str] = frozenset()
    _by_key: dict[tuple[str, str], str] = field(default_factory=dict)

    def canonical(self, name: ModelName, maker: str | None = None) -> str:
        """The model ``name`` stands for: its identity given every date known for its key,
        without a vendor or platform word in front of a known family
        (``databricks-claude-opus-4-1`` and ``meta-llama-3-3-70b`` are ``claude-opus-4-1``
        and ``llama-3-3-70b``; ``mistral-7b`` stays: ``7b`` is no family)."""
        found = identity(name, self.dates.get(name.key, set()))
        head, _, rest = found.partition("-")
        rest = rest.lstrip("-")
        if head in self.words and "-" in rest and family_maker(rest) is not None:
            return claude_order(rest)
        if _GENERIC.fullmatch(found) and maker:
            return f"{maker}/{found}"  # ``search`` of Tavily is not ``search`` of Exa
        return found

    def model_of(self, source: str, key: str) -> str | None:
        """The model the entry ``key`` of ``source`` stands for."""
        if not self._by_key:
            self._by_key = {(p.entry.source, p.entry.source_key): p.model_id for p in self.placed}
        return self._by_key.get((source, key))


def parse_entry(entry: ImportedEntry) -> ModelName:
    return parse_name(entry.model_name, bedrock=entry.platform in _DOTTED)


#: how strongly a registry name speaks for its model: its id, a route's model string, an alias
_BY_ID, _BY_ROUTE, _BY_ALIAS = 0, 1, 2


def _qualifier(item: Placed) -> str:
    """Who a bare name belongs to: the maker whose API lists it, or the vendor it states,
    or the service selling it."""
    entry = item.entry
    return (
        entry.provider
        or vendor_maker(entry.vendor or item.name.vendor)
        or entry.platform.replace("_", "-")
    )


def _registry_names(state: RegistryState) -> list[tuple[ModelName, str, int]]:
    names: list[tuple[ModelName, str, int]] = []
    for model_id in state.models:
        names.append((parse_name(model_id), model_id, _BY_ID))
    for route in state.routes.values():
        dotted = route["platform_id"] in _DOTTED
        name = parse_name(route["model_string"], bedrock=dotted)
        names.append((name, route["model_id"], _BY_ROUTE))
    for alias, model_id in state.aliases.values():
        if model_id in state.models:
            names.append((parse_name(alias), model_id, _BY_ALIAS))
    return names


def _fold_words(results: Iterable[ImportResult], state: RegistryState) -> frozenset[str]:
    words = set(VENDORS) | set(VENDORS.values())
    words |= {p.replace("_", "-") for p in state.platforms}
    for result in results:
        for service in result.services.values():
            words.add(service.platform.replace("_", "-"))
            if service.provider:
                words.add(service.provider)
    words |= {"databricks", "snowflake", "azure", "aws", "vertex", "bedrock", "public"}
    return frozenset(w for w in words if w)


def place_entries(state: RegistryState, results: list[ImportResult]) -> Placement:
    """Every imported entry placed on a model (an existing one or a new one)."""
    ordered = sorted(results, key=lambda r: r.source)
    placement = Placement(words=_fold_words(ordered, state))
    items = [
        Placed(entry, parse_entry(entry), "") for result in ordered for entry in result.imported
    ]
    registry = _registry_names(state)
    for name in [i.name for i in items] + [n for n, _, _ in registry]:
        dates = placement.dates.setdefault(name.key, set())
        if name.date is not None and not name.latest:
            dates.add(name.date)
    for item in items:
        item.identity = placement.canonical(item.name, _qualifier(item))
    index = _Index(state, registry, placement)
    groups: dict[str, list[Placed]] = defaultdict(list)
    for item in items:
        model_id = index.find(item)
        if model_id is not None:
            item.model_id = model_id
        else:
            groups[item.identity].append(item)
    taken = set(state.models) | set(state.aliases)
    for key in sorted(groups):
        members = groups[key]
        model = _new_model(key, members, taken, placement.dates)
        placement.new_models[model.id] = model
        for item in members:
            item.model_id, item.new = model.id, True
    services = {k: v for r in ordered for k, v in r.services.items()}
    for item in items:
        maker = item.entry.provider
        if maker is not None and _wrong_maker(item, state, placement):
            item.entry = dataclasses.replace(item.entry, platform=maker, provider=None)
            if maker not in placement.hosts:
                placement.hosts[maker] = _host(maker, services.get(f"direct:{maker}"))
        placement.placed.append(item)
    return placement


def _host(maker: str, own: Service | None) -> Service:
    """A maker's API as the host of other makers' models."""
    if own is None:
        return Service(platform=maker, provider=None, name=maker, kind="host", source="")
    return dataclasses.replace(own, platform=maker, provider=None, kind="host")


class _Index:
    def __init__(
        self,
        state: RegistryState,
        registry: list[tuple[ModelName, str, int]],
        placement: Placement,
    ) -> None:
        self.state = state
        #: (where, model string) -> the models whose route there calls it (rarely two:
        #: the catalog's ``dall-e-3`` and ``dall-e-3-hd`` both call ``dall-e-3``)
        self.routes: dict[tuple[str, str], list[str]] = defaultdict(list)
        for r in sorted(state.routes.values(), key=lambda r: str(r["id"])):
            model = state.models.get(r["model_id"]) or {}
            where = self._where(str(r["platform_id"]), model.get("provider_id"))
            self.routes[(where, str(r["model_string"]).casefold())].append(str(r["model_id"]))
        self.exact: dict[str, str] = {m.casefold(): m for m in state.models}
        for key, (_, model_id) in state.aliases.items():
            if model_id in state.models:
                self.exact.setdefault(key, model_id)
        # an identity stands for the model whose strongest name has it (its id before a
        # route's model string before an alias); a tie there is no answer
        best: dict[str, tuple[int, set[str]]] = {}
        for name, model_id, strength in registry:
            maker = (state.models.get(model_id) or {}).get("provider_id")
            key = placement.canonical(name, str(maker) if maker else None)
            held = best.get(key)
            if held is None or strength < held[0]:
                best[key] = (strength, {model_id})
            elif strength == held[0]:
                held[1].add(model_id)
        self.identity = {k: next(iter(v)) for k, (_, v) in best.items() if len(v) == 1}

    def _where(self, platform: str, provider: object) -> str:
        """A route's place: its platform, and on ``direct`` whose API (the company)."""
        if platform != "direct" or not isinstance(provider, str):
            return platform
        parent = (self.state.providers.get(provider) or {}).get("parent_id")
        return f"direct:{parent or provider}"

    def find(self, item: Placed) -> str | None:
        entry = item.entry
        where = self._where(entry.platform, entry.provider)
        names = [
            n
            for n in (entry.model_name, entry.source_key, *entry.other_names)
            if not _GENERIC.fullmatch(n.casefold())  # a bare word names a model only by identity
        ]
        exact = [m for n in names if (m := self.exact.get(n.casefold())) is not None]
        routed = self.routes.get((where, entry.model_name.casefold()), [])
        if routed:
            return next((m for m in exact if m in routed), routed[0])
        if exact:
            return exact[0]
        return self.identity.get(item.identity)


def _maker(key: str, members: list[Placed]) -> str:
    direct = Counter(m.entry.provider for m in members if m.entry.provider)
    if direct:
        return _top(direct)
    vendors = Counter(
        maker for m in members if (maker := vendor_maker(m.entry.vendor or m.name.vendor))
    )
    if vendors:
        return _top(vendors)
    family = family_maker(key.rpartition("/")[2]) or family_maker(members[0].name.key)
    if family is not None:
        return family
    return _top(Counter(m.entry.platform.replace("_", "-") for m in members))


def _top(counts: Counter[str]) -> str:
    return min(counts, key=lambda k: (-counts[k], k))


def _new_model(
    key: str, members: list[Placed], taken: set[str], dates: dict[str, set[str]]
) -> NewModel:
    maker = _maker(key, members)
    spellings = Counter(
        spelled_id(m.name, dates.get(m.name.key, set()))
        for m in members
        if m.entry.platform == "direct"
    ) or Counter(spelled_id(m.name, dates.get(m.name.key, set())) for m in members)
    base = _top(spellings)
    model_id = base
    for candidate in (base, f"{maker}-{base}", *(f"{base}-{n}" for n in range(2, 100))):
        candidate = candidate[:128]  # noqa: PLW2901 - normalised in place
        if _ID.match(candidate) and candidate.casefold() not in taken:
            model_id = candidate
            break
    taken.add(model_id.casefold())
    return NewModel(model_id, maker, key, list(members))


def _wrong_maker(item: Placed, state: RegistryState, placement: Placement) -> bool:
    """True for a maker's own API listing another maker's model."""
    entry = item.entry
    if entry.platform != "direct" or entry.provider is None:
        return False
    new = placement.new_models.get(item.model_id)
    owner = new.provider_id if new is not None and item.new else None
    if owner is None:
        row = state.models.get(item.model_id)
        owner = row["provider_id"] if row is not None else None
    return owner is not None and not _same_company(owner, entry.provider, state)


def _same_company(a: str, b: str, state: RegistryState) -> bool:
    if a == b:
        return True
    parent_a = (state.providers.get(a) or {}).get("parent_id")
    parent_b = (state.providers.get(b) or {}).get("parent_id")
    return b in (parent_a,) or a in (parent_b,) or (parent_a is not None and parent_a == parent_b)
