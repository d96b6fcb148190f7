"""The registry of wire adapters by wire name, filled in one place,
:mod:`radiant.providers.registrations`, when :mod:`radiant.providers` is imported.

To plug in an adapter (say a real Bedrock one)::

    from radiant.providers import register_adapter
    register_adapter("bedrock", lambda target, client: MyBedrockAdapter(target, client))
"""

from __future__ import annotations

import difflib

from radiant.errors import ProviderError
from radiant.http.client import HttpClient
from radiant.providers.adapter import AdapterFactory, WireAdapter
from radiant.providers.target import UpstreamTarget

__all__ = [
    "adapter_factory",
    "adapter_for",
    "register_adapter",
    "registered_wires",
]

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
