"""The HTTP client the gateway calls providers with: aiohttp's client behind a small seam.

One :class:`HttpClient` is shared by every adapter of a process (a connection pool per
origin, HTTP/1.1 keep-alive). What it guarantees, each proved by a test against a real
server on 127.0.0.1 (``tests/test_http_client*.py``):

* informational answers (``100 Continue``, ``103 Early Hints``) are skipped: a caller
  gets its own final answer, and no answer is left behind on a pooled connection;
* a request is sent once: a connection that fails under a POST is never retried by the
  client (aiohttp retries only idempotent methods, and only on a reused connection);
* a caller cancelled mid-call (or leaving a stream early) closes its connection;
* proxies from the environment (:mod:`radiant.http.proxies`; HTTPS through ``CONNECT``),
  the CAs of ``RADIANT_CA_BUNDLE``, at most ``connections_per_origin`` connections to one
  origin (:class:`~radiant.http.config.HttpConfig`), a timeout per call;
* no cookie jar: a cookie an upstream sets on one tenant's call never rides on another's.

Failures are :class:`TransportError` with a ``kind``: ``connect`` (no connection, or it
was reset), ``timeout`` (connecting, or waiting for the next byte), ``protocol`` (an
answer cut short or malformed) or ``config`` (a URL or proxy that cannot be used). Its
message never carries the URL (a query may hold a key) nor a proxy's credentials.
"""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp
import orjson
from yarl import URL

from radiant.http.config import HttpConfig
from radiant.http.proxies import EnvProxies, UnsupportedProxy

__all__ = ["FilePart", "HttpClient", "HttpResponse", "HttpStream", "TransportError"]

TransportKind = Literal["connect", "timeout", "protocol", "config"]
#: a multipart part: (file name or None for a plain field, content[, content type])
FilePart = tuple[str | None, bytes | str] | tuple[str | None, bytes | str, str]

#: parsed URLs kept by their string (adapters call the same few URLs over and over)
_MAX_URLS = 4096


class TransportError(Exception):
    """A call that got no complete answer; ``kind`` says how (see the module)."""

    def __init__(self, kind: TransportKind, message: str) -> None:
        super().__init__(message)
        self.kind: TransportKind = kind


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            try:
                return codecs.lookup(value.strip('"')).name
            except LookupError:
                break
    return "utf-8"


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """An answer with its whole body."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode(_charset(self.headers.get("content-type", "")), "replace")

    def json(self) -> Any:
        """The body decoded; raises ``ValueError`` for a body that is not JSON."""
        return orjson.loads(self.content)


class HttpStream:
    """An answer whose body is read as it arrives (inside :meth:`HttpClient.stream`)."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response
        self.status_code = response.status
        self.headers: Mapping[str, str] = response.headers

    async def read(self) -> bytes:
        try:
            return await self._response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise transport_error(exc) from exc

    async def chunks(self) -> AsyncGenerator[bytes, None]:
        """The body in the pieces the network delivers, each as soon as it is in."""
        try:
            async for piece in self._response.content.iter_any():
                yield piece
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise transport_error(exc) from exc


