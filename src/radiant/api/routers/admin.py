"""Seed 002 admin read endpoints under ``/api/v2/admin/registry``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from radiant.api.auth import PrincipalDep
from radiant.api.deps import RegistryDep
from radiant.domain import HostingType

router = APIRouter(prefix="/api/v2/admin/registry", tags=["admin"])


@router.get("/models")
def unified_models(
    registry: RegistryDep,
    principal: PrincipalDep,
    category: str | None = None,
    hosting_type: Annotated[HostingType | None, Query(alias="hostingType")] = None,
    status: Literal["enabled", "disabled"] | None = None,
) -> dict[str, Any]:
    """Seed 002 unified view: external and self-hosted models in one list."""
    enabled = None if status is None else status == "enabled"
    rows = registry.unified(category=category, hosting_type=hosting_type, enabled=enabled)
    if not principal.sees_cost:  # the seed's columns are COSTS: cost readers only
        rows = [{k: v for k, v in row.items() if "cost" not in k} for row in rows]
    return {
        "total": len(rows),
        "external": sum(1 for r in rows if r["hosting_type"] == "external"),
        "selfHosted": sum(1 for r in rows if r["hosting_type"] == "self_hosted"),
        "models": rows,
    }


@router.get("/stats")
def stats(registry: RegistryDep) -> dict[str, Any]:
    """Counts by hosting type, category, provider, health and thermal state."""
    return registry.stats()


@router.get("/sync/history")
def sync_history(
    registry: RegistryDep, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> dict[str, Any]:
    rows = registry.sync_history(limit)
    return {"data": rows, "count": len(rows)}
