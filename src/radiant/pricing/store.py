"""Store-backed pricing data: markup overrides, tenant terms, estimated-cost alerts.

Every write is one function taking the acting ``Principal`` (for the audit log). Writes
that change what a snapshot prices (overrides, price sheets) bump the registry version,
so every process rebuilds. Raises NotFoundError, ValidationError, ConflictError, and
StoreError when the database cannot be used.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from radiant.core.audit import audit_change, jsonable
from radiant.core.context import authorize
from radiant.domain import CostSource, PriceSheet, PricingType
from radiant.domain.tenant import TenantModelAccess
from radiant.errors import NotFoundError, ValidationError
from radiant.pricing.alerts import (
    AffectedPrice,
    AlertAction,
    AlertStatus,
    EstimatedCostAlert,
    allowed,
    check_transition,
)
from radiant.pricing.estimates import EstimateInfo, SourceModel, recommendation, severity
from radiant.pricing.markup import MarkupBook, MarkupOverride, MarkupScope
from radiant.security import Permission, Principal
from radiant.store.mapping import price_columns, row_to_price
from radiant.store.pricing_tables import EstimatedCostAlertRow, MarkupOverrideRow
from radiant.store.repository import bump_version, route_models, store_errors
from radiant.store.tables import ModelRow, PriceHistoryRow, ProviderRow
from radiant.store.tenant_tables import TenantModelAccessRow, TenantRow
from radiant.tenants.scope import admin_scope

__all__ = [
    "TenantTerms",
    "acknowledge_alert",
    "adjust_alert",
    "create_alert",
    "delete_markup_override",
    "find_markup_override",
    "get_alert",
    "list_alerts",
    "list_markup_overrides",
    "markup_row",
    "markup_book",
    "open_estimates",
    "override_dict",
    "remove_markup_override",
    "resolve_alert",
    "set_markup_override",
    "tenant_access_all",
    "tenant_terms",
    "write_markup_override",
    "write_sheet",
]

_MAX_MARKUP = Decimal(1000)


def _now() -> datetime:
    return datetime.now(UTC)


# ----------------------------------------------------------------------------- markups


def _override(row: MarkupOverrideRow) -> MarkupOverride:
    return MarkupOverride(
        scope=MarkupScope(row.scope),
        target_id=row.target_id,
        percent=row.percent,
        set_by=row.set_by,
        set_at=row.set_at,
        reason=row.reason,
        expires_at=row.expires_at,
        id=row.id,
    )


def list_markup_overrides(engine: Engine) -> list[MarkupOverride]:
    with store_errors(), Session(engine) as session:
        rows = session.execute(
            select(MarkupOverrideRow).order_by(MarkupOverrideRow.scope, MarkupOverrideRow.target_id)
        ).scalars()
        return [_override(r) for r in rows]


def markup_book(engine: Engine) -> MarkupBook:
    return MarkupBook.from_overrides(list_markup_overrides(engine))


def set_markup_override(
    engine: Engine,
    principal: Principal,
    scope: MarkupScope,
    target_id: str,
    percent: Decimal,
    reason: str | None = None,
    expires_at: datetime | None = None,
) -> MarkupOverride:
    """Create or replace the override of a provider or model, in a transaction of its own
    (the API and CLI go through the registry writer, which asks approval policy first)."""
    with store_errors(), Session(engine) as session, session.begin():
        found = write_markup_override(
            session, principal, scope, target_id, percent, reason, expires_at
        )
        bump_version(session, models=())  # markups are not in a snapshot
        return found


def write_markup_override(
    session: Session,
    principal: Principal,
    scope: MarkupScope,
    target_id: str,
    percent: Decimal,
    reason: str | None = None,
    expires_at: datetime | None = None,
) -> MarkupOverride:
    """Create or replace an override inside the caller's transaction (audited; the caller
    bumps the registry version)."""
    if not Decimal(0) <= percent <= _MAX_MARKUP:
        raise ValidationError(f"markup percent must be between 0 and {_MAX_MARKUP}")
    if expires_at is not None:
        expires_at = expires_at if expires_at.tzinfo else expires_at.replace(tzinfo=UTC)
        if expires_at <= _now():
            raise ValidationError("expires_at must be in the future")
    table = ModelRow if scope is MarkupScope.MODEL else ProviderRow
    if session.get(table, target_id) is None:
        raise NotFoundError(scope.value, target_id)
    row = find_markup_override(session, scope, target_id)
    before = None if row is None else _override(row)
    if row is None:
        row = MarkupOverrideRow(scope=scope.value, target_id=target_id)
        session.add(row)
    row.percent = percent
    row.set_by = principal.name
    row.set_at = _now()
    row.reason = reason
    row.expires_at = expires_at
    session.flush()
    after = _override(row)
    audit_change(
        session,
        principal,
        "markup.set",
        "markup_override",
        f"{scope.value}:{target_id}",
        before,
        after,
    )
    return after


def find_markup_override(
    session: Session, scope: MarkupScope, target_id: str
) -> MarkupOverrideRow | None:
    return session.execute(
        select(MarkupOverrideRow).where(
            MarkupOverrideRow.scope == scope.value, MarkupOverrideRow.target_id == target_id
        )
    ).scalar_one_or_none()


def delete_markup_override(
    engine: Engine, principal: Principal, scope: MarkupScope, target_id: str
) -> None:
    with store_errors(), Session(engine) as session, session.begin():
        remove_markup_override(session, principal, scope, target_id)
        bump_version(session, models=())  # markups are not in a snapshot


def remove_markup_override(
    session: Session, principal: Principal, scope: MarkupScope, target_id: str
) -> MarkupOverride:
    """Delete an override inside the caller's transaction (audited)."""
    row = find_markup_override(session, scope, target_id)
    if row is None:
        raise NotFoundError("markup override", f"{scope.value}:{target_id}")
    gone = _override(row)
    session.delete(row)
    session.flush()
    audit_change(
        session,
        principal,
        "markup.delete",
        "markup_override",
        f"{scope.value}:{target_id}",
        gone,
        None,
    )
    return gone


