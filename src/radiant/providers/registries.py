"""The registries: wire adapters by wire name, and (:class:`CategoryRegistry`, one per
category in :mod:`radiant.providers.resolvers`) the category providers of
:mod:`radiant.providers.base` by name. They are filled in one place,
:mod:`radiant.providers.registrations`, when :mod:`radiant.providers` is imported.

To plug in an adapter (say a real Bedrock one)::

    from radiant.providers import register_adapter
    register_adapter("bedrock", lambda target, client: MyBedrockAdapter(target, client))
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Generic, TypeVar

from radiant.errors import ProviderError, UnsupportedError
from radiant.http.client import HttpClient
from radiant.providers.adapter import AdapterFactory, WireAdapter
from radiant.providers.target import UpstreamTarget

__all__ = [
    "CategoryRegistry",
    "adapter_factory",
    "adapter_for",
    "register_adapter",
    "registered_wires",
]

P = TypeVar("P")
ProviderFactory = Callable[[UpstreamTarget, HttpClient], P]

_ADAPTERS: dict[str, AdapterFactory] = {}


def register_adapter(wire: str, factory: AdapterFactory, *, replace: bool = True) -> None:
    """Make ``factory`` the adapter of ``wire`` (``replace=False``: only if none is)."""
    if replace or wire not in _ADAPTERS:
        _ADAPTERS[wire] = factory


def registered_wires() -> list[str]:
    return sorted(_ADAPTERS)


def adapter_factory(wire: str) -> AdapterFactory | None:
    """The factory registered for ``wire``, or None."""
    return _ADAPTERS.get(wire)


def adapter_for(target: UpstreamTarget, client: HttpClient) -> WireAdapter:
    """The adapter that calls ``target`` through ``client``; raises
    :class:`ProviderError` (``kind="config"``) for a wire nobody registered."""
    factory = _ADAPTERS.get(target.wire)
    if factory is None:
        close = difflib.get_close_matches(target.wire, _ADAPTERS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ProviderError(
            f"{target.name}: no adapter for wire {target.wire!r}{hint}",
            provider=target.name,
            kind="config",
        )
    return factory(target, client)


class CategoryRegistry(Generic[P]):
    """Implementations of one category (text, image, ...) by name; each factory takes
    ``(target, client)``. ``default`` serves names nobody registered (None: refuse)."""

    def __init__(self, category: str, default: ProviderFactory[P] | None = None) -> None:
        self.category = category
        self.default = default
        self._factories: dict[str, ProviderFactory[P]] = {}

    def register(self, name: str, factory: ProviderFactory[P], *, replace: bool = True) -> None:
        if replace or name not in self._factories:
            self._factories[name] = factory

    def names(self) -> list[str]:
        return sorted(self._factories)

    def __contains__(self, name: object) -> bool:
        return name in self._factories

    def factory(self, name: str) -> ProviderFactory[P]:
        """The factory of ``name``; raises :class:`UnsupportedError` naming those there are."""
        factory = self._factories.get(name, self.default)
        if factory is None:
            known = ", ".join(self.names()) or "none"
            raise UnsupportedError(
                name,
                self.category,
                f"no {self.category} provider registered for {name!r} (registered: {known})",
            )
        return factory

    def create(self, name: str, target: UpstreamTarget, client: HttpClient) -> P:
        return self.factory(name)(target, client)
