"""Radiant: an open-source AI model registry and router.

Importing ``radiant`` is cheap: it opens no connection, reads no settings and loads the
heavier modules only when one of the names below is first used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = [
    "Catalog",
    "CatalogError",
    "ConflictError",
    "MarkupBook",
    "Model",
    "ModelEntry",
    "ModelNotFoundError",
    "ModelQuery",
    "NotFoundError",
    "Platform",
    "PriceSheet",
    "PricingService",
    "Provider",
    "RadiantError",
    "Registry",
    "Route",
    "Settings",
    "Snapshot",
    "StoreError",
    "Usage",
    "ValidationError",
    "__version__",
    "cost",
    "load_catalog",
    "open_registry",
    "price_usage",
]

__version__ = "0.1.0"

_LAZY = {
    "Catalog": "radiant.catalog",
    "load_catalog": "radiant.catalog",
    "CatalogError": "radiant.errors",
    "ConflictError": "radiant.errors",
    "ModelNotFoundError": "radiant.errors",
    "NotFoundError": "radiant.errors",
    "RadiantError": "radiant.errors",
    "StoreError": "radiant.errors",
    "ValidationError": "radiant.errors",
    "Model": "radiant.domain",
    "Platform": "radiant.domain",
    "PriceSheet": "radiant.domain",
    "Provider": "radiant.domain",
    "Route": "radiant.domain",
    "ModelEntry": "radiant.registry",
    "ModelQuery": "radiant.registry",
    "Registry": "radiant.registry.service",
    "Snapshot": "radiant.registry",
    "Settings": "radiant.settings",
    "open_registry": "radiant.bootstrap",
    "MarkupBook": "radiant.pricing",
    "Usage": "radiant.pricing",
    "cost": "radiant.pricing",
    "price_usage": "radiant.pricing",
    "PricingService": "radiant.pricing.service",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'radiant' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:
    from radiant.bootstrap import open_registry
    from radiant.catalog import Catalog, load_catalog
    from radiant.domain import Model, Platform, PriceSheet, Provider, Route
    from radiant.errors import (
        CatalogError,
        ConflictError,
        ModelNotFoundError,
        NotFoundError,
        RadiantError,
        StoreError,
        ValidationError,
    )
    from radiant.pricing import MarkupBook, Usage, cost, price_usage
    from radiant.pricing.service import PricingService
    from radiant.registry import ModelEntry, ModelQuery, Snapshot
    from radiant.registry.service import Registry
    from radiant.settings import Settings
