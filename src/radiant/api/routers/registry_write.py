"""Seed 004 write endpoints under ``/api/registry``: create, PATCH and DELETE platforms,
providers, models and routes; model pricing, capabilities and status; route priority,
status and pricing.

Every PATCH and DELETE needs ``If-Match`` with the ETag of the last read (the stored record:
``GET /api/v2/admin/registry/{kind}/{id}``, or the previous write's response). Responses:
200/201 with the record and its ``ETag``; 202 when the change waits for approval; 204
after a hard delete; 401/403/404/409/412/422/428 as problem+json.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from radiant.api.admin_deps import WriterDep, write_response
from radiant.api.etag import IfMatchDep
from radiant.api.request_context import ContextDep, authenticated
from radiant.api.write_schemas import (
    CapabilityChange,
    ModelCreate,
    ModelStatusUpdate,
    ModelUpdate,
    PlatformCreate,
    PlatformUpdate,
    PricingUpdate,
    PriorityUpdate,
    ProviderCreate,
    ProviderUpdate,
    RouteCreate,
    RouteStatusUpdate,
    RouteUpdate,
)

router = APIRouter(prefix="/api/registry", tags=["registry writes"], dependencies=[authenticated])

_WRITE: dict[int | str, dict[str, Any]] = {
    200: {"description": "The stored record; its version is in ETag."},
    202: {"description": "The change waits for a second administrator's approval."},
}


def _created(writer: WriterDep, kind: str, body: dict[str, object], ctx: ContextDep) -> Response:
    result = writer.create(kind, body, ctx)
    key = result.record.id if result.record is not None else ""
    return write_response(
        result, ctx.principal, created=True, location=f"/api/v2/admin/registry/{kind}s/{key}"
    )


# ---------------------------------------------------------------------------- platforms


@router.post("/platforms", status_code=201, responses=_WRITE)
def create_platform(body: PlatformCreate, writer: WriterDep, ctx: ContextDep) -> Response:
    return _created(writer, "platform", body.model_dump(exclude_unset=True), ctx)


@router.patch("/platforms/{platform_id}", responses=_WRITE)
def update_platform(
    platform_id: str, body: PlatformUpdate, writer: WriterDep, ctx: ContextDep, version: IfMatchDep
) -> Response:
    result = writer.update("platform", platform_id, body.changes(), version, ctx)
    return write_response(result, ctx.principal)


@router.delete("/platforms/{platform_id}", status_code=204, responses=_WRITE)
def delete_platform(
    platform_id: str, writer: WriterDep, ctx: ContextDep, version: IfMatchDep
) -> Response:
    return write_response(writer.delete("platform", platform_id, version, ctx), ctx.principal)


# ---------------------------------------------------------------------------- providers


@router.post("/providers", status_code=201, responses=_WRITE)
def create_provider(body: ProviderCreate, writer: WriterDep, ctx: ContextDep) -> Response:
    return _created(writer, "provider", body.model_dump(exclude_unset=True), ctx)


@router.patch("/providers/{provider_id}", responses=_WRITE)
def update_provider(
    provider_id: str, body: ProviderUpdate, writer: WriterDep, ctx: ContextDep, version: IfMatchDep
) -> Response:
    result = writer.update("provider", provider_id, body.changes(), version, ctx)
    return write_response(result, ctx.principal)


@router.delete("/providers/{provider_id}", status_code=204, responses=_WRITE)
def delete_provider(
    provider_id: str, writer: WriterDep, ctx: ContextDep, version: IfMatchDep
) -> Response:
    return write_response(writer.delete("provider", provider_id, version, ctx), ctx.principal)


# ---------------------------------------------------------------------------- models
# The narrower paths come first: a model id may contain "/".


@router.post("/models", status_code=201, responses=_WRITE)
def create_model(body: ModelCreate, writer: WriterDep, ctx: ContextDep) -> Response:
    return _created(writer, "model", body.model_dump(exclude_unset=True), ctx)


@router.patch("/models/{model_id:path}/pricing", responses=_WRITE)
def update_model_pricing(
    model_id: str, body: PricingUpdate, writer: WriterDep, ctx: ContextDep, version: IfMatchDep
) -> Response:
    """Seed 004: a new price sheet for the model's primary route (or ``platform_id``'s)."""
    result = writer.set_price("model", model_id, body.changes(), version, ctx)
    return write_response(result, ctx.principal)


@router.patch("/models/{model_id:path}/capabilities", responses=_WRITE)
def update_model_capabilities(
    model_id: str, body: CapabilityChange, writer: WriterDep, ctx: ContextDep, version: IfMatchDep
) -> Response:
    """Seed 004: add or remove one capability."""
    operation = body.operation if body.value else "remove"
    result = writer.change_capability(model_id, operation, body.capability, version, ctx)
    return write_response(result, ctx.principal)


@router.patch("/models/{model_id:path}/status", responses=_WRITE)
def update_model_status(
    model_id: str, body: ModelStatusUpdate, writer: WriterDep, ctx: ContextDep, version: IfMatchDep
) -> Response:
    """Seed 004: deprecate (with date, migration guide, successor), disable or reactivate."""
    result = writer.set_status("model", model_id, body.changes(), version, ctx)
    return write_response(result, ctx.principal)


@router.patch("/models/{model_id:path}", responses=_WRITE)
def update_model(
    model_id: str, body: ModelUpdate, writer: WriterDep, ctx: ContextDep, version: IfMatchDep
) -> Response:
    return write_response(
        writer.update("model", model_id, body.changes(), version, ctx), ctx.principal
    )


@router.delete("/models/{model_id:path}", status_code=204, responses=_WRITE)
def delete_model(
    model_id: str, writer: WriterDep, ctx: ContextDep, version: IfMatchDep
) -> Response:
    return write_response(writer.delete("model", model_id, version, ctx), ctx.principal)


# ---------------------------------------------------------------------------- routes


@router.post("/routes", status_code=201, responses=_WRITE)
def create_route(body: RouteCreate, writer: WriterDep, ctx: ContextDep) -> Response:
    return _created(writer, "route", body.model_dump(exclude_unset=True), ctx)


@router.patch("/routes/{route_id:path}/priority", responses=_WRITE)
def update_route_priority(
    route_id: str, body: PriorityUpdate, writer: WriterDep, ctx: ContextDep, version: IfMatchDep
) -> Response:
    """Seed 004 ``update_route_priority``: the route's place in the fallback chain."""
    result = writer.update(
        "route", route_id, {"priority": body.priority}, version, ctx, action="route.priority"
    )
    return write_response(result, ctx.principal)


