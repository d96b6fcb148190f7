"""``POST /api/v2/admin/catalog/diff``: where public catalogs and the registry disagree.

Needs ``admin:read``. Sources are http(s) URLs only: the server downloads them (with a
timeout and a size limit) and never reads a path of its own file system on a caller's
word. The registry's prices are costs: they take part for cost readers only; its limits
always do.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from radiant.api.auth import PrincipalDep, require
from radiant.api.deps import RegistryDep
from radiant.catalog.importers import is_url, load_source
from radiant.errors import ValidationError
from radiant.security import Permission
from radiant.sync.discrepancy import check_fields, discrepancy_report

__all__ = ["CatalogDiffRequest", "router"]

router = APIRouter(
    prefix="/api/v2/admin/catalog",
    tags=["admin"],
    # the server fetches the URLs a caller names: only those who may start syncs may ask
    dependencies=[require(Permission.SYNC_RUN)],
)


class CatalogSource(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Literal["litellm", "models-dev", "openrouter"]
    url: str = Field(min_length=8, max_length=2000, description="An http(s) URL.")


class CatalogDiffRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sources: list[CatalogSource] = Field(min_length=1, max_length=3)
    min_percent: Decimal = Field(default=Decimal(0), ge=0, le=Decimal(10) ** 9)
    fields: list[str] | None = Field(
        default=None, max_length=40, description="Only these fields (input_per_1m, ...)."
    )
    in_registry: StrictBool = Field(default=False, description="Only models the registry has.")
    providers: list[str] | None = Field(
        default=None, max_length=100, description="Only models of these makers."
    )


@router.post("/diff")
def catalog_diff(
    body: CatalogDiffRequest, registry: RegistryDep, principal: PrincipalDep
) -> dict[str, Any]:
    """Prices and limits that disagree, per model and platform, largest spread first."""

    for source in body.sources:
        if not is_url(source.url):
            raise ValidationError(f"{source.name}: the url must start with http:// or https://")
    fields = check_fields(body.fields)
    results = [load_source(s.name, s.url) for s in body.sources]
    report = discrepancy_report(
        registry.engine,
        results,
        registry_prices=principal.sees_cost,
        min_percent=body.min_percent,
        fields=fields,
        in_registry=body.in_registry,
        providers=body.providers,
    )
    return report.as_dict()
