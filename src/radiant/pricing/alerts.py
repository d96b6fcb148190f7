"""Estimated-cost alerts and their workflow.

    pending ──ack──▶ acknowledged ──adjust──▶ adjusted ──resolve──▶ resolved
       └──────────────adjust──────────────────▲   ▲
       └──────────────────────resolve──────────────┘ (from any open state)

An administrator acknowledges, adjusts (sets the estimated cost by hand) and resolves;
a real cost arriving from a sync resolves an alert by itself (``resolved_by`` system).
Token costs are per 1M tokens, like every token price in Radiant.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from radiant.errors import ConflictError
from radiant.pricing.estimates import EstimatedCostReason, Severity, SourceModel

__all__ = ["AlertAction", "AlertStatus", "EstimatedCostAlert", "allowed", "check_transition"]


class AlertStatus(StrEnum):
    PENDING = "pending"
    ACKNOWLEDGED = "acknowledged"
    ADJUSTED = "adjusted"
    RESOLVED = "resolved"


class AlertAction(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    ADJUST = "adjust"
    RESOLVE = "resolve"


_ALLOWED: dict[AlertAction, frozenset[AlertStatus]] = {
    AlertAction.ACKNOWLEDGE: frozenset({AlertStatus.PENDING}),
    AlertAction.ADJUST: frozenset(
        {AlertStatus.PENDING, AlertStatus.ACKNOWLEDGED, AlertStatus.ADJUSTED}
    ),
    AlertAction.RESOLVE: frozenset(
        {AlertStatus.PENDING, AlertStatus.ACKNOWLEDGED, AlertStatus.ADJUSTED}
    ),
}


def allowed(status: AlertStatus) -> list[str]:
    """The actions an alert in ``status`` accepts."""
    return [action.value for action, sources in _ALLOWED.items() if status in sources]


def check_transition(alert_id: int, status: AlertStatus, action: AlertAction) -> None:
    """Raises ConflictError when ``action`` is not allowed from ``status``."""
    if status not in _ALLOWED[action]:
        raise ConflictError(
            f"alert {alert_id} is {status.value}: cannot {action.value} it "
            f"(allowed: {', '.join(allowed(status)) or 'nothing'})"
        )


class AffectedPrice(BaseModel):
    model_config = ConfigDict(frozen=True)
    input_per_1m: Decimal | None
    output_per_1m: Decimal | None
    markup_percent: Decimal


class EstimatedCostAlert(BaseModel):
    model_config = ConfigDict(frozen=True, protected_namespaces=())
    id: int
    created_at: datetime
    severity: Severity
    route_id: str
    model_id: str
    provider_id: str
    reason: EstimatedCostReason
    estimated_input_per_1m: Decimal | None
    estimated_output_per_1m: Decimal | None
    confidence: Decimal
    source_models: list[SourceModel]
    affected_price: AffectedPrice
    recommendation: str
    status: AlertStatus
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    adjusted_by: str | None = None
    adjusted_at: datetime | None = None
    adjusted_input_per_1m: Decimal | None = None
    adjusted_output_per_1m: Decimal | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    resolution_source: str | None = None
    allowed_actions: list[str] = []
