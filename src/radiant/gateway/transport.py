"""A lean HTTP/1.1 keep-alive transport for the gateway's one shared ``httpx2.AsyncClient``.

The default transport (httpcore) costs the gateway more than the rest of a request:
assigning a request to a pooled connection scans every connection and asks each socket
whether it is readable. This transport keeps, per origin (scheme, host, port), a stack
of idle connections on asyncio streams; a request takes the most recently used one (or
opens one), writes the whole request, reads the head, and then either reads the body
(``content-length``) or hands back a stream that yields chunks as they arrive (chunked
bodies, server-sent events) and returns the connection when the body is done.

* TLS for ``https://`` (the default verifying context, or the one given);
* a reused connection that turns out to be closed by the server before any byte of the
  answer is retried once on a fresh one (the request was never seen);
* timeouts per phase from the request's ``timeout`` extension (connect, write, read);
* failures as httpx2's exceptions, so callers map them as they would httpcore's:
  ``ConnectError``, ``ConnectTimeout``, ``WriteTimeout``, ``ReadTimeout``,
  ``RemoteProtocolError`` (a reset or a body cut short), ``ReadError``.

HTTP/1.1 only; no proxies (the gateway calls providers directly).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from typing import Any

import httpx2

__all__ = ["PooledTransport"]

_EOL = b"\r\n"
_HEAD_END = b"\r\n\r\n"
_MAX_HEAD = 64 * 1024
Origin = tuple[str, str, int]


class _Connection:
    __slots__ = ("reader", "writer", "origin")

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, origin: Origin
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.origin = origin

    @property
    def usable(self) -> bool:
        return not self.reader.at_eof() and not self.writer.is_closing()

    def close(self) -> None:
        self.writer.close()


def _timeouts(request: httpx2.Request) -> tuple[float | None, float | None, float | None]:
    timeout: dict[str, Any] = request.extensions.get("timeout") or {}
    return timeout.get("connect"), timeout.get("write"), timeout.get("read")


def _head(request: httpx2.Request, body: bytes) -> bytes:
    url = request.url
    target = url.raw_path or b"/"
    lines = [request.method.encode() + b" " + target + b" HTTP/1.1"]
    has_length = False
    for name, value in request.headers.raw:
        lower = name.lower()
        if lower == b"transfer-encoding":
            continue
        if lower == b"content-length":
            has_length = True
            value = str(len(body)).encode()
        lines.append(name + b": " + value)
    if not has_length and (body or request.method in ("POST", "PUT", "PATCH")):
        lines.append(b"Content-Length: " + str(len(body)).encode())
    return _EOL.join(lines) + _HEAD_END


def _parse_head(raw: bytes) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    lines = raw[: -len(_HEAD_END)].split(_EOL)
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
        raise httpx2.RemoteProtocolError(f"not an HTTP/1.1 response: {lines[0][:80]!r}")
    try:
        status = int(parts[1])
    except ValueError:
        raise httpx2.RemoteProtocolError(f"bad status line: {lines[0][:80]!r}") from None
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep:
            raise httpx2.RemoteProtocolError(f"bad header line: {line[:80]!r}")
        headers.append((name.strip(), value.strip()))
    return status, parts[2] if len(parts) > 2 else b"", headers


class _Body(httpx2.AsyncByteStream):
    """A response body read as it arrives; gives the connection back when it is done."""

    def __init__(
        self,
        transport: PooledTransport,
        conn: _Connection,
        mode: str,
        length: int,
        read_timeout: float | None,
        keep: bool,
    ) -> None:
        self.transport = transport
        self.conn: _Connection | None = conn
        self.mode = mode
        self.length = length
        self.read_timeout = read_timeout
        self.keep = keep

    async def __aiter__(self) -> AsyncIterator[bytes]:
        conn = self.conn
        if conn is None:
            return
        reader = conn.reader
        try:
            async with asyncio.timeout(None) as deadline:
                loop = asyncio.get_running_loop()
                while True:
                    if self.read_timeout is not None:
                        deadline.reschedule(loop.time() + self.read_timeout)
                    chunk = await self._next(reader)
                    if not chunk:
                        break
                    yield chunk
        except TimeoutError as exc:
            self._drop()
            raise httpx2.ReadTimeout("timed out reading the response body") from exc
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError) as exc:
            self._drop()
            raise httpx2.RemoteProtocolError(
                "peer closed connection without sending complete message body"
            ) from exc
        except BaseException:
            self._drop()
            raise
        self._done()

    async def _next(self, reader: asyncio.StreamReader) -> bytes:
        if self.mode == "length":
            if self.length <= 0:
                return b""
            data = await reader.read(min(self.length, 65536))
            if not data:
                raise asyncio.IncompleteReadError(b"", self.length)
            self.length -= len(data)
            return data
        if self.mode == "chunked":
            size_line = await reader.readuntil(_EOL)
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise asyncio.IncompleteReadError(size_line, None) from None
            if size == 0:
                while (await reader.readuntil(_EOL)) != _EOL:  # trailers
                    pass
                return b""
            data = await reader.readexactly(size + 2)
            return data[:-2]
        data = await reader.read(65536)  # until the server closes
        if not data:
            self.keep = False
        return data

    def _done(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            if self.keep:
                self.transport.release(conn)
            else:
                conn.close()

    def _drop(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            conn.close()

    async def aclose(self) -> None:
        self._drop()  # a body not read to its end leaves the connection unusable


class PooledTransport(httpx2.AsyncBaseTransport):
    def __init__(
        self, *, max_idle_per_origin: int = 128, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self.max_idle = max_idle_per_origin
        self._ssl = ssl_context
        self._idle: dict[Origin, list[_Connection]] = {}

    def _context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = ssl.create_default_context()
        return self._ssl

    async def _connect(self, origin: Origin, timeout: float | None) -> _Connection:
        scheme, host, port = origin
        try:
            async with asyncio.timeout(timeout):
                if scheme == "https":
                    reader, writer = await asyncio.open_connection(
                        host, port, ssl=self._context(), server_hostname=host, limit=_MAX_HEAD
                    )
                else:
                    reader, writer = await asyncio.open_connection(host, port, limit=_MAX_HEAD)
        except TimeoutError as exc:
            raise httpx2.ConnectTimeout(f"timed out connecting to {host}:{port}") from exc
        except OSError as exc:
            raise httpx2.ConnectError(f"cannot connect to {host}:{port}: {exc}") from exc
        return _Connection(reader, writer, origin)

    def release(self, conn: _Connection) -> None:
        idle = self._idle.setdefault(conn.origin, [])
        if len(idle) < self.max_idle and conn.usable:
            idle.append(conn)
        else:
            conn.close()

    def _take(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        while idle:
            conn = idle.pop()
            if conn.usable:
                return conn
            conn.close()
        return None

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        url = request.url
        scheme = url.scheme
        if scheme not in ("http", "https"):
            raise httpx2.UnsupportedProtocol(f"unsupported scheme {scheme!r}")
        origin = (scheme, url.host, url.port or (443 if scheme == "https" else 80))
        connect, write, read = _timeouts(request)
        body = await request.aread()
        head = _head(request, body)
        conn = self._take(origin)
        if conn is not None:
            try:
                return await self._exchange(conn, request, head + body, write, read)
            except _Stale:
                pass  # the server closed the idle connection: the request never arrived
        conn = await self._connect(origin, connect)
        try:
            return await self._exchange(conn, request, head + body, write, read)
        except _Stale as exc:
            raise httpx2.RemoteProtocolError("the server closed the connection") from exc

    async def _exchange(
        self,
        conn: _Connection,
        request: httpx2.Request,
        data: bytes,
        write: float | None,
        read: float | None,
    ) -> httpx2.Response:
        try:
            conn.writer.write(data)
            if conn.writer.transport.get_write_buffer_size() > 65536:
                async with asyncio.timeout(write):
                    await conn.writer.drain()
        except TimeoutError as exc:
            conn.close()
            raise httpx2.WriteTimeout("timed out sending the request") from exc
        except (ConnectionError, OSError) as exc:
            conn.close()
            raise _Stale() from exc
        try:
            async with asyncio.timeout(read):
                raw = await conn.reader.readuntil(_HEAD_END)
        except TimeoutError as exc:
            conn.close()
            raise httpx2.ReadTimeout("timed out waiting for the response") from exc
        except asyncio.IncompleteReadError as exc:
            conn.close()
            if not exc.partial:
                raise _Stale() from exc
            raise httpx2.RemoteProtocolError("the response head was cut short") from exc
        except asyncio.LimitOverrunError as exc:
            conn.close()
            raise httpx2.RemoteProtocolError("the response head is too large") from exc
        except ConnectionError as exc:
            conn.close()
            raise _Stale() from exc
        try:
            status, reason, headers = _parse_head(raw)
            return self._response(conn, request, status, reason, headers, read)
        except (httpx2.RemoteProtocolError, ValueError) as exc:
            conn.close()
            if isinstance(exc, httpx2.RemoteProtocolError):
                raise
            raise httpx2.RemoteProtocolError(f"a bad response header: {exc}") from exc

    def _response(
        self,
        conn: _Connection,
        request: httpx2.Request,
        status: int,
        reason: bytes,
        headers: list[tuple[bytes, bytes]],
        read: float | None,
    ) -> httpx2.Response:
        length = -1
        chunked = False
        keep = True
        for name, value in headers:
            lower = name.lower()
            if lower == b"content-length":
                length = int(value)
            elif lower == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif lower == b"connection" and value.lower() == b"close":
                keep = False
        if request.method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            mode, length = "length", 0
        elif chunked:
            mode = "chunked"
        elif length >= 0:
            mode = "length"
        else:
            mode, keep = "eof", False
        stream = _Body(self, conn, mode, length, read, keep)
        return httpx2.Response(
            status,
            headers=headers,
            stream=stream,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": reason},
        )

    async def aclose(self) -> None:
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
        self._idle.clear()


class _Stale(Exception):
    """The connection failed before any byte of the answer: safe to send again."""
