"""Tenants (customer organisations), their access to models and their API keys.

Tables ``tenants``, ``tenant_api_keys`` and ``tenant_model_access``. A tenant's
custom prices are PRICES (what the tenant pays), per 1M tokens like every token price in
Radiant; a custom markup is a percentage over cost (25 means +25 %). An API key's secret
is never part of these objects: only its prefix (to recognise it) is.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import Field

from radiant.domain.base import INT32_MAX, DomainModel, Identifier
from radiant.domain.price import Money

__all__ = [
    "API_KEY_SCOPES",
    "DEFAULT_KEY_SCOPES",
    "LEGACY_DEFAULT_SCOPES",
    "ApiKeyStatus",
    "KeyScope",
    "Tenant",
    "TenantApiKey",
    "TenantModelAccess",
    "TenantStatus",
    "key_allows",
]


class KeyScope(StrEnum):
    """What a tenant API key may be used for; each tenant endpoint needs one."""

    CHAT = "chat"
    """``POST /v1/chat/completions``"""
    EMBEDDINGS = "embeddings"
    """``POST /v1/embeddings``"""
    IMAGES = "images"
    """``POST /v1/images/generations``"""
    AUDIO = "audio"
    """``POST /v1/audio/speech`` and ``/v1/audio/transcriptions``"""
    MODELS = "models"
    """``GET /v1/models`` and the registry reads a tenant key makes (``/api/registry``:
    models, prices on the tenant's terms, selection)"""
    COMPLETIONS = "completions"
    """reserved: no endpoint takes it yet"""
    VIDEO = "video"
    """``POST /v1/videos`` and ``GET /v1/videos/{id}``"""
    SEARCH = "search"
    """``POST /v1/search``"""
    RERANK = "rerank"
    """``POST /v1/rerank``"""
    THREE_D = "3d"
    """``POST /v1/3d`` and ``GET /v1/3d/{id}``"""
    INFERENCE = "inference"
    """``POST /v1/inference`` (a self-hosted model's own JSON)"""
    MODERATION = "moderation"
    """reserved: no endpoint takes it yet"""


API_KEY_SCOPES = frozenset(s.value for s in KeyScope)
#: A key issued without scopes may do everything a key can: it is stored with none.
DEFAULT_KEY_SCOPES: tuple[str, ...] = ()
#: What a key issued without scopes was given before scopes were checked (the old
#: column default); migration 0013 turned those into "every scope".
LEGACY_DEFAULT_SCOPES = ("chat", "models", "embeddings")


def key_allows(scopes: tuple[str, ...] | frozenset[str], scope: KeyScope) -> bool:
    """May a key with ``scopes`` (none: every scope) be used for ``scope``?"""
    return not scopes or scope.value in scopes


class TenantStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"


class ApiKeyStatus(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"
    EXPIRED = "expired"


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
    #: optimistic-concurrency version (the API's ETag)
    row_version: int = Field(default=1, ge=1)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    #: set when the tenant was deleted (soft: the status is then ``cancelled``)
    deleted_at: datetime | None = None


class TenantModelAccess(DomainModel):
    tenant_id: str = Field(min_length=1, max_length=36)
    model_id: Identifier
    enabled: bool = True
    custom_input_price_per_1m: Money | None = None
    custom_output_price_per_1m: Money | None = None
    custom_markup_percent: Decimal | None = Field(
        default=None, ge=0, le=1000, max_digits=14, decimal_places=10
    )
    rate_limit_rpm: int | None = Field(default=None, ge=1, le=INT32_MAX)
    rate_limit_tpm: int | None = Field(default=None, ge=1, le=INT32_MAX)
    row_version: int = Field(default=1, ge=1)
    created_at: datetime | None = None
    updated_at: datetime | None = None


class TenantApiKey(DomainModel):
    """A tenant's API key as stored: its prefix and settings, never its secret or hash."""

    id: str = Field(min_length=1, max_length=36)
    tenant_id: str = Field(min_length=1, max_length=36)
    name: str = Field(min_length=1, max_length=100)
    #: the first characters of the key, enough to recognise it in a list
    key_prefix: str
    #: what the key may be used for; empty: every scope
    scopes: tuple[str, ...] = DEFAULT_KEY_SCOPES
    rate_limit_rpm: int | None = Field(default=60, ge=1, le=INT32_MAX)
    rate_limit_tpm: int | None = Field(default=100_000, ge=1, le=INT32_MAX)
    status: ApiKeyStatus = ApiKeyStatus.ACTIVE
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    usage_count: int = Field(default=0, ge=0)
    row_version: int = Field(default=1, ge=1)
    created_at: datetime | None = None
    revoked_at: datetime | None = None