@router.patch("/routes/{route_id:path}/status", responses=_WRITE)
def update_route_status(
    route_id: str, body: RouteStatusUpdate, writer: WriterDep, ctx: ContextDep, version: IfMatchDep
) -> Response:
    result = writer.set_status("route", route_id, body.changes(), version, ctx)
    return write_response(result, ctx.principal)


@router.patch("/routes/{route_id:path}/pricing", responses=_WRITE)
def update_route_pricing(
    route_id: str, body: PricingUpdate, writer: WriterDep, ctx: ContextDep, version: IfMatchDep
) -> Response:
    changes = body.changes()
    changes.pop("platform_id", None)
    return write_response(writer.set_price("route", route_id, changes, version, ctx), ctx.principal)


@router.patch("/routes/{route_id:path}", responses=_WRITE)
def update_route(
    route_id: str, body: RouteUpdate, writer: WriterDep, ctx: ContextDep, version: IfMatchDep
) -> Response:
    return write_response(
        writer.update("route", route_id, body.changes(), version, ctx), ctx.principal
    )


@router.delete("/routes/{route_id:path}", status_code=204, responses=_WRITE)
def delete_route(
    route_id: str, writer: WriterDep, ctx: ContextDep, version: IfMatchDep
) -> Response:
    return write_response(writer.delete("route", route_id, version, ctx), ctx.principal)
