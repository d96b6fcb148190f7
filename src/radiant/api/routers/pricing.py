"""Pricing endpoints under ``/api/registry``: comparison, per-model pricing and history,
usage estimates, the price optimizer, markup overrides and estimated-cost alerts.

What a caller sees depends on who it is: callers who ``sees_cost`` (administrators with
``cost:read``) get the admin view (cost, markup, price, margin); everyone else gets the
client view (prices only). A tenant's API key is priced on its tenant's terms.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlalchemy.orm import Session

from radiant.api.admin_deps import WriterDep, write_response
from radiant.api.auth import PrincipalDep, require
from radiant.api.deps import SnapshotDep
from radiant.api.params import Offset, RowId, StrictCount
from radiant.api.pricing_deps import PricingDep
from radiant.api.request_context import ContextDep
from radiant.domain import HostingType, Task, ThermalState
from radiant.domain.numbers import Money, NonNegativeDecimal
from radiant.errors import AuthenticationError, PermissionDeniedError
from radiant.manage.operations import WriteOp
from radiant.manage.resources import canonical_key
from radiant.pricing import store
from radiant.pricing.alerts import AlertStatus, EstimatedCostAlert
from radiant.pricing.billing_rules import billing_rules
from radiant.pricing.markup import MarkupScope
from radiant.pricing.optimizer import OptimizationRequest
from radiant.pricing.payloads import plain, plain_dict, priced_payload
from radiant.pricing.usage import Usage
from radiant.pricing.views import AdminPricingView, ClientPricingView
from radiant.security import Permission, Principal, PrincipalKind
from radiant.store.repository import price_history

router = APIRouter(prefix="/api/registry", tags=["pricing"])

ViewList = dict[str, Any]
PricingSort = Literal["model", "input_price", "output_price", "price", "provider", "platform"]


def _split(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _tenant_for(principal: Principal, tenant: str | None) -> str | None:
    """A tenant key is priced on its own terms; only cost readers may ask for another's."""
    if principal.kind is PrincipalKind.TENANT:
        if tenant is not None and tenant != principal.tenant_id:
            raise PermissionDeniedError("a tenant key sees its own tenant's prices only")
        return principal.tenant_id
    if tenant is not None and principal.subject_id is None:
        raise AuthenticationError("pricing for a tenant needs a token with 'cost:read'")
    if tenant is not None and not principal.sees_cost:
        raise PermissionDeniedError("pricing for a tenant needs the 'cost:read' permission")
    return tenant


def _sort_key(sort: PricingSort) -> Any:
    def price_of(view: AdminPricingView | ClientPricingView, name: str) -> Decimal:
        block = view.price if isinstance(view, AdminPricingView) else view.prices
        value = getattr(block, name, None) if name != "head" else None
        if name == "head":
            value = block.input_per_1m
            if value is None and block.units:
                value = next(iter(block.units.values()))
        return value if value is not None else Decimal("Infinity")

    keys: dict[str, Any] = {
        "model": lambda v: (v.model_id, v.route_id),
        "provider": lambda v: (v.provider_display_name, v.route_id),
        "platform": lambda v: (v.platform, v.route_id),
        "input_price": lambda v: (price_of(v, "input_per_1m"), v.route_id),
        "output_price": lambda v: (price_of(v, "output_per_1m"), v.route_id),
        "price": lambda v: (price_of(v, "head"), v.route_id),
    }
    return keys[sort]


