"""``/api/v2/admin/discovery``: models found upstream and not yet in the registry.

Reads need ``admin:read``; approving and ignoring need ``registry:write`` (approving a
model with an upstream price also ``pricing:write``, as any route with a price does).
An approval that the approval policy holds for a second administrator answers 202 with
the approval requests it opened.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from radiant.api.params import Offset
from radiant.api.request_context import ContextDep, authenticated
from radiant.sync.discovery.review import DiscoveryQuery, DiscoveryReview

__all__ = ["DiscoveryApprove", "DiscoveryIgnore", "router"]

router = APIRouter(
    prefix="/api/v2/admin/discovery", tags=["discovery"], dependencies=[authenticated]
)

ItemId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The discovered model's id.")]


class DiscoveryApprove(BaseModel):
    """What the administrator sets over what upstream said."""

    model_config = ConfigDict(extra="forbid")

    #: model fields (id, provider_id, display_name, category, capabilities, ...)
    model: dict[str, Any] | None = None
    #: route fields (model_string, priority, regions, secret_ref, ...)
    route: dict[str, Any] | None = None
    #: price sheet fields (input_per_1m, output_per_1m, ...) over upstream's prices
    price: dict[str, Any] | None = None
    notes: str | None = Field(default=None, max_length=2000)


class DiscoveryIgnore(BaseModel):
    model_config = ConfigDict(extra="forbid")

    notes: str | None = Field(default=None, max_length=2000)


def _review(request: Request) -> DiscoveryReview:
    review: DiscoveryReview | None = getattr(request.app.state, "discovery", None)
    if review is None:
        review = DiscoveryReview(request.app.state.registry.engine, request.app.state.writer)
        request.app.state.discovery = review
    return review


@router.get("")
def list_discovered(
    request: Request,
    ctx: ContextDep,
    status: Annotated[
        str, Query(description="pending (default), approved, ignored, or all.")
    ] = "pending",
    platform: str | None = None,
    provider: Annotated[str | None, Query(description="The suggested provider.")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Text in the id.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    query = DiscoveryQuery(
        status=None if status == "all" else status,
        platform=platform,
        provider=provider,
        q=q,
        limit=limit,
        offset=offset,
    )
    rows, total = _review(request).list_items(ctx.principal, query)
    return {"data": rows, "count": len(rows), "total": total, "limit": limit, "offset": offset}


@router.get("/{item_id}")
def read_discovered(item_id: ItemId, request: Request, ctx: ContextDep) -> dict[str, Any]:
    return _review(request).get(ctx.principal, item_id)


@router.post("/{item_id}/approve", response_model=None)
def approve_discovered(
    item_id: ItemId, request: Request, ctx: ContextDep, body: DiscoveryApprove | None = None
) -> Any:
    """Create the model and its route from what upstream said and the body's overrides."""
    data = {} if body is None else body.model_dump(exclude_none=True)
    done = _review(request).approve(ctx, item_id, data)
    if "approvals" in done:
        approvals = done.pop("approvals")
        held = {"status": "pending_approval", "item": done, "approvals": approvals}
        return JSONResponse(held, status_code=202)
    return done


@router.post("/{item_id}/ignore")
def ignore_discovered(
    item_id: ItemId, request: Request, ctx: ContextDep, body: DiscoveryIgnore | None = None
) -> dict[str, Any]:
    """Never suggest this upstream model again (it can still be approved later)."""
    return _review(request).ignore(ctx, item_id, body.notes if body else None)
