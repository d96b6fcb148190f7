"""Tenants (customer organisations) and their access to models (seed 001 migrations 001, 003).

A tenant's custom prices are PRICES (what the tenant pays), per 1M tokens like every
token price in Radiant; a custom markup is a percentage over cost (25 means +25 %).
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import Field

from radiant.domain.base import DomainModel, Identifier
from radiant.domain.price import Money

__all__ = ["Tenant", "TenantModelAccess", "TenantStatus"]


class TenantStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"


class Tenant(DomainModel):
    id: str = Field(min_length=1, max_length=36)
    name: str = Field(min_length=1, max_length=255)
    #: URL-safe unique handle, used by the CLI (``--tenant acme``)
    slug: Identifier = Field(max_length=100)
    tier: int = Field(default=1, ge=1, le=5)
    status: TenantStatus = TenantStatus.ACTIVE
    domain: str | None = Field(default=None, max_length=255)
    billing_email: str | None = Field(default=None, max_length=255)
    settings: dict[str, Any] = Field(default_factory=dict)


class TenantModelAccess(DomainModel):
    tenant_id: str = Field(min_length=1, max_length=36)
    model_id: Identifier
    enabled: bool = True
    custom_input_price_per_1m: Money | None = None
    custom_output_price_per_1m: Money | None = None
    custom_markup_percent: Decimal | None = Field(
        default=None, ge=0, le=1000, max_digits=8, decimal_places=4
    )
    rate_limit_rpm: int | None = Field(default=None, ge=1)
    rate_limit_tpm: int | None = Field(default=None, ge=1)
