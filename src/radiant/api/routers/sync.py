"""Start any sync through the API: ``POST /api/v2/admin/registry/sync/{type}``.

``type`` is ``full``, ``catalog``, ``discovery``, ``health``, ``thermal`` or ``pricing``
(or another registered job). The run is recorded at once and runs in the background:
202 with its id and ``Location``; ``GET /api/v2/admin/registry/sync/{id}`` follows it,
with its progress while it runs. One run per type at a time: 409 while one is going.
Options come from the server's settings (the catalog directory, the pricing sources):
a caller never names a server path or URL. Needs ``sync:run``.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Response
from pydantic import BaseModel

from radiant.api.auth import require
from radiant.api.deps import RegistryDep
from radiant.errors import RadiantError
from radiant.security import Permission
from radiant.settings import Settings, get_settings
from radiant.sync.options import default_options
from radiant.sync.runner import execute_run, start

__all__ = ["SyncAccepted", "router", "start_in_background"]

logger = logging.getLogger(__name__)

PREFIX = "/api/v2/admin/registry"

router = APIRouter(prefix=PREFIX, tags=["admin"], dependencies=[require(Permission.ADMIN_READ)])


class SyncAccepted(BaseModel):
    id: str
    status: str
    type: str
    href: str


@router.post(
    "/sync/{sync_type}",
    status_code=202,
    dependencies=[require(Permission.SYNC_RUN)],
    responses={
        409: {"description": "a sync of that type is already running"},
        422: {"description": "an unknown sync type, or one the server is not set up for"},
    },
)
def start_typed_sync(
    sync_type: str, registry: RegistryDep, background: BackgroundTasks, response: Response
) -> SyncAccepted:
    """Start a sync of ``sync_type`` in the background; follow it at ``href``."""
    return start_in_background(registry, sync_type, background, response)


def start_in_background(
    registry: Any, sync_type: str, background: BackgroundTasks, response: Response
) -> SyncAccepted:
    """Record a run of ``sync_type`` (409 while one runs) and run it after the response."""

    settings = get_settings()
    options = default_options(sync_type, settings, registry.catalog_dir)
    source = (options.get("catalog") or options).get("directory")
    if sync_type in ("catalog", "full") and source is None:
        source = "builtin"
    sync_id = start(registry.engine, sync_type, trigger="api", source=source, settings=settings)
    background.add_task(_run, registry, sync_id, sync_type, options, settings)
    href = f"{PREFIX}/sync/{sync_id}"
    response.headers["Location"] = href
    return SyncAccepted(id=sync_id, status="running", type=sync_type, href=href)


def _run(
    registry: Any, sync_id: str, sync_type: str, options: dict[str, Any], settings: Settings
) -> None:

    try:
        run = execute_run(registry.engine, sync_id, sync_type, options=options, settings=settings)
    except RadiantError as exc:  # the store went away while it ran
        logger.warning("%s sync %s could not be recorded: %s", sync_type, sync_id, exc)
        return
    if not run.ok:
        logger.warning("%s sync %s failed: %s", sync_type, sync_id, run.error_message)
    try:
        registry.refresh()
    except RadiantError as exc:  # pragma: no cover - the next read rebuilds it
        logger.warning("snapshot not rebuilt after sync %s: %s", sync_id, exc)
