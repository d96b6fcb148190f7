"""The filters of a model listing, validated."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from radiant.domain.base import DomainModel
from radiant.domain.enums import HostingType, LifecycleStatus, Task

__all__ = ["ModelQuery", "SortKey"]

SortKey = Literal["id", "name", "input_price", "output_price", "context_window", "release_date"]


class ModelQuery(DomainModel):
    """Every filter is optional; lists within a filter combine as described per field."""

    #: Must have all of these capabilities.
    capabilities: list[str] = Field(default_factory=list)
    #: Nice to have: ranks models having more of these first (does not filter).
    optional_capabilities: list[str] = Field(default_factory=list)
    #: Must have none of these capabilities.
    exclude_capabilities: list[str] = Field(default_factory=list)
    #: Any of these providers (a parent provider matches its catalog children).
    provider: list[str] = Field(default_factory=list)
    #: Served on any of these platforms.
    platform: list[str] = Field(default_factory=list)
    task: list[Task] = Field(default_factory=list)
    category: list[str] = Field(default_factory=list)
    hosting_type: HostingType | None = None
    #: Accepts all of these input / output modalities.
    input_modalities: list[str] = Field(default_factory=list)
    output_modalities: list[str] = Field(default_factory=list)
    min_context_window: int | None = Field(default=None, ge=0)
    #: Cheapest per-token route at or below this price (USD per 1M tokens).
    max_input_price: Decimal | None = Field(default=None, ge=0)
    max_output_price: Decimal | None = Field(default=None, ge=0)
    status: list[LifecycleStatus] = Field(default_factory=list)
    #: A tenant tier (1-5): only models whose ``min_tier`` is at most this.
    tier: int | None = Field(default=None, ge=1, le=5)
    #: Text search over id, aliases, name, display name and description.
    q: str | None = None
    sort: SortKey = "id"
    descending: bool = False
    limit: int = Field(default=50, ge=1, le=1000)
    offset: int = Field(default=0, ge=0)
