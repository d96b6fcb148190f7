"""The public read endpoints under ``/api/registry``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from radiant.api.deps import SnapshotDep
from radiant.api.params import DecimalParam, Offset
from radiant.api.pricing_deps import LensDep
from radiant.api.schemas import (
    ListResponse,
    ModelDetail,
    ModelSummary,
    PlatformPublic,
    ProviderPublic,
    RouteAdmin,
    RoutePublic,
    list_priced,
    model_detail,
    model_summary,
    route_public,
)
from radiant.domain import HostingType, LifecycleStatus, Task
from radiant.domain.base import INT32_MAX, canonical_category
from radiant.registry import ModelQuery
from radiant.registry.query import SortKey
from radiant.registry.views import search

router = APIRouter(prefix="/api/registry", tags=["registry"])

ListParam = Annotated[list[str], Query()]


def _split(values: list[str]) -> list[str]:
    """Accept both ``?x=a&x=b`` and ``?x=a,b``."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@router.get("/platforms", response_model=ListResponse[PlatformPublic])
def list_platforms(snapshot: SnapshotDep, status: LifecycleStatus | None = None) -> dict[str, Any]:
    data = [p for p in snapshot.platforms.values() if status is None or p.status is status]
    return {"data": data, "count": len(data)}


@router.get("/platforms/{platform_id}", response_model=PlatformPublic)
def get_platform(snapshot: SnapshotDep, platform_id: str) -> Any:
    return snapshot.platform(platform_id)


@router.get("/providers", response_model=ListResponse[ProviderPublic])
def list_providers(
    snapshot: SnapshotDep, platform: str | None = None, category: str | None = None
) -> dict[str, Any]:
    data = [
        p
        for p in snapshot.providers.values()
        if (platform is None or platform in p.platforms)
        and (category is None or canonical_category(p.category) == canonical_category(category))
    ]
    return {"data": data, "count": len(data)}


@router.get("/providers/{provider_id}", response_model=ProviderPublic)
def get_provider(snapshot: SnapshotDep, provider_id: str) -> Any:
    return snapshot.provider(provider_id)


@router.get("/models", response_model=ListResponse[ModelSummary])
def list_models(
    snapshot: SnapshotDep,
    lens: LensDep,
    capability: ListParam = [],  # noqa: B006 - FastAPI copies defaults
    optional_capability: ListParam = [],  # noqa: B006
    exclude_capability: ListParam = [],  # noqa: B006
    provider: ListParam = [],  # noqa: B006
    platform: ListParam = [],  # noqa: B006
    task: Annotated[list[Task], Query()] = [],  # noqa: B006
    category: ListParam = [],  # noqa: B006
    hosting_type: HostingType | None = None,
    input_modality: ListParam = [],  # noqa: B006
    output_modality: ListParam = [],  # noqa: B006
    min_context_window: Annotated[int | None, Query(ge=0, le=INT32_MAX)] = None,
    max_input_price: DecimalParam | None = None,
    max_output_price: DecimalParam | None = None,
    status: Annotated[list[LifecycleStatus], Query()] = [],  # noqa: B006
    tier: Annotated[int | None, Query(ge=1, le=5)] = None,
    q: str | None = None,
    sort: SortKey = "id",
    descending: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """List models, filtered; ``capability`` must all be present, lists accept ``a,b``."""
    query = ModelQuery(
        capabilities=_split(capability),
        optional_capabilities=_split(optional_capability),
        exclude_capabilities=_split(exclude_capability),
        provider=_split(provider),
        platform=_split(platform),
        task=task,
        category=_split(category),
        hosting_type=hosting_type,
        input_modalities=_split(input_modality),
        output_modalities=_split(output_modality),
        min_context_window=min_context_window,
        max_input_price=max_input_price,
        max_output_price=max_output_price,
        status=status,
        tier=tier,
        q=q,
        sort=sort,
        descending=descending,
        limit=limit,
        offset=offset,
    )
    data, count = list_priced(snapshot, query, lens)
    return {"data": [model_summary(e, lens) for e in data], "count": count}


@router.get("/routes", response_model=ListResponse[RouteAdmin | RoutePublic])
def list_routes(
    snapshot: SnapshotDep,
    lens: LensDep,
    callable: Annotated[
        bool | None,
        Query(description="true: only routes this server can call; false: only the others"),
    ] = None,
    platform: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=INT32_MAX)] = 1000,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Every route of the registry (by model, then fallback order), with whether this
    server can call it and, when it cannot, why."""
    found = [
        (entry, route)
        for entry in snapshot.entries
        for route in entry.routes
        if (platform is None or route.platform_id == platform)
        and (callable is None or (snapshot.not_callable(route) is None) is callable)
    ]
    page = found[offset : offset + limit]
    return {"data": [route_public(r, e, lens) for e, r in page], "count": len(found)}


@router.get("/models/{model_id:path}/routes", response_model=ListResponse[RouteAdmin | RoutePublic])
def model_routes(snapshot: SnapshotDep, lens: LensDep, model_id: str) -> dict[str, Any]:
    entry = snapshot.resolve(model_id)
    routes = [route_public(r, entry, lens) for r in entry.routes]
    return {"data": routes, "count": len(routes)}


@router.get("/models/{model_id:path}", response_model=ModelDetail)
def get_model(snapshot: SnapshotDep, lens: LensDep, model_id: str) -> ModelDetail:
    """A model by its id or any alias (``gpt-4o``, ``anthropic/claude-...``, dated ids)."""
    return model_detail(snapshot.resolve(model_id), lens)


@router.get("/search", response_model=ListResponse[ModelSummary])
def search_models(
    snapshot: SnapshotDep,
    lens: LensDep,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> dict[str, Any]:
    found = search(snapshot, q, limit)
    return {"data": [model_summary(e, lens) for e in found], "count": len(found)}


@router.get("/capabilities")
def capabilities(snapshot: SnapshotDep) -> dict[str, Any]:
    """The capability matrix: capability -> ids of the models that have it."""
    matrix = snapshot.capability_matrix()
    return {"data": matrix, "count": len(matrix)}
