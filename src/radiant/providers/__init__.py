"""Provider adapters: call the model a route names (seed 003, DESIGN decision 9).

::

    target = target_for(platform, route, secrets, provider=provider)   # registry rows -> target
    adapter = adapter_for(target, client)                               # injected HttpClient
    completion = await adapter.chat({"messages": [...]})                # OpenAI-shaped dicts
    async with contextlib.aclosing(adapter.chat_stream({...})) as chunks:
        async for chunk in chunks: ...                                  # the last carries usage

Wires: ``openai`` (every OpenAI-compatible platform), ``azure_openai``, ``anthropic``,
``gemini``, ``elevenlabs`` (speech), ``deepgram`` (transcription); ``bedrock`` and
``vertex`` are seams (see :mod:`radiant.providers.seams`). Streams are async generators:
leaving one early inside ``aclosing`` releases its connection at once.
Every failure is a :class:`~radiant.errors.ProviderError`, also in the middle of a stream.
"""

from __future__ import annotations

from radiant.errors import ProviderError, UnsupportedError
from radiant.providers.adapter import (
    VIDEO_DONE,
    AdapterFactory,
    RealtimeSession,
    TextAdapter,
    WireAdapter,
)
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.registrations import register_builtin
from radiant.providers.registries import adapter_for, register_adapter, registered_wires
from radiant.providers.target import UpstreamTarget, target_for, wire_for

__all__ = [
    "AdapterFactory",
    "ProviderCapabilities",
    "ProviderError",
    "RealtimeSession",
    "TextAdapter",
    "UnsupportedError",
    "UpstreamTarget",
    "VIDEO_DONE",
    "WireAdapter",
    "adapter_for",
    "register_adapter",
    "registered_wires",
    "target_for",
    "wire_for",
]

register_builtin()
