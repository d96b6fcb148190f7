"""An httpx2 transport on aiohttp's client: its C HTTP parser and its connection pool.

Each httpx2 request becomes one ``aiohttp.ClientSession.request`` (method, URL as
encoded, the request's headers as they are, the body as bytes or as an async stream);
the answer is an ``httpx2.Response`` whose stream yields the body as it arrives (server-
sent events pass through unbuffered) and releases the aiohttp response when it is read to
its end or closed. httpx2 keeps what it does itself: cookies, redirects and content
decoding (aiohttp's ``auto_decompress`` is off, so ``content-encoding`` reaches httpx2).

* timeouts from the request's ``timeout`` extension: ``connect`` bounds opening a socket,
  ``pool`` + ``connect`` bounds getting a connection, ``read`` bounds each wait for data.
  aiohttp has no timeout of its own for sending: its read timer runs while the request is
  written, so a stalled upload ends as ``ReadTimeout`` (callers treat every
  ``TimeoutException`` alike);
* a reused connection that the server turns out to have closed before any byte of the
  answer is retried once on a fresh one, whatever the method, when the body is bytes (a
  streamed body cannot be sent twice);
* failures as httpx2's exceptions, so callers map them as they would httpcore's:
  ``ConnectError``, ``ConnectTimeout``, ``ReadTimeout``, ``RemoteProtocolError`` (a reset,
  a malformed answer, a connection lost before the answer or a body cut short),
  ``ReadError`` (another failure while reading the body).
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from contextvars import ContextVar
from typing import Any
from weakref import WeakSet

import aiohttp
import httpx2
from aiohttp.connector import Connection
from aiohttp.tracing import Trace
from yarl import URL

__all__ = ["AiohttpTransport"]

#: headers aiohttp would add by itself; httpx2 sends what the request carries, no more
_SKIP = frozenset({"Accept", "Accept-Encoding", "User-Agent", "Content-Type"})


#: the request being sent in this task, told by the connector whether it reused a connection
_ATTEMPT: ContextVar[_Attempt | None] = ContextVar("radiant_aiohttp_attempt", default=None)


class _Attempt:
    __slots__ = ("reused",)

    def __init__(self) -> None:
        self.reused = False


class _Connector(aiohttp.TCPConnector):
    """aiohttp's pool, which also notes whether a request got a connection used before
    (aiohttp only resends idempotent methods itself; a POST is safe to resend when a
    pooled connection failed before the answer began, as the server never read it)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._used: WeakSet[Any] = WeakSet()

    async def connect(
        self, req: aiohttp.ClientRequest, traces: list[Trace], timeout: aiohttp.ClientTimeout
    ) -> Connection:
        connection = await super().connect(req, traces, timeout)
        protocol = connection.protocol
        if protocol is not None:
            if protocol in self._used:
                attempt = _ATTEMPT.get()
                if attempt is not None:
                    attempt.reused = True
            else:
                self._used.add(protocol)
        return connection


def _stale(exc: BaseException, data: object) -> bool:
    """Did a connection fail before the answer began, with a body that can be sent again?"""
    if not isinstance(data, bytes | None) or isinstance(exc, aiohttp.ClientConnectorError):
        return False
    return isinstance(
        exc,
        aiohttp.ServerDisconnectedError
        | aiohttp.ClientConnectionResetError
        | aiohttp.ClientOSError,
    )


