"""Mounting the gateway's ``/v1`` endpoints on an ASGI app (the API's, or one of its own).

The endpoints are plain ASGI apps, dispatched by path from the outermost middleware of
the app: a gateway call skips the API's middleware stack and router (the gateway does
its own request ids, body limits and error bodies). Without a gateway given, one is
built from the settings on the first ``/v1`` call: a meter on the registry's database,
the rate limiter (Redis when ``RADIANT_REDIS_URL`` is set), and the app's health monitor
(or one from the settings). The meter itself starts with the app
(:meth:`GatewayHolder.start`, from the app's lifespan), not on the first call: it drains
at once what processes that died left in the spool directory, traffic or not.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from radiant.gateway.endpoints import GatewayEndpoint
from radiant.gateway.idempotency import IdempotencyStore
from radiant.gateway.limits import LocalRateLimiter, RateLimiter
from radiant.gateway.metering import Meter, meter_from_settings
from radiant.gateway.requests import JOB_ENDPOINTS, Endpoint
from radiant.gateway.service import Gateway
from radiant.health.monitor import monitor_from_settings
from radiant.pricing.service import PricingService
from radiant.registry.service import Registry
from radiant.selection.service import Selector
from radiant.settings import get_settings

__all__ = ["GatewayDispatch", "GatewayHolder", "gateway_from_settings", "install_gateway"]


def gateway_from_settings(
    registry: Registry,
    health: Any = None,
    meter: Meter | None = None,
    *,
    pricing: PricingService | None = None,
    selector: Selector | None = None,
) -> Gateway:
    """A gateway with the meter, limiter and health monitor the settings describe
    (``meter``: one made already; ``pricing`` and ``selector``: the app's, shared)."""

    settings = get_settings()
    if health is None:
        health = monitor_from_settings(registry.engine)
        health.start()
    return Gateway(
        registry,
        meter=meter or meter_from_settings(registry.engine, settings),
        limiter=limiter_from_settings(settings),
        health=health,
        idempotency=IdempotencyStore(registry.engine, ttl=settings.idempotency_ttl_seconds),
        pricing=pricing,
        selector=selector,
        cold_start=settings.gateway_cold_start,
    )


class GatewayHolder:
    """The app's gateway, given or built on first use; closed with the app."""

    def __init__(
        self,
        registry: Registry,
        gateway: Gateway | None,
        health: Any = None,
        *,
        pricing: PricingService | None = None,
        selector: Selector | None = None,
    ) -> None:
        self.registry = registry
        self.health = health
        self.pricing = pricing
        self.selector = selector
        self._gateway = gateway
        self._lock = threading.Lock()
        self._started = False
        #: a health monitor built here (closed here); the app's own is the app's to close
        self._own_health: Any = None
        #: the meter started with the app, before the gateway it goes into is built
        self._meter: Meter | None = None

    def start(self) -> None:
        """Start metering (the app's start): the given gateway, or the meter of the one to
        be built, which adopts and flushes the spool that dead processes left."""
        with self._lock:
            if self._gateway is not None:
                if not self._started:
                    self._gateway.start()
                    self._started = True
                return
            if self._meter is None:
                self._meter = meter_from_settings(self.registry.engine, get_settings())
                self._meter.start()

    def get(self) -> Gateway:
        gateway = self._gateway
        if gateway is not None and self._started:
            return gateway
        with self._lock:
            if self._gateway is None:
                self._gateway = gateway_from_settings(
                    self.registry,
                    self.health,
                    self._meter,
                    pricing=self.pricing,
                    selector=self.selector,
                )
                if self.health is None:
                    self._own_health = self._gateway.health
            if not self._started:
                self._gateway.start()
                self._started = True
            return self._gateway

    async def aclose(self) -> None:
        if self._gateway is not None and self._started:
            await self._gateway.aclose()
            self._started = False
        elif self._meter is not None and self._gateway is None:  # no call came: the meter
            await asyncio.to_thread(self._meter.close)
        self._meter = None
        if self._own_health is not None:
            await asyncio.to_thread(self._own_health.close)
            self._own_health = None


class GatewayDispatch:
    """Send ``POST /v1/<gateway endpoint>`` to the gateway, everything else on."""

    def __init__(self, app: ASGIApp, endpoints: dict[str, GatewayEndpoint]) -> None:
        self.app = app
        self.endpoints = endpoints
        #: the endpoints whose jobs are read back at ``<path>/{id}``
        self.jobs = {e.path: endpoints[e.path] for e in JOB_ENDPOINTS if e.path in endpoints}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            endpoint = self.endpoints.get(path)
            if endpoint is None and path.count("/") > 2:  # /v1/videos/{id}: a job
                endpoint = self.jobs.get(path[: path.index("/", 4)])
            if endpoint is not None:
                await endpoint(scope, receive, send)
                return
        await self.app(scope, receive, send)


def install_gateway(
    app: Any,
    registry: Registry,
    gateway: Gateway | None = None,
    *,
    health: Any = None,
    pricing: PricingService | None = None,
    selector: Selector | None = None,
    max_body_bytes: int | None = None,
    expose_route: bool | None = None,
) -> GatewayHolder:
    """Serve the ``/v1`` endpoints on ``app`` (before its other middleware);
    ``app.state.gateway`` holds the gateway (closed by ``await app.state.gateway.aclose()``).

    ``max_body_bytes`` and ``expose_route`` default to ``RADIANT_GATEWAY_MAX_BODY_BYTES``
    and ``RADIANT_GATEWAY_EXPOSE_ROUTE``."""
    settings = get_settings()
    limit = max_body_bytes or settings.gateway_max_body_bytes
    expose = settings.gateway_expose_route if expose_route is None else expose_route
    holder = GatewayHolder(registry, gateway, health, pricing=pricing, selector=selector)
    endpoints = {
        e.path: GatewayEndpoint(holder.get, e, limit, expose_route=expose) for e in Endpoint
    }
    app.add_middleware(GatewayDispatch, endpoints=endpoints)
    app.state.gateway = holder
    return holder


def limiter_from_settings(settings: Any) -> RateLimiter:
    """Redis-backed when ``settings.redis_url`` is set, in this process otherwise."""
    url = getattr(settings, "redis_url", None)
    if url:
        from radiant.gateway.redis_limits import RedisRateLimiter  # needs radiant[redis]

        return RedisRateLimiter.from_url(url)
    return LocalRateLimiter()
