"""The gateway's one shared HTTP client for upstream calls (see :mod:`.transport`)."""

from __future__ import annotations

from typing import Any

import httpx2

from radiant.gateway.transport import PooledTransport

__all__ = ["GatewayClient"]


class GatewayClient(httpx2.AsyncClient):
    """The gateway's shared client: the lean transport, and parsed URLs remembered by
    their string (adapters call the same few URLs over and over; parsing one costs more
    than the rest of building a request). Empty query parameters are no parameters."""

    def __init__(self, *, max_urls: int = 4096, **kwargs: Any) -> None:
        kwargs.setdefault("transport", PooledTransport())
        kwargs.setdefault("timeout", httpx2.Timeout(60.0, connect=5.0))
        super().__init__(**kwargs)
        self._urls: dict[str, httpx2.URL] = {}
        self._max_urls = max_urls

    def _merge_url(self, url: httpx2.URL | str) -> httpx2.URL:
        if not isinstance(url, str):
            return super()._merge_url(url)
        found = self._urls.get(url)
        if found is None:
            found = super()._merge_url(url)
            if len(self._urls) >= self._max_urls:
                self._urls.clear()
            self._urls[url] = found
        return found

    def build_request(
        self, method: str, url: httpx2.URL | str, *, params: Any = None, **kwargs: Any
    ) -> httpx2.Request:
        return super().build_request(method, url, params=params or None, **kwargs)