def _mapped(exc: BaseException, *, body: bool) -> Exception:
    """The httpx2 exception for an aiohttp failure (``body``: while reading the body)."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx2.ConnectTimeout(f"timed out connecting: {exc}")
    if isinstance(exc, aiohttp.ServerTimeoutError | TimeoutError):
        where = "the response body" if body else "the response"
        return httpx2.ReadTimeout(f"timed out waiting for {where}")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx2.ConnectError(f"cannot connect: {exc}")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return httpx2.RemoteProtocolError(
            f"peer closed connection without sending complete message body: {exc}"
        )
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientConnectionResetError):
        return httpx2.RemoteProtocolError(f"the server closed the connection: {exc}")
    if isinstance(exc, aiohttp.ClientResponseError):
        return httpx2.RemoteProtocolError(f"a malformed response: {exc.message}")
    if isinstance(exc, aiohttp.InvalidURL):
        return httpx2.UnsupportedProtocol(f"a URL aiohttp cannot use: {exc}")
    if not body and isinstance(exc, aiohttp.ClientOSError):  # failed before the answer began
        return httpx2.RemoteProtocolError(f"the connection failed: {exc}")
    return httpx2.ReadError(f"the connection failed: {exc}")


class _Body(httpx2.AsyncByteStream):
    """A response body read as it arrives; releases the aiohttp response when done."""

    __slots__ = ("response",)

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.response: aiohttp.ClientResponse | None = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        response = self.response
        if response is None:
            return
        content = response.content
        try:
            while True:
                chunk = await content.readany()
                if not chunk:
                    break
                yield chunk
        except (aiohttp.ClientError, TimeoutError) as exc:
            self._close()
            raise _mapped(exc, body=True) from exc
        except BaseException:
            self._close()
            raise
        self.response = None
        response.release()  # read to its end: the connection goes back to the pool

    def _close(self) -> None:
        response, self.response = self.response, None
        if response is not None:
            response.close()  # a body not read to its end leaves the connection unusable

    async def aclose(self) -> None:
        self._close()


class AiohttpTransport(httpx2.AsyncBaseTransport):
    """``httpx2.AsyncClient(transport=AiohttpTransport())``: one aiohttp session (made on
    first use, in the running loop) behind every request of the client."""

    def __init__(
        self,
        *,
        limit: int = 0,
        limit_per_host: int = 0,
        keepalive_timeout: float = 15.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._limit = limit
        self._limit_per_host = limit_per_host
        self._keepalive = keepalive_timeout
        self._ssl: ssl.SSLContext | bool = ssl_context if ssl_context is not None else True
        self._session: aiohttp.ClientSession | None = None
        self._urls: dict[str, URL] = {}

    def _open(self) -> aiohttp.ClientSession:
        connector = _Connector(
            limit=self._limit,
            limit_per_host=self._limit_per_host,
            keepalive_timeout=self._keepalive,
            ssl=self._ssl,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
            skip_auto_headers=_SKIP,
            timeout=aiohttp.ClientTimeout(total=None),
        )
        return self._session

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx2.UnsupportedProtocol(f"unsupported scheme {url.scheme!r}")
        session = self._session or self._open()
        key = str(url)
        target = self._urls.get(key)
        if target is None:  # parsed once per URL: adapters call the same few over and over
            if len(self._urls) >= 4096:
                self._urls.clear()
            target = self._urls[key] = URL(key, encoded=True)
        headers = [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in request.headers.raw
            if name.lower() != b"transfer-encoding"
        ]
        data = _body(request)
        timeout = _timeout(request)
        for attempt_number in (1, 2):
            attempt = _Attempt()
            token = _ATTEMPT.set(attempt)
            try:
                response = await session.request(
                    request.method,
                    target,
                    headers=headers,
                    data=data,
                    timeout=timeout,
                    allow_redirects=False,
                )
            except (aiohttp.ClientError, TimeoutError) as exc:
                if attempt.reused and attempt_number == 1 and _stale(exc, data):
                    continue  # a pooled connection the server had closed: send it afresh
                raise _mapped(exc, body=False) from exc
            finally:
                _ATTEMPT.reset(token)
            break
        return httpx2.Response(
            response.status,
            headers=response.raw_headers,
            stream=_Body(response),
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": (response.reason or "").encode("latin-1"),
            },
        )

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()


def _body(request: httpx2.Request) -> bytes | AsyncIterator[bytes] | None:
    try:
        content = request.content  # read already (bytes, JSON, forms): send it as it is
    except httpx2.RequestNotRead:
        stream = request.stream
        assert isinstance(stream, httpx2.AsyncByteStream), "a sync body on an async transport"
        return _chunks(stream)
    return content or None


async def _chunks(stream: httpx2.AsyncByteStream) -> AsyncIterator[bytes]:
    async for chunk in stream:
        yield chunk


def _timeout(request: httpx2.Request) -> aiohttp.ClientTimeout:
    given: dict[str, Any] = request.extensions.get("timeout") or {}
    connect, pool = given.get("connect"), given.get("pool")
    acquire = None if connect is None or pool is None else connect + pool
    return aiohttp.ClientTimeout(
        total=None, connect=acquire, sock_connect=connect, sock_read=given.get("read")
    )
