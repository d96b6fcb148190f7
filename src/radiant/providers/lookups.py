"""Registry lookup for the text resolver: a model name (id, alias) to the route that
serves it first, with its platform and provider. Two sources, both structural so this
adapter layer imports nothing above it: a loaded catalog (:class:`CatalogLookup`) and
the registry snapshot the services hold (:class:`SnapshotLookup`: ``resolve(name)``
giving an entry with routes in fallback order, ``platforms``, ``providers``)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from radiant.domain import Model, Platform, Provider, Route, RouteStatus
from radiant.errors import ModelNotFoundError, NotFoundError

__all__ = ["CatalogLookup", "RouteLookup", "SnapshotLookup"]

Found = tuple[Platform, Route, Provider | None]


class RouteLookup(Protocol):
    def route_for(self, model: str) -> Found:
        """The first route of ``model``; raises ``ModelNotFoundError``/``NotFoundError``."""

    def model(self, name: str) -> Model:
        """The model ``name`` (an id or alias) stands for."""


class _CatalogLike(Protocol):
    @property
    def platforms(self) -> Mapping[str, Platform]: ...
    @property
    def providers(self) -> Mapping[str, Provider]: ...
    @property
    def models(self) -> Mapping[str, Model]: ...
    @property
    def routes(self) -> Mapping[str, Route]: ...


class _EntryLike(Protocol):
    @property
    def model(self) -> Model: ...
    @property
    def routes(self) -> Sequence[Route]: ...


class _SnapshotLike(Protocol):
    @property
    def platforms(self) -> Mapping[str, Platform]: ...
    @property
    def providers(self) -> Mapping[str, Provider]: ...

    def resolve(self, name: str) -> Any: ...


def _found(
    model: Model,
    routes: Sequence[Route],
    platforms: Mapping[str, Platform],
    providers: Mapping[str, Provider],
) -> Found:
    usable = [r for r in routes if r.status is RouteStatus.ACTIVE and r.platform_id in platforms]
    if not usable:
        raise NotFoundError("route", model.id, f"model {model.id!r} has no active route")
    route = min(usable, key=lambda r: r.priority)
    return platforms[route.platform_id], route, providers.get(model.provider_id)


class CatalogLookup:
    def __init__(self, catalog: _CatalogLike) -> None:
        self.catalog = catalog
        self.names: dict[str, str] = {}
        for model in catalog.models.values():
            for name in (model.id, *model.aliases):
                self.names.setdefault(name.casefold(), model.id)

    def model(self, name: str) -> Model:
        model_id = self.names.get(name.casefold())
        if model_id is None:
            raise ModelNotFoundError(
                name, difflib.get_close_matches(name.casefold(), self.names, n=3)
            )
        return self.catalog.models[model_id]

    def route_for(self, model: str) -> Found:
        found = self.model(model)
        routes = [r for r in self.catalog.routes.values() if r.model_id == found.id]
        return _found(found, routes, self.catalog.platforms, self.catalog.providers)


class SnapshotLookup:
    def __init__(self, snapshot: _SnapshotLike) -> None:
        self.snapshot = snapshot

    def model(self, name: str) -> Model:
        entry: _EntryLike = self.snapshot.resolve(name)
        return entry.model

    def route_for(self, model: str) -> Found:
        entry: _EntryLike = self.snapshot.resolve(model)
        return _found(entry.model, entry.routes, self.snapshot.platforms, self.snapshot.providers)
