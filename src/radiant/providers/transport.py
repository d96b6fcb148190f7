"""One HTTP exchange with an upstream through the injected
:class:`~radiant.http.client.HttpClient`, every failure mapped through
:mod:`radiant.providers.errors`: a call whose body is read (any status, or an error for
4xx/5xx), a JSON call, a binary stream and a server-sent-event stream (errors raised
while it is being read, too)."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from typing import Any

from radiant.errors import ProviderError
from radiant.http.client import FilePart, HttpClient, HttpResponse, TransportError
from radiant.http.sse import server_sent_events
from radiant.providers.errors import from_response, from_transport, protocol_error
from radiant.providers.shapes import JSONObject

__all__ = ["Call", "sse_events"]


class Call:
    """Requests to one upstream (``name`` labels its errors, ``timeout`` is the route's)
    through an injected client."""

    def __init__(self, client: HttpClient, name: str, timeout: float) -> None:
        self.client = client
        self.name = name
        self.timeout = timeout

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, FilePart] | None = None,
        content: bytes | None = None,
        follow_redirects: bool = False,
    ) -> HttpResponse:
        """The response (body read) whatever its status; raises :class:`ProviderError`
        when there is none."""
        try:
            return await self.client.request(
                method,
                url,
                headers=headers,
                params=params,
                json_body=json_body,
                form=data,
                files=files,
                content=content,
                timeout=self.timeout,
                follow_redirects=follow_redirects,
            )
        except TransportError as exc:
            raise from_transport(self.name, exc) from exc

    async def send(self, method: str, url: str, **kwargs: Any) -> HttpResponse:
        """The response of a successful call; raises :class:`ProviderError` (an error
        status included). Takes the arguments of :meth:`request`."""
        response = await self.request(method, url, **kwargs)
        if response.status_code >= 400:
            raise from_response(self.name, response.status_code, response.text, response.headers)
        return response

    async def json(self, method: str, url: str, **kwargs: Any) -> JSONObject:
        """The JSON object a successful call answers, as it came: the caller narrows it."""
        response = await self.send(method, url, **kwargs)
        try:
            payload = response.json()
        except (ValueError, UnicodeDecodeError):
            raise protocol_error(self.name, "the body is not JSON", response.text) from None
        if not isinstance(payload, dict):
            raise protocol_error(self.name, "the body is not a JSON object", response.text)
        return payload

    async def stream_bytes(
        self,
        url: str,
        body: Any,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None = None,
    ) -> AsyncGenerator[bytes, None]:
        """The body of a POST as it arrives."""
        try:
            async with self.client.stream(
                "POST", url, json_body=body, headers=headers, params=params, timeout=self.timeout
            ) as response:
                if response.status_code >= 400:
                    text = (await response.read()).decode("utf-8", "replace")
                    raise from_response(self.name, response.status_code, text, response.headers)
                pieces = response.chunks()
                async with aclosing(pieces):
                    async for piece in pieces:
                        yield piece
        except TransportError as exc:
            raise from_transport(self.name, exc) from exc

    def events(
        self,
        url: str,
        body: Any,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None = None,
    ) -> AsyncGenerator[tuple[str, Any], None]:
        """``(event, decoded data)`` of a POSTed server-sent-event stream; consume it inside
        ``contextlib.aclosing`` so that leaving early releases the connection at once."""
        return sse_events(self.client, self.name, url, body, headers, params, self.timeout)


async def sse_events(
    client: HttpClient,
    name: str,
    url: str,
    body: Any,
    headers: Mapping[str, str],
    params: Mapping[str, str] | None,
    timeout: float,
) -> AsyncGenerator[tuple[str, Any], None]:
    """Decoded events of a stream. ``data: [DONE]`` comes through as ``("done", None)``
    and ends it; any other data that is not JSON raises a ``protocol`` error."""
    request_headers = {"accept": "text/event-stream", **headers}
    try:
        async with client.stream(
            "POST", url, json_body=body, headers=request_headers, params=params, timeout=timeout
        ) as response:
            if response.status_code >= 400:
                text = (await response.read()).decode("utf-8", "replace")
                raise from_response(name, response.status_code, text, response.headers)
            pieces = response.chunks()
            async with aclosing(pieces), aclosing(server_sent_events(pieces)) as events:
                async for sse in events:
                    if sse.data == "[DONE]":
                        yield "done", None
                        return
                    if not sse.data.strip():
                        continue
                    try:
                        data = json.loads(sse.data)
                    except ValueError:
                        problem = "a stream event is not JSON"
                        raise protocol_error(name, problem, sse.data) from None
                    yield sse.event, data
    except ProviderError:
        raise
    except TransportError as exc:
        raise from_transport(name, exc) from exc
