"""Routes: one model on one platform."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field

from radiant.domain.base import INT32_MAX, DomainModel, Identifier
from radiant.domain.enums import HostingType, PlatformKind, RouteStatus, ThermalState
from radiant.domain.price import PriceSheet

__all__ = ["Route", "SelfHostedConfig", "ThermalDefaults", "route_id"]


def route_id(model_id: str, platform_id: str) -> str:
    return f"{model_id}@{platform_id}"


class ThermalDefaults(DomainModel):
    """Thermal defaults of a self-hosted endpoint (docs/concepts.md, Thermal state)."""

    default_state: ThermalState = ThermalState.COLD
    warmup_time_seconds: int = Field(default=60, ge=0, le=INT32_MAX)
    scale_to_zero_minutes: int = Field(default=15, ge=0, le=INT32_MAX)
    min_instances: int = Field(default=0, ge=0, le=INT32_MAX)
    max_instances: int = Field(default=3, ge=0, le=INT32_MAX)


class SelfHostedConfig(DomainModel):
    """The deployment of a self-hosted route (table ``self_hosted_models``)."""

    container_image: str = Field(min_length=1)
    instance_type: str = Field(min_length=1)
    gpu_memory_gb: int = Field(ge=0, le=INT32_MAX)
    environment: dict[str, str] = Field(default_factory=dict)
    model_data_url: str | None = None
    markup_percent: Decimal = Field(default=Decimal("75"), ge=0)
    thermal: ThermalDefaults = Field(default_factory=ThermalDefaults)
    enabled: bool = True


class Route(DomainModel):
    """One model on one platform: the platform's model string, endpoint, priority, price."""

    model_id: Identifier
    platform_id: Identifier
    model_string: str = Field(min_length=1)
    endpoint_override: str | None = None
    regions: list[str] = Field(default_factory=list)
    #: Fallback order, 1 = primary.
    priority: int = Field(default=1, ge=1, le=INT32_MAX)
    status: RouteStatus = RouteStatus.ACTIVE
    success_rate: float | None = Field(default=None, ge=0, le=1)
    avg_latency_ms: float | None = Field(default=None, ge=0)
    #: Environment variable or secret reference for this route's credential, never the secret.
    secret_ref: str | None = None
    price: PriceSheet | None = None
    self_hosted: SelfHostedConfig | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def id(self) -> str:
        return route_id(self.model_id, self.platform_id)

    def hosting_type(self, platform_kind: PlatformKind) -> HostingType:
        return platform_kind.hosting
