"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from fastapi import Depends, FastAPI

from radiant.api.administration import install_administration, read_gate
from radiant.api.limits import BodyLimitMiddleware
from radiant.api.openapi import install_openapi
from radiant.api.problems import install_problem_handlers
from radiant.api.query_guard import single_valued_query
from radiant.api.routers import (
    admin,
    catalog_diff,
    discovery,
    openai,
    pricing,
    registry,
    routing_rules,
    selection,
    sync,
    tenants,
)
from radiant.api.routers import health as health_routes
from radiant.gateway.mount import install_gateway
from radiant.pricing.service import PricingService
from radiant.registry.service import Registry
from radiant.selection.rule_admin import RoutingRules
from radiant.selection.service import Selector
from radiant.settings import get_settings
from radiant.tenants import Tenants

if TYPE_CHECKING:
    from radiant.gateway.service import Gateway
    from radiant.health import HealthMonitor
    from radiant.health.thermal import ThermalManager
    from radiant.sync.scheduler import SyncScheduler

__all__ = ["create_app"]


def create_app(
    registry_service: Registry,
    *,
    max_body_bytes: int | None = None,
    gateway_max_body_bytes: int | None = None,
    expose_route: bool | None = None,
    require_auth_for_reads: bool = False,
    scheduler: SyncScheduler | None = None,
    health: HealthMonitor | None = None,
    thermal: ThermalManager | None = None,
    gateway: Gateway | None = None,
) -> FastAPI:
    """The API of ``registry_service``; with ``scheduler``, the app runs the scheduled
    syncs while it serves (``radiant serve`` passes one). ``health`` and ``thermal``:
    the route health monitor and thermal manager (default: from the settings, on first use);
    ``gateway``: the ``/v1`` gateway (default: from the settings, on the first call).
    ``max_body_bytes`` (the API's), ``gateway_max_body_bytes`` (``/v1``'s) and
    ``expose_route`` (``x-radiant-route`` on gateway answers) default to the settings."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        registry_service.start_listening()
        if scheduler is not None:
            scheduler.start()
        if health is not None:
            health.start()
        if thermal is not None:
            thermal.start()
        app.state.gateway.start()  # the meter drains what dead processes left, at once
        try:
            yield
        finally:
            await app.state.gateway.aclose()
            if thermal is not None:
                thermal.close()
            if health is not None:
                health.close()
            if scheduler is not None:
                scheduler.stop()
            registry_service.stop_listening()

    settings = get_settings()
    traced = settings.opentelemetry
    app = FastAPI(
        title="Radiant",
        summary="AI model registry and router",
        version=_version(),
        lifespan=lifespan,
        dependencies=[Depends(single_valued_query)],
        telemetry={"tracing": traced, "metrics": traced, "logs": traced},
    )
    app.state.registry = registry_service
    app.state.health = health
    app.state.thermal = thermal
    app.state.authenticators = []
    app.state.tenants = Tenants.open(registry_service)
    app.state.authenticators.append(app.state.tenants.keys.authenticate)
    install_problem_handlers(app)
    install_openapi(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes or settings.max_body_bytes)
    install_administration(app, registry_service, require_auth_for_reads=require_auth_for_reads)
    # pricing and selection before registry: /models/{id}/pricing, /models/{id}/routes/best
    # and the like must not be read as a model id
    routers = (
        pricing.router,
        selection.router,
        registry.router,
        admin.router,
        sync.router,
        catalog_diff.router,
        openai.router,
    )
    for router in routers:
        app.include_router(router, dependencies=[read_gate])
    app.include_router(tenants.router)
    app.state.routing_rules = RoutingRules(registry_service)
    # one pricing service and one selector for the API and the gateway: each snapshot's
    # price table and selection index are prepared, and held, once
    app.state.pricing = PricingService(registry_service)
    app.state.selector = Selector(registry_service, markups=app.state.pricing.book)
    app.include_router(routing_rules.router)
    app.include_router(health_routes.router)
    app.include_router(discovery.router)
    install_gateway(
        app,
        registry_service,
        gateway,
        health=health,
        pricing=app.state.pricing,
        selector=app.state.selector,
        max_body_bytes=gateway_max_body_bytes,
        expose_route=expose_route,
    )

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, Any]:
        snapshot = registry_service.snapshot()
        return {"status": "ok", "registry_version": snapshot.version, "models": snapshot.size}

    return app


def _version() -> str:

    try:
        return version("radiant-registry")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0"