class HttpClient:
    """Requests through one pool; the aiohttp session is made on first use, inside the
    event loop that serves it, and closed by :meth:`aclose` (or ``async with``)."""

    def __init__(self, config: HttpConfig | None = None) -> None:
        self.config = config or HttpConfig()
        self.proxies = EnvProxies.from_environment()
        #: made now, not on the first call (loading the roots takes a while)
        self.ssl = self.config.ssl_context()
        self._session: aiohttp.ClientSession | None = None
        self._closed = False
        self._timeouts: dict[float, aiohttp.ClientTimeout] = {}
        self._urls: dict[str, URL] = {}

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def _open(self) -> aiohttp.ClientSession:
        session = self._session
        if session is None:
            if self._closed:
                raise RuntimeError("the HTTP client is closed")
            connector = aiohttp.TCPConnector(
                limit=self.config.connections,
                limit_per_host=self.config.connections_per_origin,
                ssl=self.ssl,
            )
            session = self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,  # proxies are ours (read once); it would also read ~/.netrc
            )
        return session

    # ---------------------------------------------------------------- one request

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        files: Mapping[str, FilePart] | None = None,
        content: bytes | None = None,
        timeout: float = 60.0,
        follow_redirects: bool = False,
    ) -> HttpResponse:
        """The answer, whatever its status, with its body read. ``timeout`` bounds
        connecting (a wait for a free connection included) and each wait for the next
        byte of the answer."""
        arguments = self._arguments(url, headers, params, json_body, form, files, content)
        try:
            async with self._open().request(
                method,
                self._url(url),
                timeout=self._timeout(timeout),
                allow_redirects=follow_redirects,
                **arguments,
            ) as response:
                body = await response.read()
                return HttpResponse(response.status, response.headers, body)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise transport_error(exc) from exc

    @asynccontextmanager
    async def stream(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        timeout: float = 60.0,
    ) -> AsyncIterator[HttpStream]:
        """The answer once its head is in; its body is read inside the block. Leaving the
        block before the body's end closes the connection (it cannot serve another)."""
        arguments = self._arguments(url, headers, params, json_body, None, None, None)
        try:
            response = await self._open().request(
                method,
                self._url(url),
                timeout=self._timeout(timeout),
                allow_redirects=False,
                **arguments,
            )
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise transport_error(exc) from exc
        try:
            yield HttpStream(response)
        finally:
            if response.content.is_eof():
                response.release()
            else:
                response.close()

    # ---------------------------------------------------------------- the parts

    def _url(self, url: str) -> URL:
        found = self._urls.get(url)
        if found is None:
            if len(self._urls) >= _MAX_URLS:
                self._urls.clear()
            try:
                found = self._urls[url] = URL(url)
            except (ValueError, TypeError) as exc:
                raise TransportError("config", "the URL is not valid") from exc
        return found

    def _timeout(self, seconds: float) -> aiohttp.ClientTimeout:
        found = self._timeouts.get(seconds)
        if found is None:
            found = aiohttp.ClientTimeout(
                total=None, connect=seconds, sock_connect=seconds, sock_read=seconds
            )
            self._timeouts[seconds] = found
        return found

    def _proxy(self, url: str) -> str | None:
        parsed = self._url(url)
        scheme, host, port = parsed.scheme, parsed.host, parsed.port
        if host is None or port is None:
            return None  # aiohttp refuses the URL itself
        try:
            return self.proxies.for_origin(scheme, host, port)
        except UnsupportedProxy as exc:
            raise TransportError("config", str(exc)) from None

    def _arguments(
        self,
        url: str,
        headers: Mapping[str, str] | None,
        params: Mapping[str, str] | None,
        json_body: Any,
        form: Mapping[str, str] | None,
        files: Mapping[str, FilePart] | None,
        content: bytes | None,
    ) -> dict[str, Any]:
        request_headers = dict(headers or {})
        arguments: dict[str, Any] = {"headers": request_headers}
        if params:
            arguments["params"] = dict(params)
        if self.proxies:
            proxy = self._proxy(url)
            if proxy is not None:
                arguments["proxy"] = proxy
        if files is not None:
            arguments["data"] = _multipart(form or {}, files)
        elif form is not None:
            arguments["data"] = dict(form)
        elif json_body is not None:
            arguments["data"] = _body(_json(json_body))
            if not any(name.lower() == "content-type" for name in request_headers):
                request_headers["content-type"] = "application/json"
        elif content is not None:
            arguments["data"] = _body(content)
        return arguments


#: aiohttp sends bytes above this size from a file-like object (it warns on raw bytes)
_LARGE_BODY = 1 << 20


def _body(data: bytes) -> bytes | io.BytesIO:
    """A body as aiohttp sends it best: small ones as bytes, large ones (an image or audio
    inline) from a buffer, written out in pieces with its length known."""
    return io.BytesIO(data) if len(data) > _LARGE_BODY else data


def _json(value: Any) -> bytes:
    """Compact UTF-8 JSON: orjson (a few times faster on the bodies a gateway sends), the
    standard library for what orjson refuses (keys that are not strings, huge integers)."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _multipart(form: Mapping[str, str], files: Mapping[str, FilePart]) -> aiohttp.FormData:
    data = aiohttp.FormData(default_to_multipart=True)
    for name, text in form.items():
        data.add_field(name, text)
    for name, part in files.items():
        filename, content = part[0], part[1]
        content_type = part[2] if len(part) == 3 else None
        if filename is None and not isinstance(content, str):
            filename = name  # bytes always travel as a file part
        data.add_field(name, content, filename=filename, content_type=content_type)
    return data


def transport_error(exc: BaseException) -> TransportError:
    """The :class:`TransportError` for an aiohttp failure (messages without the URL)."""
    if isinstance(exc, aiohttp.ServerTimeoutError | TimeoutError):
        phase = "connecting" if isinstance(exc, aiohttp.ConnectionTimeoutError) else "waiting"
        return TransportError("timeout", f"timed out {phase}")
    if isinstance(exc, aiohttp.ClientHttpProxyError):
        return TransportError("connect", f"the proxy refused the tunnel: HTTP {exc.status}")
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return TransportError("connect", f"certificate not trusted: {exc.certificate_error}")
    if isinstance(exc, aiohttp.ClientConnectorError):
        reason = exc.os_error.strerror or type(exc.os_error).__name__
        return TransportError("connect", f"cannot connect to {exc.host}:{exc.port}: {reason}")
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return TransportError("protocol", "the server closed the connection before answering")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return TransportError("protocol", "the answer was cut short or is malformed")
    if isinstance(exc, aiohttp.ClientResponseError):
        return TransportError("protocol", f"a malformed answer: {exc.message}")
    if isinstance(exc, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        return TransportError("config", "the URL is not valid")
    if isinstance(exc, aiohttp.ClientOSError):
        return TransportError("connect", f"the connection failed: {exc.strerror or exc}")
    return TransportError("connect", type(exc).__name__)
