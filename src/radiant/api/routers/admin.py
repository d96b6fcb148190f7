"""Admin endpoints under ``/api/v2/admin/registry``: unified view, stats, syncs.

Every endpoint needs an administrator token: ``admin:read`` to read, ``sync:run`` to
start a sync.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Query, Response
from pydantic import BaseModel, ConfigDict

from radiant.api.auth import PrincipalDep, require
from radiant.api.deps import RegistryDep
from radiant.api.routers.sync import start_in_background
from radiant.domain import HostingType, SyncStatus
from radiant.security import Permission
from radiant.sync.runner import check_sync_type

router = APIRouter(
    prefix="/api/v2/admin/registry",
    tags=["admin"],
    dependencies=[require(Permission.ADMIN_READ)],
)


class SyncRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    #: Only the catalog the server is configured with (built-in or RADIANT_CATALOG_DIR)
    #: can be synced through the API: a caller never names a server path.
    type: Literal["catalog"] = "catalog"


class SyncAccepted(BaseModel):
    id: str
    status: str
    type: str
    href: str


@router.get("/models")
def unified_models(
    registry: RegistryDep,
    principal: PrincipalDep,
    category: str | None = None,
    hosting_type: Annotated[HostingType | None, Query(alias="hostingType")] = None,
    status: Literal["enabled", "disabled"] | None = None,
) -> dict[str, Any]:
    """The unified view: external and self-hosted models in one list."""
    enabled = None if status is None else status == "enabled"
    rows = registry.unified(category=category, hosting_type=hosting_type, enabled=enabled)
    if not principal.sees_cost:  # the unified view's columns are COSTS: cost readers only
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


@router.post(
    "/sync",
    status_code=202,
    dependencies=[require(Permission.SYNC_RUN)],
    responses={409: {"description": "a sync of that type is already running"}},
)
def start_sync(
    registry: RegistryDep,
    background: BackgroundTasks,
    response: Response,
    body: SyncRequest | None = None,
) -> SyncAccepted:
    """Start a catalog sync in the background; follow it at ``href`` or in the history.

    Other sync types: ``POST /api/v2/admin/registry/sync/{type}``.
    """
    request = body or SyncRequest()
    accepted = start_in_background(registry, request.type, background, response)
    return SyncAccepted(**accepted.model_dump())


@router.get("/sync/history")
def sync_history(
    registry: RegistryDep,
    sync_type: Annotated[
        str | None, Query(alias="type", max_length=50, description="Only runs of this type.")
    ] = None,
    status: Annotated[SyncStatus | None, Query(description="Only runs that ended so.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> dict[str, Any]:
    """Sync runs, newest first; ``count`` is how many match, ``data`` one page of them."""
    if sync_type is not None:
        check_sync_type(sync_type)
    rows, total = registry.sync_history(
        limit,
        sync_type=sync_type,
        status=None if status is None else status.value,
        offset=offset,
    )
    return {"data": rows, "count": total, "total": total, "limit": limit, "offset": offset}


@router.get("/sync/{sync_id}")
def sync_run(registry: RegistryDep, sync_id: str) -> dict[str, Any]:
    """One sync: running, completed or failed, with its counts and errors."""
    return registry.sync_run(sync_id)
