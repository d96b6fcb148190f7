"""Which registry route an imported catalog entry prices.

An entry names a model on a platform. It matches, best first:

0. a route on that platform whose model string is one of the entry's names
   (``anthropic.claude-opus-4-5-20251101-v1:0`` on ``bedrock``);
1. a model the registry knows by exactly that name (its id or an alias), through its
   route on that platform;
2. a model the snapshot resolver finds another way (``provider/name``, a dated id whose
   undated form is known), through its route on that platform.

On ``direct`` the model must also be the entry's provider's (or a child provider's).
When several entries of one source price the same route, the best rank wins, then the
first in the file; the others are skipped as duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from radiant.catalog.importers import ImportedEntry

if TYPE_CHECKING:
    from radiant.registry import ModelEntry, Snapshot

__all__ = ["NOT_IN_REGISTRY", "Match", "Matcher"]

NOT_IN_REGISTRY = "not in registry"


@dataclass(frozen=True, slots=True)
class Match:
    model_id: str | None
    route_id: str | None
    #: 0 route model string, 1 exact id or alias, 2 resolved another way
    rank: int = 3
    #: why there is no route (when ``route_id`` is None)
    reason: str | None = None


class Matcher:
    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._strings: dict[tuple[str, str], tuple[str, str]] = {}
        self._routes: dict[tuple[str, str], str] = {}
        for entry in snapshot.entries:
            for route in entry.routes:
                self._routes[(entry.id, route.platform_id)] = route.id
                key = (route.platform_id, route.model_string.casefold())
                self._strings.setdefault(key, (entry.id, route.id))
        self._cache: dict[str, ModelEntry | None] = {}

    def match(self, item: ImportedEntry) -> Match:
        names = _names(item)
        for name in names:
            found = self._strings.get((item.platform, name.casefold()))
            if found is not None:
                return Match(found[0], found[1], 0)
        model: ModelEntry | None = None
        rank = 2
        for name in names:
            model = self._find(name)
            if model is not None:
                folded = name.casefold()
                rank = 1 if any(n.casefold() == folded for n in model.model.names()) else 2
                break
        if model is None:
            return Match(None, None, reason=NOT_IN_REGISTRY)
        if item.platform == "direct" and not self._same_provider(model, item.provider):
            return Match(
                model.id,
                None,
                reason=f"model of another provider ({model.model.provider_id}, "
                f"not {item.provider})",
            )
        route_id = self._routes.get((model.id, item.platform))
        if route_id is None:
            return Match(model.id, None, rank, reason=f"no route on {item.platform}")
        return Match(model.id, route_id, rank)

    def _find(self, name: str) -> ModelEntry | None:
        if name not in self._cache:
            self._cache[name] = self.snapshot.find(name)
        return self._cache[name]

    def _same_provider(self, model: ModelEntry, provider: str | None) -> bool:
        own = model.model.provider_id
        if provider is None or own == provider:
            return True
        record = self.snapshot.providers.get(own)
        return record is not None and record.parent_id == provider


def _names(item: ImportedEntry) -> list[str]:
    names = [item.model_name, *item.other_names]
    return list(dict.fromkeys(n for n in names if n))
