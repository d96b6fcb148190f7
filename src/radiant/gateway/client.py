"""The gateway's one shared upstream client, built from the settings (CA bundle,
connections per origin; proxies from the environment): see :mod:`radiant.http.client`."""

from __future__ import annotations

from radiant.http.client import HttpClient
from radiant.http.config import HttpConfig
from radiant.settings import Settings, get_settings

__all__ = ["gateway_client"]


def gateway_client(settings: Settings | None = None) -> HttpClient:
    """A client for every upstream call of one gateway (close it with the gateway)."""
    return HttpClient(HttpConfig.from_settings(settings or get_settings()))
