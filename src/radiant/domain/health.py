"""Observed state of providers and self-hosted endpoints."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from radiant.domain.base import DomainModel
from radiant.domain.enums import HealthStatus, ThermalState

__all__ = ["ProviderHealth", "ThermalStatus"]


class ProviderHealth(DomainModel):
    """Probe results of one provider and region (table ``provider_health``)."""

    provider_id: str
    #: where it was probed: ``direct`` (the provider's own API) or another platform
    platform_id: str = "direct"
    region: str = "us-east-1"
    status: HealthStatus = HealthStatus.UNKNOWN
    avg_latency_ms: int | None = None
    p95_latency_ms: int | None = None
    p99_latency_ms: int | None = None
    error_rate: Decimal | None = None
    success_rate: Decimal | None = None
    last_check_at: datetime | None = None
    last_success_at: datetime | None = None
    last_failure_at: datetime | None = None
    last_error: str | None = None


class ThermalStatus(DomainModel):
    """Current thermal state of a self-hosted model's endpoint."""

    model_id: str
    current_state: ThermalState = ThermalState.COLD
    target_state: ThermalState | None = None
    is_transitioning: bool = False
    instance_count: int = 0
