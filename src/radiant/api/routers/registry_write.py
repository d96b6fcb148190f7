"""Write endpoints under ``/api/registry``: create, PATCH and DELETE platforms,
providers, models and routes; model pricing, capabilities and status; route priority,
status and pricing.

Every PATCH and DELETE needs ``If-Match`` with the ETag of the last read (the stored record:
``GET /api/v2/admin/registry/{kind}/{id}``, or the previous write's response). Responses:
200/201 with the record and its ``ETag``; 202 when the change waits for approval; 204
after a hard delete; 401/403/404/409/412/422/428 as problem+json.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Protocol

from fastapi import APIRouter, Response
from pydantic import BaseModel

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
from radiant.core.context import WriteContext
from radiant.manage.registry_writes import RegistryWriter

router = APIRouter(prefix="/api/registry", tags=["registry writes"], dependencies=[authenticated])


class Changes(Protocol):
    """An update body: the fields it sets."""

    def changes(self) -> dict[str, Any]: ...


_WRITE: dict[int | str, dict[str, Any]] = {
    200: {"description": "The stored record; its version is in ETag."},
    202: {"description": "The change waits for a second administrator's approval."},
}


def _named(endpoint: Callable[..., Response], name: str, **parameters: Any) -> None:
    """Give ``endpoint`` (which takes keyword arguments) its name and the parameters FastAPI
    reads: path parameter, body schema and dependencies, each by name and annotation."""
    endpoint.__name__ = name
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, annotation=annotation)
            for key, annotation in parameters.items()
        ],
        return_annotation=Response,
    )


def _create_endpoint(kind: str, schema: type[BaseModel]) -> None:
    """``POST /api/registry/{kind}s``: 201 with the record and its ``Location``."""

    def create(*, body: BaseModel, writer: RegistryWriter, ctx: WriteContext) -> Response:
        result = writer.create(kind, body.model_dump(exclude_unset=True), ctx)
        key = result.record.id if result.record is not None else ""
        location = f"/api/v2/admin/registry/{kind}s/{key}"
        return write_response(result, ctx.principal, created=True, location=location)

    _named(create, f"create_{kind}", body=schema, writer=WriterDep, ctx=ContextDep)
    router.post(f"/{kind}s", status_code=201, responses=_WRITE)(create)


def _update_and_delete_endpoints(kind: str, schema: type[Changes], *, path_ids: bool) -> None:
    """``PATCH`` and ``DELETE /api/registry/{kind}s/{kind_id}``; ``path_ids``: the id may
    hold "/" (models and routes: register these after the narrower paths)."""
    key = f"{kind}_id"
    path = f"/{kind}s/{{{key}:path}}" if path_ids else f"/{kind}s/{{{key}}}"

    def update(
        *, body: Changes, writer: RegistryWriter, ctx: WriteContext, version: int, **ids: str
    ) -> Response:
        result = writer.update(kind, ids[key], body.changes(), version, ctx)
        return write_response(result, ctx.principal)

    def delete(*, writer: RegistryWriter, ctx: WriteContext, version: int, **ids: str) -> Response:
        return write_response(writer.delete(kind, ids[key], version, ctx), ctx.principal)

    depends = {"writer": WriterDep, "ctx": ContextDep, "version": IfMatchDep}
    _named(update, f"update_{kind}", **{key: str, "body": schema, **depends})
    _named(delete, f"delete_{kind}", **{key: str, **depends})
    router.patch(path, responses=_WRITE)(update)
    router.delete(path, status_code=204, responses=_WRITE)(delete)


for _kind, _create in (
    ("platform", PlatformCreate),
    ("provider", ProviderCreate),
    ("model", ModelCreate),
    ("route", RouteCreate),
):
    _create_endpoint(_kind, _create)
_update_and_delete_endpoints("platform", PlatformUpdate, path_ids=False)
_update_and_delete_endpoints("provider", ProviderUpdate, path_ids=False)


# ---------------------------------------------------------------------------- models
# The narrower paths come first: a model id may contain "/".


@router.patch("/models/{model_id:path}/pricing", responses=_WRITE)
def update_model_pricing(
    model_id: str, body: PricingUpdate, writer: WriterDep, ctx: ContextDep, version: IfMatchDep
) -> Response:
    """A new price sheet for the model's primary route (or ``platform_id``'s)."""
    result = writer.set_price("model", model_id, body.changes(), version, ctx)
    return write_response(result, ctx.principal)


@router.patch("/models/{model_id:path}/capabilities", responses=_WRITE)
def update_model_capabilities(
    model_id: str, body: CapabilityChange, writer: WriterDep, ctx: ContextDep, version: IfMatchDep
) -> Response:
    """Add or remove one capability."""
    operation = body.operation if body.value else "remove"
    result = writer.change_capability(model_id, operation, body.capability, version, ctx)
    return write_response(result, ctx.principal)


@router.patch("/models/{model_id:path}/status", responses=_WRITE)
def update_model_status(
    model_id: str, body: ModelStatusUpdate, writer: WriterDep, ctx: ContextDep, version: IfMatchDep
) -> Response:
    """Deprecate (with date, migration guide, successor), disable or reactivate."""
    result = writer.set_status("model", model_id, body.changes(), version, ctx)
    return write_response(result, ctx.principal)


# ---------------------------------------------------------------------------- routes


@router.patch("/routes/{route_id:path}/priority", responses=_WRITE)
def update_route_priority(
    route_id: str, body: PriorityUpdate, writer: WriterDep, ctx: ContextDep, version: IfMatchDep
) -> Response:
    """The route's priority: its place in the fallback chain (1 is primary)."""
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


# the whole-record PATCH and the DELETE of models and routes: after their narrower paths
_update_and_delete_endpoints("model", ModelUpdate, path_ids=True)
_update_and_delete_endpoints("route", RouteUpdate, path_ids=True)
