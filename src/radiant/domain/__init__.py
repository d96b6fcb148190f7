"""Domain objects of the registry: pydantic models and enums, no I/O."""

from radiant.domain.enums import (
    AuthType,
    CostSource,
    HealthStatus,
    HostingType,
    LifecycleStatus,
    PlatformKind,
    PricingType,
    RouteStatus,
    SyncStatus,
    SyncType,
    Task,
    ThermalState,
)
from radiant.domain.health import ProviderHealth, ThermalStatus
from radiant.domain.model import Model, SelfHostedSpecs, derive_task
from radiant.domain.platform import Platform
from radiant.domain.price import MONEY_FIELDS, PriceSheet
from radiant.domain.provider import Provider
from radiant.domain.route import Route, SelfHostedConfig, ThermalDefaults, route_id

__all__ = [
    "MONEY_FIELDS",
    "AuthType",
    "CostSource",
    "HealthStatus",
    "HostingType",
    "LifecycleStatus",
    "Model",
    "Platform",
    "PlatformKind",
    "PriceSheet",
    "PricingType",
    "Provider",
    "ProviderHealth",
    "Route",
    "RouteStatus",
    "SelfHostedConfig",
    "SelfHostedSpecs",
    "SyncStatus",
    "SyncType",
    "Task",
    "ThermalDefaults",
    "ThermalState",
    "ThermalStatus",
    "derive_task",
    "route_id",
]
