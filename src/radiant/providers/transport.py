"""One HTTP exchange with an upstream, every failure mapped through
:mod:`radiant.providers.errors`: a JSON call, a binary call, and a server-sent-event
stream (errors raised while it is being read, too)."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from typing import Any, cast

import httpx2

from radiant.errors import ProviderError
from radiant.providers.errors import from_response, from_transport, protocol_error

__all__ = ["Call", "sse_events"]


class Call:
    """Requests to one upstream (``name`` labels its errors) through an injected client."""

    def __init__(self, client: httpx2.AsyncClient, name: str, timeout: float) -> None:
        self.client = client
        self.name = name
        self.timeout = timeout

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
        content: bytes | None = None,
    ) -> httpx2.Response:
        """The response (body read) of a successful call; raises :class:`ProviderError`."""
        try:
            response = await self.client.request(
                method,
                url,
                headers=dict(headers),
                params=dict(params or {}),
                json=json_body,
                data=data,
                files=files,
                content=content,
                timeout=self.timeout,
            )
        except httpx2.HTTPError as exc:
            raise from_transport(self.name, exc) from exc
        if response.status_code >= 400:
            raise from_response(self.name, response.status_code, response.text, response.headers)
        return response

    async def json(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
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
                "POST",
                url,
                json=body,
                headers=dict(headers),
                params=dict(params or {}),
                timeout=self.timeout,
            ) as response:
                if response.status_code >= 400:
                    text = (await response.aread()).decode("utf-8", "replace")
                    raise from_response(self.name, response.status_code, text, response.headers)
                async for piece in response.aiter_bytes():
                    yield piece
        except ProviderError:
            raise
        except httpx2.HTTPError as exc:
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
    client: httpx2.AsyncClient,
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
            "POST",
            url,
            json=body,
            headers=request_headers,
            params=dict(params or {}),
            timeout=timeout,
        ) as response:
            if response.status_code >= 400:
                text = (await response.aread()).decode("utf-8", "replace")
                raise from_response(name, response.status_code, text, response.headers)
            source = cast(AsyncGenerator[Any, None], httpx2.EventSource(response).__aiter__())
            async with aclosing(source):
                async for sse in source:
                    if sse.data == "[DONE]":
                        yield "done", None
                        return
                    if not sse.data.strip():
                        continue
                    try:
                        data = json.loads(sse.data)
                    except ValueError:
                        raise protocol_error(name, "a stream event is not JSON", sse.data) from None
                    yield sse.event, data
    except ProviderError:
        raise
    except httpx2.HTTPError as exc:
        raise from_transport(name, exc) from exc
