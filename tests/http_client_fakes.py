"""Servers on 127.0.0.1 for the upstream client's tests: a raw HTTP/1.1 server that a
handler drives byte by byte (optionally over TLS), a certificate authority made on the
spot, an HTTP proxy that tunnels ``CONNECT`` and forwards plain requests (counting both),
and the sockets this process holds to a port."""

from __future__ import annotations

import asyncio
import queue
import ssl
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import trustme

__all__ = [
    "Authority",
    "ConnectProxy",
    "Handler",
    "RawServer",
    "answer",
    "eventually",
    "make_authority",
    "raw_server",
    "raw_server_thread",
    "read_request",
    "sockets_to",
]

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@dataclass
class RawServer:
    url: str
    port: int
    #: connections accepted so far, and open now
    accepted: int = 0
    open: int = 0
    most_open: int = 0


@asynccontextmanager
async def raw_server(
    handler: Handler, *, tls: ssl.SSLContext | None = None
) -> AsyncIterator[RawServer]:
    """Serve ``handler`` (one call per connection; the connection is closed after it)."""
    running: set[asyncio.Task[None]] = set()
    state = RawServer("", 0)

    async def closing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        running.add(task)
        state.accepted += 1
        state.open += 1
        state.most_open = max(state.most_open, state.open)
        try:
            with suppress(ConnectionError, asyncio.IncompleteReadError):
                await handler(reader, writer)
        finally:
            state.open -= 1
            writer.close()
            running.discard(task)

    server = await asyncio.start_server(closing, "127.0.0.1", 0, ssl=tls)
    state.port = server.sockets[0].getsockname()[1]
    state.url = f"{'https' if tls else 'http'}://127.0.0.1:{state.port}"
    try:
        yield state
    finally:
        server.close()
        if running:  # let every handler see its client go, rather than be cancelled
            await asyncio.wait(running, timeout=2)
        for task in list(running):
            task.cancel()
        await server.wait_closed()


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """(head, body) of one request with a ``content-length`` body (or none)."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return head, await reader.readexactly(length)


def answer(body: bytes, status: bytes = b"200 OK", headers: bytes = b"") -> bytes:
    return (
        b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\n" + headers
        + b"content-length: %d\r\n\r\n" % len(body) + body
    )  # fmt: skip


# ----------------------------------------------------------------------------- TLS


@dataclass
class Authority:
    """A CA the test made, its PEM file (the client's bundle) and a server context."""

    bundle: Path
    server: ssl.SSLContext


def make_authority(directory: Path) -> Authority:
    ca = trustme.CA()
    bundle = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server)
    return Authority(bundle, server)


# ----------------------------------------------------------------------------- the proxy


@dataclass
class ConnectProxy:
    """An HTTP proxy: ``CONNECT host:port`` opens a tunnel, ``GET http://...`` is
    forwarded. ``status`` other than 200 refuses every request with it."""

    status: int = 200
    url: str = ""
    #: (host, port) of each tunnel opened, and of each plain request forwarded
    tunnels: list[tuple[str, int]] = field(default_factory=list)
    forwarded: list[tuple[str, int]] = field(default_factory=list)
    #: the Proxy-Authorization header of each request (None: none sent)
    authorizations: list[str | None] = field(default_factory=list)

    @asynccontextmanager
    async def serving(self) -> AsyncIterator[ConnectProxy]:
        async with raw_server(self._handle) as server:
            self.url = server.url
            yield self

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        self.authorizations.append(
            next((v for k, v in headers.items() if k.lower() == "proxy-authorization"), None)
        )
        if self.status != 200:
            writer.write(b"HTTP/1.1 %d Refused\r\ncontent-length: 0\r\n\r\n" % self.status)
            await writer.drain()
            return
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            self.tunnels.append((host, int(port)))
            up_reader, up_writer = await asyncio.open_connection(host, int(port))
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await _relay(reader, writer, up_reader, up_writer)
            return
        # absolute form: http://host:port/path -> origin form to the origin
        rest = target.split("://", 1)[1]
        authority, _, path = rest.partition("/")
        host, port = authority.rsplit(":", 1)
        self.forwarded.append((host, int(port)))
        up_reader, up_writer = await asyncio.open_connection(host, int(port))
        kept = [line for line in lines[1:] if not line.lower().startswith("proxy-")]
        up_writer.write(f"{method} /{path} HTTP/1.1\r\n".encode() + "\r\n".join(kept).encode())
        await _relay(reader, writer, up_reader, up_writer)


async def _relay(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    up_reader: asyncio.StreamReader,
    up_writer: asyncio.StreamWriter,
) -> None:
    async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with suppress(ConnectionError):
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        sink.close()

    await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


# ----------------------------------------------------------------------------- sockets


def sockets_to(port: int) -> list[str]:
    """The states of the TCP sockets this process holds open to ``127.0.0.1:port``."""
    return [
        conn.status
        for conn in psutil.Process().net_connections(kind="tcp")
        if conn.raddr and conn.raddr.port == port
    ]


async def eventually(condition: Callable[[], bool], within: float = 5.0) -> None:
    """Return once ``condition()`` holds (checked every few milliseconds); fail after
    ``within`` seconds."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - a fake polling a socket state
            await asyncio.sleep(0.005)


@contextmanager
def raw_server_thread(handler: Handler) -> Iterator[RawServer]:
    """:func:`raw_server` on an event loop of its own, in a thread (for code that blocks)."""
    started: queue.Queue[RawServer] = queue.Queue()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    async def serve() -> None:
        async with raw_server(handler) as server:
            started.put(server)
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    try:
        yield started.get(timeout=10)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)
        loop.close()
