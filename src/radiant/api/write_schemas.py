"""Request and response bodies of the administration API.

``XCreate`` bodies are the domain objects themselves (every rule of the domain applies);
``XUpdate`` bodies are the same fields, all optional: a PATCH names only what changes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, create_model

from radiant.api.strict import strict_annotation, strict_input
from radiant.domain import Model, Platform, PricingType, Provider, Route
from radiant.domain.enums import CostSource, LifecycleStatus, RouteStatus
from radiant.domain.numbers import Money

__all__ = [
    "AdministratorCreate",
    "AdministratorUpdate",
    "ApprovalDecision",
    "CapabilityChange",
    "InvitationAccept",
    "InvitationCreate",
    "ModelCreate",
    "ModelStatusUpdate",
    "ModelUpdate",
    "PlatformCreate",
    "PlatformUpdate",
    "PolicyUpdate",
    "PricingUpdate",
    "PriorityUpdate",
    "ProviderCreate",
    "ProviderUpdate",
    "RecordPublic",
    "RouteCreate",
    "RouteStatusUpdate",
    "RouteUpdate",
    "TokenCreate",
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Patch(_Body):
    def changes(self) -> dict[str, Any]:
        """The fields the client named, with the values it sent."""
        return {name: getattr(self, name) for name in self.model_fields_set}


def _partial(name: str, domain: type[BaseModel], exclude: set[str]) -> type[_Patch]:
    fields: dict[str, Any] = {
        field_name: (
            Optional[strict_annotation(info.annotation)],  # noqa: UP045 - built at run time
            Field(default=None, description=info.description),
        )
        for field_name, info in domain.model_fields.items()
        if field_name not in exclude
    }
    return create_model(name, __base__=_Patch, **fields)


if TYPE_CHECKING:
    PlatformCreate = Platform
    ProviderCreate = Provider
    ModelCreate = Model
    RouteCreate = Route
    PlatformUpdate = _Patch
    ProviderUpdate = _Patch
    ModelUpdate = _Patch
    RouteUpdate = _Patch
else:
    PlatformCreate = strict_input(Platform)
    ProviderCreate = strict_input(Provider)
    ModelCreate = strict_input(Model)
    RouteCreate = strict_input(Route)
    PlatformUpdate = _partial("PlatformUpdate", Platform, {"id"})
    ProviderUpdate = _partial("ProviderUpdate", Provider, {"id"})
    ModelUpdate = _partial("ModelUpdate", Model, {"id", "self_hosted"})
    RouteUpdate = _partial(
        "RouteUpdate", Route, {"model_id", "platform_id", "price", "self_hosted"}
    )


class PricingUpdate(_Patch):
    """A new price sheet: named fields change, the others carry over from the current one.

    ``input_cost`` and ``output_cost`` (older clients' names) are accepted for ``input_per_1m`` and
    ``output_per_1m``. Money goes as a string or a number; it is kept exact.
    """

    platform_id: str | None = Field(
        default=None, description="Model pricing only: which route (default: the primary one)."
    )
    pricing_type: PricingType | None = None
    input_cost: Money | None = None
    output_cost: Money | None = None
    input_per_1m: Money | None = None
    output_per_1m: Money | None = None
    cached_input_per_1m: Money | None = None
    cache_write_per_1m: Money | None = None
    batch_input_per_1m: Money | None = None
    batch_output_per_1m: Money | None = None
    long_context_threshold: StrictInt | None = None
    long_context_input_per_1m: Money | None = None
    long_context_output_per_1m: Money | None = None
    reasoning_per_1m: Money | None = None
    audio_input_per_1m: Money | None = None
    audio_output_per_1m: Money | None = None
    per_request: Money | None = None
    per_search_request: Money | None = None
    per_tool_call: Money | None = None
    per_image: Money | None = None
    per_second: Money | None = None
    per_minute: Money | None = None
    per_video_minute: Money | None = None
    per_hour: Money | None = None
    per_3d_model: Money | None = None
    priority_input_per_1m: Money | None = None
    priority_output_per_1m: Money | None = None
    flex_input_per_1m: Money | None = None
    flex_output_per_1m: Money | None = None
    source: CostSource | None = None
    is_estimated: StrictBool | None = None
    notes: str | None = None


class CapabilityChange(_Body):
    """One capability change:
    ``{"operation": "add", "capability": "function_calling", "value": true}``."""

    operation: Literal["add", "remove"]
    capability: str = Field(min_length=1, max_length=100)
    value: StrictBool = True


class ModelStatusUpdate(_Patch):
    """Deprecate with a date, a migration guide and a successor."""

    status: LifecycleStatus
    deprecation_date: date | None = None
    migration_guide: str | None = None
    successor_id: str | None = None
    enabled: StrictBool | None = None


class RouteStatusUpdate(_Patch):
    status: RouteStatus


class PriorityUpdate(_Body):
    priority: StrictInt = Field(ge=1, description="Fallback order, 1 = primary.")


class RecordPublic(BaseModel):
    """A stored object with its version (also sent as ``ETag``) and bookkeeping."""

    kind: str
    id: str
    row_version: int
    origin: str
    admin_fields: list[str]
    data: dict[str, Any]


# ----------------------------------------------------------------------------- administrators


class AdministratorCreate(_Body):
    email: str = Field(min_length=3, max_length=255)
    role: Literal["super_admin", "admin", "operator", "auditor"]
    first_name: str = ""
    last_name: str = ""
    tenant_id: str | None = None
    token_days: StrictInt | None = Field(default=90, ge=0, description="0 or null: never expires.")


class AdministratorUpdate(_Body):
    role: Literal["super_admin", "admin", "operator", "auditor"] | None = None
    status: Literal["active", "inactive", "suspended"] | None = None


class TokenCreate(_Body):
    name: str = Field(default="default", min_length=1, max_length=100)
    scopes: list[str] | None = Field(
        default=None, description="Permission values to narrow the role to (default: all)."
    )
    days: StrictInt | None = Field(default=90, ge=0, description="0 or null: never expires.")


class InvitationCreate(_Body):
    email: str = Field(min_length=3, max_length=255)
    role: Literal["super_admin", "admin", "operator", "auditor"]
    message: str | None = None
    hours: StrictInt = Field(default=72, ge=1, le=720)


class InvitationAccept(_Body):
    token: str = Field(min_length=10)
    first_name: str = ""
    last_name: str = ""


class ApprovalDecision(_Body):
    notes: str | None = None


class PolicyUpdate(_Body):
    requires_approval: StrictBool
    risk_level: Literal["low", "medium", "high", "critical"] | None = None
    expires_hours: StrictInt = Field(default=24, ge=1, le=720)


class AuditPage(BaseModel):
    data: list[dict[str, Any]]
    count: int
    total: int
    limit: int
    offset: int
    since: datetime | None = None
