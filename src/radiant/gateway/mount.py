"""Mounting the gateway's ``/v1`` endpoints on an ASGI app (the API's, or one of its own).

The endpoints go first in the app's routing table (ahead of the API's routers) and are
plain ASGI apps. Without a gateway given, one is built from the settings on the first
``/v1`` call: a meter on the registry's database, the rate limiter (Redis when
``RADIANT_REDIS_URL`` is set), and the app's health monitor (or one from the settings).
"""

from __future__ import annotations

import threading
from typing import Any

from starlette.routing import Route

from radiant.gateway.endpoints import GatewayEndpoint
from radiant.gateway.requests import Endpoint
from radiant.gateway.service import Gateway
from radiant.registry import Registry

__all__ = ["GatewayHolder", "gateway_from_settings", "install_gateway"]


def gateway_from_settings(registry: Registry, health: Any = None) -> Gateway:
    """A gateway with the meter, limiter and health monitor the settings describe."""
    from radiant.gateway.limits import limiter_from_settings
    from radiant.gateway.metering import meter_from_settings
    from radiant.health.monitor import monitor_from_settings
    from radiant.settings import get_settings

    settings = get_settings()
    if health is None:
        health = monitor_from_settings(registry.engine)
        health.start()
    return Gateway(
        registry,
        meter=meter_from_settings(registry.engine, settings),
        limiter=limiter_from_settings(settings),
        health=health,
    )


class GatewayHolder:
    """The app's gateway, given or built on first use; closed with the app."""

    def __init__(self, registry: Registry, gateway: Gateway | None, health: Any = None) -> None:
        self.registry = registry
        self.health = health
        self._gateway = gateway
        self._lock = threading.Lock()
        self._started = False

    def get(self) -> Gateway:
        gateway = self._gateway
        if gateway is not None and self._started:
            return gateway
        with self._lock:
            if self._gateway is None:
                self._gateway = gateway_from_settings(self.registry, self.health)
            if not self._started:
                self._gateway.start()
                self._started = True
            return self._gateway

    async def aclose(self) -> None:
        if self._gateway is not None and self._started:
            await self._gateway.aclose()
            self._started = False


def install_gateway(
    app: Any, registry: Registry, gateway: Gateway | None = None, *, health: Any = None
) -> GatewayHolder:
    """Put the ``/v1`` endpoints at the head of ``app``'s routes; ``app.state.gateway``
    holds the gateway (close it with ``await app.state.gateway.aclose()``)."""
    holder = GatewayHolder(registry, gateway, health)
    routes = [
        Route(endpoint.path, GatewayEndpoint(holder.get, endpoint), methods=["POST"])
        for endpoint in Endpoint
    ]
    app.router.routes[0:0] = routes
    app.state.gateway = holder
    return holder
