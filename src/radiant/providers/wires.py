"""The table of wires: which adapter speaks each wire protocol.

A wire is the protocol of an upstream API (``openai``, ``anthropic``, ``gemini``...);
:func:`~radiant.providers.target.target_for` finds a route's wire from registry data, and
:func:`adapter_for` makes the adapter registered for it. :data:`BUILTIN_WIRES` is what
Radiant ships, registered when this module is imported and each imported on first use.
To add a wire or replace an adapter (say a real Bedrock one)::

    from radiant.providers import register_adapter
    register_adapter("bedrock", MyBedrockAdapter)   # MyBedrockAdapter(target, client)
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from importlib import import_module
from importlib.util import find_spec
from types import MappingProxyType
from typing import TYPE_CHECKING

from radiant.errors import ProviderError

if TYPE_CHECKING:
    from radiant.http.client import HttpClient
    from radiant.providers.adapter import AdapterFactory, WireAdapter
    from radiant.providers.target import UpstreamTarget

__all__ = [
    "BUILTIN_WIRES",
    "NEEDS",
    "adapter_factory",
    "adapter_for",
    "has_adapter",
    "is_seam",
    "missing_dependency",
    "register_adapter",
    "register_builtin",
    "registered_wires",
]

_OPENAI = "radiant.providers.openai_compat:OpenAICompatibleAdapter"
_SEAM = "radiant.providers.seams:NotConfiguredAdapter"

#: the adapter of every wire Radiant ships, by wire name, as ``"module:class"``: a
#: built-in adapter module (and the HTTP client under it) is imported the first time its
#: wire is called, so a process that only reads the registry never loads them
BUILTIN_WIRES: Mapping[str, str] = MappingProxyType(
    {
        "openai": _OPENAI,
        "azure_openai": _OPENAI,
        "anthropic": "radiant.providers.anthropic:AnthropicAdapter",
        "gemini": "radiant.providers.gemini:GeminiAdapter",
        "elevenlabs": "radiant.providers.audio_wires:ElevenLabsAdapter",
        "deepgram": "radiant.providers.audio_wires:DeepgramAdapter",
        "assemblyai": "radiant.providers.assemblyai:AssemblyAIAdapter",
        "cohere": "radiant.providers.cohere:CohereAdapter",
        "voyage": "radiant.providers.voyage:VoyageAdapter",
        "exa": "radiant.providers.search_wires:ExaAdapter",
        "tavily": "radiant.providers.search_wires:TavilyAdapter",
        "stability": "radiant.providers.stability:StabilityAdapter",
        "replicate": "radiant.providers.replicate:ReplicateAdapter",
        "ideogram": "radiant.providers.ideogram:IdeogramAdapter",
        "runway": "radiant.providers.runway:RunwayAdapter",
        "luma": "radiant.providers.luma:LumaAdapter",
        "kling": "radiant.providers.kling:KlingAdapter",
        "fal": "radiant.providers.fal:FalAdapter",
        "meshy": "radiant.providers.meshy:MeshyAdapter",
        "tripo": "radiant.providers.tripo:TripoAdapter",
        "sagemaker": "radiant.providers.sagemaker:SageMakerAdapter",
        "bedrock": _SEAM,
        "vertex": _SEAM,
    }
)

#: the library a built-in wire needs beyond Radiant's own, and the extra that installs it
NEEDS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {"sagemaker": ("boto3", "radiant-registry[aws]")}
)

#: wire -> its factory, or the ``"module:class"`` of a built-in one not imported yet
_ADAPTERS: dict[str, AdapterFactory | str] = {}


def register_adapter(wire: str, factory: AdapterFactory, *, replace: bool = True) -> None:
    """Make ``factory`` the adapter of ``wire`` (``replace=False``: only if none is)."""
    if replace or wire not in _ADAPTERS:
        _ADAPTERS[wire] = factory


def register_builtin() -> None:
    """Register :data:`BUILTIN_WIRES` (a plug-in registered first wins)."""
    for wire, where in BUILTIN_WIRES.items():
        _ADAPTERS.setdefault(wire, where)


def registered_wires() -> list[str]:
    return sorted(_ADAPTERS)


def has_adapter(wire: str) -> bool:
    """Whether an adapter (or a seam) is registered for ``wire``; imports nothing."""
    return wire in _ADAPTERS


def is_seam(wire: str) -> bool:
    """Whether ``wire``'s adapter only says "not configured" (it sets
    ``calls_upstream = False``); a built-in one is told without importing it."""
    entry = _ADAPTERS.get(wire)
    if isinstance(entry, str):
        return entry == _SEAM
    return entry is not None and not getattr(entry, "calls_upstream", True)


def missing_dependency(wire: str) -> str | None:
    """Why ``wire``'s built-in adapter cannot run here (its library is not installed), or
    None; a plug-in adapter registered for the wire brings its own."""
    needed = NEEDS.get(wire)
    entry = _ADAPTERS.get(wire)
    if needed is None or entry != BUILTIN_WIRES.get(wire):
        return None
    module, extra = needed
    if find_spec(module) is None:
        return f"the {wire} adapter needs {module}: pip install '{extra}'"
    return None


def adapter_factory(wire: str) -> AdapterFactory | None:
    """The factory registered for ``wire``, or None."""
    entry = _ADAPTERS.get(wire)
    if isinstance(entry, str):
        module, _, name = entry.partition(":")
        entry = _ADAPTERS[wire] = getattr(import_module(module), name)
    return entry


def adapter_for(target: UpstreamTarget, client: HttpClient) -> WireAdapter:
    """The adapter that calls ``target`` through ``client``; raises
    :class:`ProviderError` (``kind="config"``) for a wire nobody registered."""
    factory = adapter_factory(target.wire)
    if factory is None:
        close = difflib.get_close_matches(target.wire, _ADAPTERS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ProviderError(
            f"{target.name}: no adapter for wire {target.wire!r}{hint}",
            provider=target.name,
            kind="config",
        )
    return factory(target, client)


register_builtin()
