"""The registry as the store reads it: rows turned into domain objects, before any index.

Its own module, free of the database libraries, so that a cached copy
(:mod:`radiant.store.documents`) can be read back without importing them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from radiant.domain import Model, Platform, Provider, ProviderHealth, Route, ThermalStatus

__all__ = ["RegistryData"]


@dataclass
class RegistryData:
    version: int
    platforms: list[Platform] = field(default_factory=list)
    providers: list[Provider] = field(default_factory=list)
    models: list[Model] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    health: list[ProviderHealth] = field(default_factory=list)
    thermal: list[ThermalStatus] = field(default_factory=list)
    #: ``models`` and ``routes`` come in no particular order (the snapshot orders them:
    #: sorting there costs less than the database's ORDER BY on a large registry).
    #: None: ``models`` and ``routes`` are the whole registry. A set: they hold only
    #: these models (those still there) and their routes, the ones that changed since
    #: the version asked about; every other model is as it was then.
    changed: frozenset[str] | None = None
