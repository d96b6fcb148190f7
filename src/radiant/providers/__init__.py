"""Provider adapters: call the model a route names, one API for every endpoint.

A request reaches a provider in two steps, both data-driven::

    target = target_for(platform, route, secrets, provider=provider)   # registry rows -> target
    adapter = adapter_for(target, client)                               # the wire's adapter
    completion = await adapter.chat({"messages": [...]})                # OpenAI-shaped dicts
    async with contextlib.aclosing(adapter.chat_stream({...})) as chunks:
        async for chunk in chunks: ...                                  # the last carries usage
    video = await adapter.video_create({"prompt": "..."})               # a job: poll, download
    video = await adapter.video_wait(video["id"])

:class:`UpstreamTarget` (:mod:`radiant.providers.target`) says where one route is called
and with which key; :class:`WireAdapter` (:mod:`radiant.providers.adapter`) has one method
per endpoint (chat, embeddings, images, speech, transcriptions, videos, realtime), each
guarded by the wire's :class:`ProviderCapabilities`; :mod:`radiant.providers.wires` is
the table of wires and their adapters (``register_adapter`` adds one; the built-in ones
are imported when their wire is first called). The bodies of every wire are typed once,
one module per wire, in :mod:`radiant.providers.shapes`. docs/providers.md walks through
adding a provider.

Wires: ``openai`` (every OpenAI-compatible platform), ``azure_openai``, ``anthropic``,
``gemini``, ``elevenlabs`` (speech), ``deepgram`` (transcription), ``stability``,
``replicate``, ``ideogram`` (images), ``runway``, ``luma``, ``kling``, ``fal`` (video jobs;
Pika is served by fal), ``meshy``, ``tripo`` (3D jobs; see
:mod:`radiant.providers.media_jobs`); ``bedrock`` and
``vertex`` are seams (see :mod:`radiant.providers.seams`). Streams are async generators:
leaving one early inside ``aclosing`` releases its connection at once.
Every failure is a :class:`~radiant.errors.ProviderError`, also in the middle of a stream.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from radiant.errors import ProviderError, UnsupportedError
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.target import UpstreamTarget, target_for, wire_for
from radiant.providers.wires import (
    adapter_factory,
    adapter_for,
    register_adapter,
    registered_wires,
)

if TYPE_CHECKING:
    from radiant.providers.adapter import (
        VIDEO_DONE,
        AdapterFactory,
        RealtimeSession,
        TextAdapter,
        WireAdapter,
    )

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
    "adapter_factory",
    "adapter_for",
    "register_adapter",
    "registered_wires",
    "target_for",
    "wire_for",
]

#: names served from radiant.providers.adapter when first asked for: the adapter base
#: brings the HTTP client (aiohttp), which a process that only reads the registry (the
#: CLI, a sync) never needs; importing this package stays light
_FROM_ADAPTER = frozenset(
    {"VIDEO_DONE", "AdapterFactory", "RealtimeSession", "TextAdapter", "WireAdapter"}
)


def __getattr__(name: str) -> object:
    if name not in _FROM_ADAPTER:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module("radiant.providers.adapter"), name)
    globals()[name] = value
    return value
