"""The JSON bodies of every wire the adapters speak, typed once: one module per wire.

* :mod:`~radiant.providers.shapes.openai` — the lingua franca: what ``/v1`` takes (chat,
  embeddings, images, speech, transcriptions, videos) and what every adapter answers;
* :mod:`~radiant.providers.shapes.anthropic` — Messages requests, answers, stream events;
* :mod:`~radiant.providers.shapes.gemini` — ``generateContent`` (and its stream),
  ``batchEmbedContents``, Imagen ``:predict``, Veo operations;
* :mod:`~radiant.providers.shapes.elevenlabs`, :mod:`~radiant.providers.shapes.deepgram`
  — the speech wires;
* ``stability``, ``replicate``, ``ideogram`` (images), ``runway``, ``luma``, ``kling``,
  ``fal`` (video jobs), ``meshy``, ``tripo`` (3D jobs) — the media wires.

They are ``TypedDict``\\ s: a body is the plain dict that came off the socket or goes onto
it (no copy, no validation cost on the hot path); mypy checks that the translators read
and build the fields each API names. Untrusted JSON is narrowed where it enters — an
OpenAI request by :mod:`radiant.providers.openai_wire` (pydantic, before it is routed),
an upstream's answer by the adapter that reads it (the checks it relies on, then a cast)
— and the readers of an upstream's answer stay lenient about fields it may leave out.

:data:`JSONObject` is what stays untyped on purpose: a raw body before it is narrowed,
and free-form members passed through unread (a tool's JSON Schema ``parameters``, a tool
call's arguments, a vendor extension such as ``cache_control``).
"""

from __future__ import annotations

from typing import Any, TypeAlias

__all__ = ["JSONObject"]

#: a JSON object nobody here reads into (see the module's docstring for where one stays)
JSONObject: TypeAlias = dict[str, Any]