@router.get("/pricing")
def compare_pricing(
    snapshot: SnapshotDep,
    pricing: PricingDep,
    principal: PrincipalDep,
    model: Annotated[list[str], Query()] = [],  # noqa: B006
    provider: Annotated[list[str], Query()] = [],  # noqa: B006
    platform: Annotated[list[str], Query()] = [],  # noqa: B006
    task: Annotated[list[Task], Query()] = [],  # noqa: B006
    hosting_type: HostingType | None = None,
    pricing_type: str | None = None,
    estimated: bool | None = None,
    tenant: str | None = None,
    sort: PricingSort = "model",
    descending: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> ViewList:
    """Prices of every route, across models and platforms; filtered and sorted."""
    tenant = _tenant_for(principal, tenant)
    wanted = {snapshot.resolve(m).id for m in _split(model)}
    providers, platforms = set(_split(provider)), set(_split(platform))
    entries = [
        e
        for e in snapshot.entries
        if (not wanted or e.id in wanted)
        and (not providers or e.model.provider_id in providers)
        and (not task or e.task in task)
        and (not platforms or e.platform_ids & platforms)
    ]
    views = pricing.views(entries, admin=principal.sees_cost, tenant=tenant, snapshot=snapshot)
    views = [
        v
        for v in views
        if (not platforms or v.platform in platforms)
        and (pricing_type is None or v.pricing_type == pricing_type)
        and (hosting_type is None or _hosting(v) == hosting_type.value)
        and (estimated is None or _estimated(v) == estimated)
    ]
    views.sort(key=_sort_key(sort), reverse=descending)
    page = views[offset : offset + limit]
    view = "admin" if principal.sees_cost else "client"
    return {"view": view, "data": [v.model_dump(mode="json") for v in page], "count": len(views)}


def _hosting(view: AdminPricingView | ClientPricingView) -> str:
    if isinstance(view, AdminPricingView):
        return view.hosting_type
    return "self_hosted" if view.platform == "self_hosted" else "external"


def _estimated(view: AdminPricingView | ClientPricingView) -> bool:
    if isinstance(view, AdminPricingView):
        return view.estimated_cost.is_estimated
    return view.estimated_price.is_estimated


@router.get("/models/{model_id:path}/pricing/history")
def model_price_history(
    snapshot: SnapshotDep, pricing: PricingDep, principal: PrincipalDep, model_id: str
) -> ViewList:
    """Every sheet each route has had. Clients get prices (past sheets at today's markup)."""
    entry = snapshot.resolve(model_id)
    book = pricing.book(snapshot)
    data = []
    for route in entry.routes:
        markup = book.resolve(route, entry.model.provider_id, pricing.hosting(snapshot, route))
        for sheet in price_history(pricing.engine, route.id):
            prices = {k: v + v * markup.percent / 100 for k, v in sheet.prices().items()}
            item: dict[str, Any] = {
                "route_id": route.id,
                "platform": route.platform_id,
                "pricing_type": sheet.pricing_type.value,
                "effective_from": sheet.effective_from,
                "effective_to": sheet.effective_to,
                "is_estimated": sheet.is_estimated,
                "prices": prices,
            }
            if principal.sees_cost:
                item.update(cost=sheet.prices(), source=sheet.source.value, notes=sheet.notes)
            data.append(plain(item))
    return {"view": "admin" if principal.sees_cost else "client", "data": data, "count": len(data)}


@router.get("/models/{model_id:path}/pricing")
def model_pricing(
    snapshot: SnapshotDep,
    pricing: PricingDep,
    principal: PrincipalDep,
    model_id: str,
    tenant: str | None = None,
) -> ViewList:
    """The pricing view of each route of one model."""
    tenant = _tenant_for(principal, tenant)
    entry = snapshot.resolve(model_id)
    views = pricing.views([entry], admin=principal.sees_cost, tenant=tenant, snapshot=snapshot)
    view = "admin" if principal.sees_cost else "client"
    return {"view": view, "data": [v.model_dump(mode="json") for v in views], "count": len(views)}


# ----------------------------------------------------------------------------- estimates


class UsageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    input_tokens: StrictCount = 0
    output_tokens: StrictCount = 0
    cached_input_tokens: StrictCount = 0
    cache_write_tokens: StrictCount = 0
    reasoning_tokens: StrictCount = 0
    audio_input_tokens: StrictCount = 0
    audio_output_tokens: StrictCount = 0
    requests: StrictCount = 1
    images: StrictCount = 0
    seconds: NonNegativeDecimal = Decimal(0)
    minutes: NonNegativeDecimal = Decimal(0)
    video_minutes: NonNegativeDecimal = Decimal(0)
    hours: NonNegativeDecimal = Decimal(0)
    models_3d: StrictCount = 0
    tool_calls: StrictCount = 0
    search_requests: StrictCount = 0
    batch: StrictBool = False

    def to_usage(self) -> Usage:
        return Usage(**self.model_dump())


class EstimateIn(BaseModel):
    model_config = ConfigDict(extra="forbid", protected_namespaces=())
    model: str = Field(min_length=1)
    platform: str | None = None
    usage: UsageIn
    tenant: str | None = None
    at: datetime | None = None
    thermal_state: ThermalState | None = None


@router.post("/pricing/estimate")
def estimate(body: EstimateIn, pricing: PricingDep, principal: PrincipalDep) -> dict[str, Any]:
    """The itemised price of a usage (and, for cost readers, its cost and margin)."""
    tenant = _tenant_for(principal, body.tenant)
    quote = pricing.quote(
        body.model,
        body.usage.to_usage(),
        platform=body.platform,
        tenant=tenant,
        at=body.at,
        thermal_state=body.thermal_state,
    )
    return priced_payload(
        quote.priced,
        admin=principal.sees_cost,
        model_id=quote.entry.id,
        platform=quote.route.platform_id,
        tenant_id=quote.tenant_id,
    )


@router.post("/pricing/estimates/run", dependencies=[require(Permission.PRICING_WRITE)])
def run_estimates(pricing: PricingDep) -> dict[str, Any]:
    """Estimate missing costs now, raise alerts, resolve those whose real cost arrived."""
    report = pricing.reconcile_estimates()
    return report.__dict__


class OptimizeIn(OptimizationRequest):
    tenant: str | None = None
    task: Task | None = None


@router.post("/pricing/optimize")
def optimize_price(
    body: OptimizeIn, pricing: PricingDep, principal: PrincipalDep
) -> dict[str, Any]:
    """Select the route that serves a request at the best price (or value), and say why.

    Clients get prices only; cost readers also get each candidate's cost, markup and
    margin, and the admin warnings (low margin, estimated cost)."""
    tenant = _tenant_for(principal, body.tenant)
    request = OptimizationRequest.model_validate(body.model_dump(exclude={"tenant", "task"}))
    result = pricing.optimize(request, tenant=tenant, task=body.task)
    data = result.model_dump(mode="json")
    if not principal.sees_cost:
        data.pop("admin_warnings")
        for candidate in [data["selected_model"], *data["all_candidates"]]:
            candidate.pop("admin_cost_info")
    return plain_dict(data)


@router.get("/pricing/billing-rules")
def get_billing_rules() -> dict[str, Any]:
    """Volume discounts by monthly spend, free-tier limits and tier rate limits."""

    return plain_dict(billing_rules())


# ----------------------------------------------------------------------------- markups


class MarkupIn(BaseModel):
    percent: Annotated[Money, Field(le=1000)]
    reason: str | None = Field(default=None, max_length=1000)
    expires_at: datetime | None = None


@router.get("/pricing/markups", dependencies=[require(Permission.COST_READ)])
def list_markups(pricing: PricingDep) -> dict[str, Any]:
    overrides = store.list_markup_overrides(pricing.engine)
    data = [{**asdict(o), "scope": o.scope.value} for o in overrides] if overrides else []
    book = pricing.book()
    return plain_dict(
        {
            "defaults": {
                "external_percent": book.external_percent,
                "self_hosted_percent": book.self_hosted_percent,
            },
            "data": data,
            "count": len(data),
        }
    )


@router.put(
    "/pricing/markups/{scope}/{target_id:path}",
    responses={202: {"description": "waits for a second administrator (billing_change)"}},
    dependencies=[require(Permission.PRICING_WRITE)],
)
def set_markup(
    scope: MarkupScope,
    target_id: str,
    body: MarkupIn,
    pricing: PricingDep,
    writer: WriterDep,
    ctx: ContextDep,
) -> Response:
    """Create or replace the markup of a provider, or of a model (by id or any alias).

    A billing change: when the approval policy says so, it waits for a second
    administrator (202 with the approval request) instead of applying.
    """
    data = {"percent": body.percent, "reason": body.reason, "expires_at": body.expires_at}
    result = writer.execute(WriteOp("markup", scope.value, target_id, data), ctx)
    if result.approval is not None:
        return write_response(result, ctx.principal)
    with Session(pricing.engine) as session:
        key = canonical_key(session, scope.value, target_id)
        row = store.find_markup_override(session, scope, key)
        assert row is not None  # just written
        return JSONResponse(plain_dict(store.override_dict(store.markup_row(row))))


@router.delete(
    "/pricing/markups/{scope}/{target_id:path}",
    status_code=204,
    responses={202: {"description": "waits for a second administrator (billing_change)"}},
    dependencies=[require(Permission.PRICING_WRITE)],
)
def delete_markup(
    scope: MarkupScope, target_id: str, writer: WriterDep, ctx: ContextDep
) -> Response:
    result = writer.execute(WriteOp("markup", scope.value, target_id, {"remove": True}), ctx)
    return write_response(result, ctx.principal)


# ----------------------------------------------------------------------------- alerts

_COST_FIELDS = {
    "estimated_input_per_1m",
    "estimated_output_per_1m",
    "adjusted_input_per_1m",
    "adjusted_output_per_1m",
    "source_models",
}


def _alert_payload(alert: EstimatedCostAlert, principal: Principal) -> dict[str, Any]:
    """Alerts are admin reads; their costs only for those who see costs."""
    data = alert.model_dump(mode="json")
    if not principal.sees_cost:
        for name in _COST_FIELDS:
            data.pop(name, None)
        data["affected_price"].pop("markup_percent", None)
    return data


@router.get("/pricing/alerts")
def list_alerts(
    pricing: PricingDep,
    principal: Annotated[Principal, require(Permission.ADMIN_READ)],
    status: AlertStatus | None = None,
    model: str | None = None,
) -> dict[str, Any]:
    alerts = store.list_alerts(pricing.engine, status, model)
    return {"data": [_alert_payload(a, principal) for a in alerts], "count": len(alerts)}


@router.get("/pricing/alerts/{alert_id}")
def get_alert(
    alert_id: RowId,
    pricing: PricingDep,
    principal: Annotated[Principal, require(Permission.ADMIN_READ)],
) -> dict[str, Any]:
    return _alert_payload(store.get_alert(pricing.engine, alert_id), principal)


class AdjustIn(BaseModel):
    input_per_1m: Money | None = None
    output_per_1m: Money | None = None


@router.post("/pricing/alerts/{alert_id}/acknowledge")
def acknowledge(
    alert_id: RowId,
    pricing: PricingDep,
    principal: Annotated[Principal, require(Permission.ALERTS_WRITE)],
) -> dict[str, Any]:
    return _alert_payload(store.acknowledge_alert(pricing.engine, principal, alert_id), principal)


@router.post("/pricing/alerts/{alert_id}/adjust")
def adjust(
    alert_id: RowId,
    body: AdjustIn,
    pricing: PricingDep,
    principal: Annotated[Principal, require(Permission.ALERTS_WRITE)],
) -> dict[str, Any]:
    alert = store.adjust_alert(
        pricing.engine, principal, alert_id, body.input_per_1m, body.output_per_1m
    )
    pricing.registry.invalidate()
    return _alert_payload(alert, principal)


@router.post("/pricing/alerts/{alert_id}/resolve")
def resolve(
    alert_id: RowId,
    pricing: PricingDep,
    principal: Annotated[Principal, require(Permission.ALERTS_WRITE)],
    body: AdjustIn | None = None,
) -> dict[str, Any]:
    body = body or AdjustIn()
    alert = store.resolve_alert(
        pricing.engine, principal, alert_id, body.input_per_1m, body.output_per_1m
    )
    pricing.registry.invalidate()
    return _alert_payload(alert, principal)
