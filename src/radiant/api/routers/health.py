"""Health and thermal state for administrators, under ``/api/v2/admin``.

``GET /health`` (``admin:read``): every probed platform and provider API (from
``provider_health``) and every route the gateway reported on (status, latency average,
p95/p99, rates, circuit breaker). ``GET /thermal`` (``admin:read``): every self-hosted
endpoint's thermal state and timers. ``POST /thermal/{model}/warm`` (``status:write``,
operators and above): warm an endpoint now.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from radiant.api.auth import require
from radiant.api.deps import RegistryDep
from radiant.api.request_context import ContextDep
from radiant.core.audit import jsonable
from radiant.domain import HealthStatus
from radiant.health import HealthMonitor
from radiant.health.monitor import monitor_from_settings
from radiant.health.provider_health import list_provider_health
from radiant.health.thermal import ThermalManager, manager_from_settings
from radiant.security import Permission

__all__ = ["health_monitor", "router", "thermal_manager"]

router = APIRouter(prefix="/api/v2/admin", tags=["health"])


def health_monitor(request: Request) -> HealthMonitor:
    """The app's monitor (``create_app(health=...)``), else one on the registry database
    (Redis when ``RADIANT_REDIS_URL`` is set), made once."""
    monitor: HealthMonitor | None = getattr(request.app.state, "health", None)
    if monitor is None:
        monitor = request.app.state.health = monitor_from_settings(
            request.app.state.registry.engine
        )
    return monitor


def thermal_manager(request: Request) -> ThermalManager:
    manager: ThermalManager | None = getattr(request.app.state, "thermal", None)
    if manager is None:
        manager = request.app.state.thermal = manager_from_settings(
            request.app.state.registry.engine
        )
    return manager


MonitorDep = Annotated[HealthMonitor, Depends(health_monitor)]
ThermalDep = Annotated[ThermalManager, Depends(thermal_manager)]


@router.get("/health", dependencies=[require(Permission.ADMIN_READ)])
def health(
    monitor: MonitorDep,
    registry: RegistryDep,
    status: Literal["healthy", "degraded", "unhealthy", "unknown"] | None = None,
) -> JSONResponse:
    """Probed endpoints (platform, provider, region) and routes (passive outcomes)."""
    endpoints = list_provider_health(registry.engine)
    routes = monitor.routes()
    if status is not None:
        endpoints = [e for e in endpoints if e["status"] == status]
        routes = [r for r in routes if r["status"] == status]
    policy = monitor.breaker_policy
    body: dict[str, Any] = {
        "endpoints": endpoints,
        "routes": routes,
        "counts": {
            s.value: sum(1 for row in (*endpoints, *routes) if row["status"] == s.value)
            for s in HealthStatus
        },
        "breaker_policy": {
            "allowed_fails": policy.allowed_fails,
            "window_seconds": policy.window,
            "cooldown_seconds": policy.cooldown,
        },
    }
    return JSONResponse(jsonable(body))


@router.get("/thermal", dependencies=[require(Permission.ADMIN_READ)])
def thermal(manager: ThermalDep) -> JSONResponse:
    """Every self-hosted endpoint: current and target state, transitioning, timers."""
    rows = manager.list()
    return JSONResponse(jsonable({"data": rows, "count": len(rows)}))


@router.post("/thermal/{model}/warm")
def warm(model: str, manager: ThermalDep, ctx: ContextDep) -> JSONResponse:
    """Warm the model's endpoint now (``status:write``); 200 with its thermal state."""
    return JSONResponse(jsonable(manager.warm(model, ctx)))
