"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from radiant.api.problems import install_problem_handlers
from radiant.api.routers import admin, openai, pricing, registry
from radiant.registry import Registry

__all__ = ["create_app"]


def create_app(registry_service: Registry) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        registry_service.start_listening()
        try:
            yield
        finally:
            registry_service.stop_listening()

    app = FastAPI(
        title="Radiant",
        summary="AI model registry and router",
        version=_version(),
        lifespan=lifespan,
    )
    app.state.registry = registry_service
    app.state.authenticators = []
    install_problem_handlers(app)
    app.include_router(pricing.router)  # before registry: /models/{id}/pricing wins the path
    app.include_router(registry.router)
    app.include_router(admin.router)
    app.include_router(openai.router)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, Any]:
        snapshot = registry_service.snapshot()
        return {"status": "ok", "registry_version": snapshot.version, "models": snapshot.size}

    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("radiant-registry")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0"