def markup_row(row: MarkupOverrideRow) -> MarkupOverride:
    return _override(row)


def override_dict(found: MarkupOverride) -> dict[str, Any]:
    return {**jsonable(found), "scope": found.scope.value}


# ----------------------------------------------------------------------------- tenants


class TenantTerms:
    """A tenant and, when it has one, its access row for one model."""

    def __init__(self, tenant_id: str, slug: str, tier: int, access: TenantModelAccess | None):
        self.tenant_id, self.slug, self.tier, self.access = tenant_id, slug, tier, access


def _tenant_row(session: Session, tenant: str) -> TenantRow:
    row = session.execute(
        select(TenantRow).where(
            (TenantRow.id == tenant) | (TenantRow.slug == tenant),
            TenantRow.deleted_at.is_(None),
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFoundError("tenant", tenant)
    return row


def _access(tenant_id: str, row: TenantModelAccessRow) -> TenantModelAccess:
    return TenantModelAccess(
        tenant_id=tenant_id,
        model_id=row.model_id,
        enabled=row.enabled,
        custom_input_price_per_1m=row.custom_input_price_per_1m,
        custom_output_price_per_1m=row.custom_output_price_per_1m,
        custom_markup_percent=row.custom_markup_percent,
        rate_limit_rpm=row.rate_limit_rpm,
        rate_limit_tpm=row.rate_limit_tpm,
    )


def tenant_terms(engine: Engine, tenant: str, model_id: str) -> TenantTerms:
    """The tenant known by id or slug, with its terms for ``model_id`` (None: standard)."""
    with store_errors(), Session(engine) as session:
        admin_scope(session)  # trusted pricing code; row-level security on PostgreSQL
        row = _tenant_row(session, tenant)
        access_row = session.execute(
            select(TenantModelAccessRow).where(
                TenantModelAccessRow.tenant_id == row.id, TenantModelAccessRow.model_id == model_id
            )
        ).scalar_one_or_none()
        access = None if access_row is None else _access(row.id, access_row)
        return TenantTerms(row.id, row.slug, row.tier, access)


def tenant_access_all(engine: Engine, tenant: str) -> dict[str, TenantModelAccess]:
    """Every model access row of a tenant (by id or slug), by model id: one query."""
    with store_errors(), Session(engine) as session:
        admin_scope(session)  # trusted pricing code; row-level security on PostgreSQL
        row = _tenant_row(session, tenant)
        rows = session.execute(
            select(TenantModelAccessRow).where(TenantModelAccessRow.tenant_id == row.id)
        ).scalars()
        return {r.model_id: _access(row.id, r) for r in rows}


# ----------------------------------------------------------------------------- sheets


def write_sheet(session: Session, route_id: str, sheet: PriceSheet, recorded_by: str) -> None:
    """Close the route's current sheet and open ``sheet`` from now (price history kept)."""
    now = _now()
    current = session.execute(
        select(PriceHistoryRow).where(
            PriceHistoryRow.route_id == route_id, PriceHistoryRow.effective_to.is_(None)
        )
    ).scalar_one_or_none()
    if current is not None:
        current.effective_to = now
    columns = price_columns(sheet)
    columns.update(effective_from=now, effective_to=None)
    session.add(PriceHistoryRow(route_id=route_id, recorded_by=recorded_by[:100], **columns))


def _current_sheet(session: Session, route_id: str) -> PriceSheet | None:
    row = session.execute(
        select(PriceHistoryRow).where(
            PriceHistoryRow.route_id == route_id, PriceHistoryRow.effective_to.is_(None)
        )
    ).scalar_one_or_none()
    return None if row is None else row_to_price(row)


# ----------------------------------------------------------------------------- alerts


def _alert(row: EstimatedCostAlertRow) -> EstimatedCostAlert:
    status = AlertStatus(row.status)
    factor = 1 + row.markup_percent / 100
    inp, out = row.estimated_input_per_1m, row.estimated_output_per_1m
    return EstimatedCostAlert(
        id=row.id,
        created_at=row.created_at,
        severity=severity(row.confidence),
        route_id=row.route_id,
        model_id=row.model_id,
        provider_id=row.provider_id,
        reason=row.reason,
        estimated_input_per_1m=inp,
        estimated_output_per_1m=out,
        confidence=row.confidence,
        source_models=[SourceModel.model_validate(m) for m in row.source_models or []],
        affected_price=AffectedPrice(
            input_per_1m=None if inp is None else inp * factor,
            output_per_1m=None if out is None else out * factor,
            markup_percent=row.markup_percent,
        ),
        recommendation=row.recommendation,
        status=status,
        acknowledged_by=row.acknowledged_by,
        acknowledged_at=row.acknowledged_at,
        adjusted_by=row.adjusted_by,
        adjusted_at=row.adjusted_at,
        adjusted_input_per_1m=row.adjusted_input_per_1m,
        adjusted_output_per_1m=row.adjusted_output_per_1m,
        resolved_by=row.resolved_by,
        resolved_at=row.resolved_at,
        resolution_source=row.resolution_source,
        allowed_actions=allowed(status),
    )


def create_alert(
    session: Session,
    route_id: str,
    model_id: str,
    provider_id: str,
    sheet: PriceSheet,
    info: EstimateInfo,
    markup_percent: Decimal,
) -> EstimatedCostAlertRow:
    level = severity(info.confidence)
    row = EstimatedCostAlertRow(
        route_id=route_id,
        model_id=model_id,
        provider_id=provider_id,
        severity=level,
        reason=info.reason.value,
        confidence=info.confidence,
        estimated_input_per_1m=sheet.input_per_1m,
        estimated_output_per_1m=sheet.output_per_1m,
        source_models=[m.model_dump(mode="json") for m in info.source_models],
        markup_percent=markup_percent,
        recommendation=recommendation(level),
        status=AlertStatus.PENDING.value,
    )
    session.add(row)
    return row


def list_alerts(
    engine: Engine, status: AlertStatus | None = None, model_id: str | None = None
) -> list[EstimatedCostAlert]:
    with store_errors(), Session(engine) as session:
        query = select(EstimatedCostAlertRow).order_by(EstimatedCostAlertRow.id.desc())
        if status is not None:
            query = query.where(EstimatedCostAlertRow.status == status.value)
        if model_id is not None:
            query = query.where(EstimatedCostAlertRow.model_id == model_id)
        return [_alert(r) for r in session.execute(query).scalars()]


def open_estimates(engine: Engine) -> dict[str, EstimateInfo]:
    """The newest open alert of each route, as the estimate it describes."""
    found: dict[str, EstimateInfo] = {}
    for alert in list_alerts(engine):
        if alert.status is AlertStatus.RESOLVED or alert.route_id in found:
            continue
        found[alert.route_id] = EstimateInfo(
            reason=alert.reason,
            confidence=alert.confidence,
            source_models=alert.source_models,
            alert_id=alert.id,
        )
    return found


def get_alert(engine: Engine, alert_id: int) -> EstimatedCostAlert:
    with store_errors(), Session(engine) as session:
        row = session.get(EstimatedCostAlertRow, alert_id)
        if row is None:
            raise NotFoundError("alert", str(alert_id))
        return _alert(row)


def _locked(session: Session, alert_id: int, action: AlertAction) -> EstimatedCostAlertRow:
    row = session.execute(
        select(EstimatedCostAlertRow).where(EstimatedCostAlertRow.id == alert_id).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise NotFoundError("alert", str(alert_id))
    check_transition(alert_id, AlertStatus(row.status), action)
    return row


def acknowledge_alert(engine: Engine, principal: Principal, alert_id: int) -> EstimatedCostAlert:
    authorize(principal, [Permission.ALERTS_WRITE])
    with store_errors(), Session(engine) as session, session.begin():
        row = _locked(session, alert_id, AlertAction.ACKNOWLEDGE)
        old_status = row.status
        row.status = AlertStatus.ACKNOWLEDGED.value
        row.acknowledged_by, row.acknowledged_at = principal.name, _now()
        session.flush()
        audit_change(
            session,
            principal,
            "alert.acknowledge",
            "estimated_cost_alert",
            str(alert_id),
            {"status": old_status},
            {"status": row.status},
        )
        return _alert(row)


def _token_sheet(
    base: PriceSheet | None,
    input_per_1m: Decimal | None,
    output_per_1m: Decimal | None,
    *,
    estimated: bool,
) -> PriceSheet:
    data: dict[str, Any] = base.model_dump() if base is not None else {}
    data.update(pricing_type=data.get("pricing_type", PricingType.PER_TOKEN))
    if input_per_1m is not None:
        data["input_per_1m"] = input_per_1m
    if output_per_1m is not None:
        data["output_per_1m"] = output_per_1m
    data.update(
        source=CostSource.ADMIN_MANUAL_ENTRY,
        is_estimated=estimated,
        effective_from=None,
        effective_to=None,
        last_verified_at=_now(),
    )
    try:
        return PriceSheet.model_validate(data)
    except ValueError as exc:
        raise ValidationError(f"invalid cost: {exc}") from None


def _check_money(*values: Decimal | None) -> None:
    for value in values:
        if value is not None and (not value.is_finite() or value < 0):
            raise ValidationError("a cost must be a non-negative number")


def adjust_alert(
    engine: Engine,
    principal: Principal,
    alert_id: int,
    input_per_1m: Decimal | None,
    output_per_1m: Decimal | None,
) -> EstimatedCostAlert:
    """Set the estimated cost by hand: the route's sheet changes, still marked estimated."""
    authorize(principal, [Permission.ALERTS_WRITE])
    _check_money(input_per_1m, output_per_1m)
    if input_per_1m is None and output_per_1m is None:
        raise ValidationError("give input_per_1m, output_per_1m or both")
    with store_errors(), Session(engine) as session, session.begin():
        row = _locked(session, alert_id, AlertAction.ADJUST)
        old_status = row.status
        base = _current_sheet(session, row.route_id)
        sheet = _token_sheet(base, input_per_1m, output_per_1m, estimated=True)
        write_sheet(session, row.route_id, sheet, principal.name)
        row.status = AlertStatus.ADJUSTED.value
        row.adjusted_by, row.adjusted_at = principal.name, _now()
        row.adjusted_input_per_1m = sheet.input_per_1m
        row.adjusted_output_per_1m = sheet.output_per_1m
        bump_version(session, models=route_models(session, row.route_id))
        session.flush()
        audit_change(
            session,
            principal,
            "alert.adjust",
            "estimated_cost_alert",
            str(alert_id),
            {"status": old_status, "price": base},
            {"status": row.status, "price": sheet},
        )
        return _alert(row)


def resolve_alert(
    engine: Engine,
    principal: Principal | None,
    alert_id: int,
    input_per_1m: Decimal | None = None,
    output_per_1m: Decimal | None = None,
    source: CostSource = CostSource.ADMIN_MANUAL_ENTRY,
) -> EstimatedCostAlert:
    """Close the alert. An administrator's resolution confirms the route's cost (the
    current one, or the one given) as real; ``principal`` None is the system (a sync
    brought the real cost, already in place)."""
    if principal is not None:
        authorize(principal, [Permission.ALERTS_WRITE])
    _check_money(input_per_1m, output_per_1m)
    with store_errors(), Session(engine) as session, session.begin():
        row = _locked(session, alert_id, AlertAction.RESOLVE)
        old_status = row.status
        if principal is not None:
            base = _current_sheet(session, row.route_id)
            if base is None and (input_per_1m is None or output_per_1m is None):
                raise ValidationError("the route has no cost: give input_per_1m and output_per_1m")
            given = input_per_1m is not None or output_per_1m is not None
            if base is None or base.is_estimated or given:
                sheet = _token_sheet(base, input_per_1m, output_per_1m, estimated=False)
                write_sheet(session, row.route_id, sheet, principal.name)
                bump_version(session, models=route_models(session, row.route_id))
        row.status = AlertStatus.RESOLVED.value
        row.resolved_by = principal.name if principal is not None else "system"
        row.resolved_at = _now()
        row.resolution_source = source.value
        session.flush()
        if principal is not None:  # the system's resolutions are in the sync log
            audit_change(
                session,
                principal,
                "alert.resolve",
                "estimated_cost_alert",
                str(alert_id),
                {"status": old_status},
                {"status": row.status, "source": source.value},
            )
        return _alert(row)
