"""Server-sent events (the ``text/event-stream`` format of the HTML standard) decoded
from a body's chunks as they arrive: ``event:`` and ``data:`` fields (several ``data:``
lines joined by newlines), comments skipped, an event dispatched at its blank line (a
last event without one is dropped, as the standard says). Lines end with ``\\n`` or
``\\r\\n``, which is what every model API sends. ``id:`` and ``retry:`` only matter to a
client that reconnects, which the gateway never does.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable
from dataclasses import dataclass

from radiant.http.client import TransportError

__all__ = ["MAX_LINE_BYTES", "ServerSentEvent", "server_sent_events"]

#: a longer line is refused (a broken upstream must not fill the memory); an image
#: generated inside a stream arrives in one ``data:`` line, so it is generous
MAX_LINE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    event: str
    data: str


async def server_sent_events(
    chunks: AsyncIterable[bytes],
) -> AsyncGenerator[ServerSentEvent, None]:
    """The events of a stream; raises :class:`TransportError` (``protocol``) for a line
    that is not UTF-8 or longer than :data:`MAX_LINE_BYTES`."""
    pending = b""
    event = ""
    data: list[str] = []
    async for chunk in chunks:
        pending += chunk
        if b"\n" not in chunk:
            if len(pending) > MAX_LINE_BYTES:
                raise TransportError("protocol", "a stream line longer than allowed")
            continue
        *lines, pending = pending.split(b"\n")
        for raw in lines:
            try:
                line = raw.removesuffix(b"\r").decode("utf-8")
            except UnicodeDecodeError:
                raise TransportError("protocol", "a stream line that is not UTF-8") from None
            if not line:
                if data or event:
                    yield ServerSentEvent(event or "message", "\n".join(data))
                event, data = "", []
                continue
            name, _, value = line.partition(":")
            if not name:
                continue  # a comment
            value = value.removeprefix(" ")
            if name == "data":
                data.append(value)
            elif name == "event":
                event = value
