"""Request and response bodies of the selection endpoints.

Every money value is a PRICE (cost × (1 + markup)) as a decimal string; no payload here
carries a cost, a markup or a margin — selection answers clients.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from radiant.domain import Task
from radiant.domain.numbers import Money
from radiant.selection.criteria import HostingPreference, SelectionCriteria
from radiant.selection.engine import Candidate, Exclusion
from radiant.selection.fallback import FallbackPath
from radiant.selection.routes import Alternative, CheapRoute, RankedRoute

__all__ = [
    "AlternativePublic",
    "CandidatePublic",
    "CheapestRequest",
    "CheapRoutePublic",
    "ExclusionPublic",
    "RoutePublicRank",
    "SelectRequest",
    "SelectionPublic",
    "WarmupPublic",
    "money",
]


def money(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


class SelectRequest(SelectionCriteria):
    """The criteria, plus what to return."""

    #: every excluded model with the first check it failed; candidates with reasons
    explain: StrictBool = False
    #: ``fallback``: a ready choice, a cold one warmed, or the task's default
    fallback: StrictBool = False

    def criteria(self) -> SelectionCriteria:
        return SelectionCriteria.model_validate(self.model_dump(exclude={"explain", "fallback"}))


class _Out(BaseModel):
    model_config = ConfigDict(protected_namespaces=())


class CandidatePublic(_Out):
    rank: int
    model_id: str
    display_name: str
    provider_id: str
    hosting_type: str
    platform_id: str
    route_id: str
    model_string: str
    thermal_state: str | None
    warmup_required: bool
    warmup_time_seconds: int | None
    health_status: str
    avg_latency_ms: float | None
    #: estimated price of one request of the estimated size, USD (None: not priceable)
    price_per_request: str | None
    price_is_estimated: bool
    optional_capabilities_matched: int
    quality_score: float | None
    reasons: list[str]

    @classmethod
    def of(cls, rank: int, c: Candidate) -> CandidatePublic:
        model = c.entry.model
        return cls(
            rank=rank,
            model_id=c.entry.id,
            display_name=model.display_name,
            provider_id=model.provider_id,
            hosting_type=c.hosting_type.value,
            platform_id=c.route.platform_id,
            route_id=c.route.id,
            model_string=c.route.model_string,
            thermal_state=c.thermal_state.value if c.thermal_state else None,
            warmup_required=c.warmup_required,
            warmup_time_seconds=c.warmup_time_seconds,
            health_status=c.health.value,
            avg_latency_ms=c.avg_latency_ms,
            price_per_request=money(c.price_per_request),
            price_is_estimated=bool(c.route.price and c.route.price.is_estimated),
            optional_capabilities_matched=c.optional_hits,
            quality_score=model.quality_score,
            reasons=list(c.reasons),
        )


class ExclusionPublic(_Out):
    model_id: str
    route_id: str | None
    code: str
    reason: str

    @classmethod
    def of(cls, e: Exclusion) -> ExclusionPublic:
        return cls(model_id=e.model_id, route_id=e.route_id, code=e.code, reason=e.reason)


class WarmupPublic(_Out):
    model_id: str
    #: True: recorded now (target WARM); False: already warming, or an anonymous caller
    requested: bool


class SelectionPublic(_Out):
    data: list[CandidatePublic]
    count: int
    #: candidates passing every filter (None when the selection stopped at ``limit``)
    total: int | None
    excluded: list[ExclusionPublic] | None = None
    #: with ``fallback``: primary, ready_alternative, primary_needs_warmup or task_default
    path: FallbackPath | None = None
    choice: CandidatePublic | None = None
    warmup: WarmupPublic | None = None


class RoutePublicRank(_Out):
    rank: int
    route_id: str
    platform_id: str
    model_string: str
    hosting_type: str
    priority: int
    status: str
    health_status: str
    usable: bool
    reason: str | None
    #: whether this server can call the route (an adapter for its wire, its credential set)
    callable: bool
    not_callable_reason: str | None
    success_rate: float | None
    avg_latency_ms: float | None
    price_per_request: str | None
    price_is_estimated: bool

    @classmethod
    def of(cls, rank: int, r: RankedRoute) -> RoutePublicRank:
        route = r.route
        return cls(
            rank=rank,
            route_id=route.id,
            platform_id=route.platform_id,
            model_string=route.model_string,
            hosting_type=r.hosting_type.value,
            priority=route.priority,
            status=route.status.value,
            health_status=r.health.value,
            usable=r.usable,
            reason=r.reason,
            callable=r.not_callable is None,
            not_callable_reason=r.not_callable,
            success_rate=route.success_rate,
            avg_latency_ms=route.avg_latency_ms,
            price_per_request=money(r.price_per_request),
            price_is_estimated=bool(route.price and route.price.is_estimated),
        )


class CheapestRequest(BaseModel):
    """The cheapest routes for a prompt of this size, with the usual selection filters."""

    model_config = ConfigDict(extra="forbid")
    prompt_tokens: StrictInt = Field(ge=0, le=100_000_000)
    max_output_tokens: StrictInt = Field(default=0, ge=0, le=100_000_000)
    required_capabilities: list[str] = Field(default_factory=list)
    task: Task = Task.CHAT
    input_modalities: list[str] = Field(default_factory=list)
    output_modalities: list[str] = Field(default_factory=list)
    tier: StrictInt | None = Field(default=None, ge=1, le=5)
    hosting: HostingPreference = HostingPreference.ANY
    include_estimated: StrictBool = True
    allow_deprecated: StrictBool = False
    exclude_imported: StrictBool = False
    max_price_per_request: Money | None = None
    #: also routes this server cannot call (no adapter for the wire, no credential)
    include_uncallable: StrictBool = False
    limit: StrictInt = Field(default=5, ge=1, le=100)

    def criteria(self) -> SelectionCriteria:
        return SelectionCriteria(
            task=self.task,
            input_modalities=self.input_modalities,
            output_modalities=self.output_modalities,
            tier=self.tier,
            hosting=self.hosting,
            required_capabilities=self.required_capabilities,
            include_estimated=self.include_estimated,
            allow_deprecated=self.allow_deprecated,
            exclude_imported=self.exclude_imported,
            max_price_per_request=self.max_price_per_request,
            estimated_input_tokens=self.prompt_tokens,
            estimated_output_tokens=self.max_output_tokens,
            include_uncallable=self.include_uncallable,
            limit=self.limit,
        )


class CheapRoutePublic(_Out):
    rank: int
    model_id: str
    display_name: str
    route_id: str
    platform_id: str
    hosting_type: str
    price: str
    price_is_estimated: bool

    @classmethod
    def of(cls, rank: int, c: CheapRoute) -> CheapRoutePublic:
        return cls(
            rank=rank,
            model_id=c.entry.id,
            display_name=c.entry.model.display_name,
            route_id=c.route.id,
            platform_id=c.route.platform_id,
            hosting_type=c.hosting_type.value,
            price=money(c.price_per_request) or "0",
            price_is_estimated=c.is_estimated,
        )


class AlternativePublic(CandidatePublic):
    is_successor: bool
    shared_capabilities: list[str]

    @classmethod
    def of_alternative(cls, rank: int, a: Alternative) -> AlternativePublic:
        base = CandidatePublic.of(rank, a.candidate).model_dump()
        return cls(**base, is_successor=a.is_successor, shared_capabilities=a.shared_capabilities)
