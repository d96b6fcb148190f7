"""Tenant services: tenants, their model access and API keys, and tenant isolation.

See :mod:`radiant.tenants.scope` for how PostgreSQL row-level security keeps one tenant
from reading another's rows, and how administrators see them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from radiant.registry.service import Registry
from radiant.tenants.access import ModelAccessService
from radiant.tenants.keys import (
    KEY_PREFIX,
    ApiKeyService,
    IssuedKey,
    MissingScopeError,
    hash_key,
    require_scope,
)
from radiant.tenants.scope import admin_scope, key_lookup_scope, scope_for, tenant_scope
from radiant.tenants.service import TenantService

__all__ = [
    "KEY_PREFIX",
    "ApiKeyService",
    "IssuedKey",
    "MissingScopeError",
    "ModelAccessService",
    "TenantService",
    "Tenants",
    "admin_scope",
    "hash_key",
    "key_lookup_scope",
    "require_scope",
    "scope_for",
    "tenant_scope",
]


@dataclass(frozen=True, slots=True)
class Tenants:
    """The three tenant services over one registry's engine."""

    tenants: TenantService
    access: ModelAccessService
    keys: ApiKeyService

    @classmethod
    def open(cls, registry: Registry) -> Tenants:
        engine = registry.engine
        return cls(
            TenantService(engine),
            ModelAccessService(engine, registry.snapshot),
            ApiKeyService(engine),
        )
