"""The table of wires: which adapter speaks each wire protocol.

A wire is the protocol of an upstream API (``openai``, ``anthropic``, ``gemini``...);
:func:`~radiant.providers.target.target_for` finds a route's wire from registry data, and
:func:`adapter_for` makes the adapter registered for it. :data:`BUILTIN_WIRES` is what
Radiant ships, registered by :func:`register_builtin` when :mod:`radiant.providers` is
imported. To add a wire or replace an adapter (say a real Bedrock one)::

    from radiant.providers import register_adapter
    register_adapter("bedrock", MyBedrockAdapter)   # MyBedrockAdapter(target, client)
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from types import MappingProxyType

from radiant.errors import ProviderError
from radiant.http.client import HttpClient
from radiant.providers.adapter import AdapterFactory, WireAdapter
from radiant.providers.anthropic import AnthropicAdapter
from radiant.providers.audio_wires import DeepgramAdapter, ElevenLabsAdapter
from radiant.providers.gemini import GeminiAdapter
from radiant.providers.openai_compat import OPENAI_WIRES, OpenAICompatibleAdapter
from radiant.providers.seams import SEAM_WIRES, NotConfiguredAdapter
from radiant.providers.target import UpstreamTarget

__all__ = [
    "BUILTIN_WIRES",
    "adapter_factory",
    "adapter_for",
    "register_adapter",
    "register_builtin",
    "registered_wires",
]

#: the adapter of every wire Radiant ships, by wire name
BUILTIN_WIRES: Mapping[str, AdapterFactory] = MappingProxyType(
    {
        **dict.fromkeys(OPENAI_WIRES, OpenAICompatibleAdapter),
        "anthropic": AnthropicAdapter,
        "gemini": GeminiAdapter,
        "elevenlabs": ElevenLabsAdapter,
        "deepgram": DeepgramAdapter,
        **dict.fromkeys(SEAM_WIRES, NotConfiguredAdapter),
    }
)

_ADAPTERS: dict[str, AdapterFactory] = {}


def register_adapter(wire: str, factory: AdapterFactory, *, replace: bool = True) -> None:
    """Make ``factory`` the adapter of ``wire`` (``replace=False``: only if none is)."""
    if replace or wire not in _ADAPTERS:
        _ADAPTERS[wire] = factory


def register_builtin() -> None:
    """Register :data:`BUILTIN_WIRES` (``replace=False``: a plug-in registered first wins)."""
    for wire, factory in BUILTIN_WIRES.items():
        register_adapter(wire, factory, replace=False)


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
