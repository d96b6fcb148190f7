"""Estimated costs and their alerts on SQLite and PostgreSQL: a route without a published
cost is estimated from similar models and flagged; the workflow pending -> acknowledged
-> adjusted -> resolved; a real cost arriving from a sync resolves the alert by itself."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete

from radiant.api.app import create_app
from radiant.catalog import load_catalog
from radiant.domain import CostSource
from radiant.errors import ConflictError, NotFoundError, ValidationError
from radiant.pricing import store
from radiant.pricing.alerts import AlertStatus
from radiant.pricing.estimates import severity
from radiant.pricing.service import PricingService
from radiant.registry.service import Registry
from radiant.security import ROLE_PERMISSIONS, Principal, PrincipalKind, Role
from radiant.store.repository import price_history
from radiant.store.tables import PriceHistoryRow
from radiant.sync import sync_catalog

ADMIN = Principal(
    PrincipalKind.ADMIN,
    subject_id="a1",
    name="ana@example.test",
    role=Role.ADMIN,
    permissions=ROLE_PERMISSIONS[Role.ADMIN],
)
ROUTE = "openai-gpt-5-mini@direct"
Bearer = Callable[[FastAPI, "Role | Principal"], dict[str, str]]


def drop_price(engine: Engine, route_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(PriceHistoryRow).where(PriceHistoryRow.route_id == route_id))


@pytest.fixture
def service(migrated: Engine) -> PricingService:
    sync_catalog(migrated, load_catalog())
    drop_price(migrated, ROUTE)  # as if the provider had not published it
    registry = Registry(migrated)
    registry.refresh()
    return PricingService(registry)


def test_estimate_flag_and_alert_workflow(service: PricingService) -> None:
    assert service.registry.snapshot().resolve("gpt-5-mini").routes[0].price is None
    report = service.reconcile_estimates()
    assert report.estimated == [ROUTE]
    assert len(report.alerts_created) == 13  # the new estimate and the catalog's 12
    sheet = service.registry.snapshot().resolve("gpt-5-mini").routes[0].price
    assert sheet is not None and sheet.is_estimated and sheet.source is CostSource.ESTIMATED_AVERAGE
    (alert,) = store.list_alerts(service.engine, model_id="openai-gpt-5-mini")
    assert alert.status is AlertStatus.PENDING and alert.route_id == ROUTE
    assert alert.severity == severity(alert.confidence)
    assert alert.reason.value == "cost_not_published"
    assert alert.source_models and alert.source_models[0].similarity_score <= 1
    assert sheet.input_per_1m is not None and alert.estimated_input_per_1m == sheet.input_per_1m
    assert alert.affected_price.input_per_1m == sheet.input_per_1m * Decimal("1.4")
    # a second run raises nothing new
    assert service.reconcile_estimates().alerts_created == []

    store.resolve_alert(service.engine, ADMIN, alert.id)  # straight from pending
    with pytest.raises(ConflictError):
        store.acknowledge_alert(service.engine, ADMIN, alert.id)
    with pytest.raises(NotFoundError):
        store.acknowledge_alert(service.engine, ADMIN, 99999)


def test_pending_acknowledged_adjusted_resolved(service: PricingService) -> None:
    service.reconcile_estimates()
    (alert,) = store.list_alerts(service.engine, model_id="openai-gpt-5-mini")
    acked = store.acknowledge_alert(service.engine, ADMIN, alert.id)
    assert acked.status is AlertStatus.ACKNOWLEDGED and acked.acknowledged_by == ADMIN.name
    assert acked.allowed_actions == ["adjust", "resolve"]
    with pytest.raises(ConflictError):
        store.acknowledge_alert(service.engine, ADMIN, alert.id)
    with pytest.raises(ValidationError):
        store.adjust_alert(service.engine, ADMIN, alert.id, None, None)
    adjusted = store.adjust_alert(service.engine, ADMIN, alert.id, Decimal("0.25"), Decimal("2"))
    assert adjusted.status is AlertStatus.ADJUSTED and adjusted.adjusted_input_per_1m == Decimal(
        "0.25"
    )
    service.registry.refresh()
    sheet = service.registry.snapshot().resolve("gpt-5-mini").routes[0].price
    assert sheet is not None and sheet.input_per_1m == Decimal("0.25") and sheet.is_estimated
    assert sheet.source is CostSource.ADMIN_MANUAL_ENTRY
    resolved = store.resolve_alert(service.engine, ADMIN, alert.id)
    assert resolved.status is AlertStatus.RESOLVED and resolved.resolved_by == ADMIN.name
    service.registry.refresh()
    sheet = service.registry.snapshot().resolve("gpt-5-mini").routes[0].price
    assert sheet is not None and not sheet.is_estimated and sheet.input_per_1m == Decimal("0.25")
    with pytest.raises(ConflictError):
        store.adjust_alert(service.engine, ADMIN, alert.id, Decimal(1), None)
    assert len(price_history(service.engine, ROUTE)) == 3  # estimate, adjusted, confirmed


def test_a_real_cost_from_a_sync_resolves_the_alert(service: PricingService) -> None:
    service.reconcile_estimates()
    (alert,) = store.list_alerts(service.engine, model_id="openai-gpt-5-mini")
    sync_catalog(service.engine, load_catalog())  # the published cost arrives
    service.registry.refresh()
    report = service.reconcile_estimates()
    assert report.alerts_resolved == [alert.id]
    done = store.get_alert(service.engine, alert.id)
    assert done.status is AlertStatus.RESOLVED and done.resolved_by == "system"
    assert done.resolution_source == "provider_documentation"
    sheet = service.registry.snapshot().resolve("gpt-5-mini").routes[0].price
    assert sheet is not None and sheet.input_per_1m == Decimal("0.25") and not sheet.is_estimated


def test_alert_endpoints_and_permissions(service: PricingService, bearer: Bearer) -> None:
    service.reconcile_estimates()
    (alert,) = store.list_alerts(service.engine, model_id="openai-gpt-5-mini")
    app = create_app(service.registry)
    headers = bearer
    with TestClient(app) as client:
        url = "/api/registry/pricing/alerts"
        assert client.get(url).status_code == 401
        auditor = client.get(url, headers=headers(app, Role.AUDITOR)).json()
        assert auditor["count"] == 13
        assert all("estimated_input_per_1m" not in a for a in auditor["data"])
        admin = headers(app, Role.ADMIN)
        full = client.get(url, params={"status": "pending"}, headers=admin).json()
        assert full["count"] == 13 and "estimated_input_per_1m" in full["data"][0]
        ack = f"{url}/{alert.id}/acknowledge"
        operator = headers(app, Role.OPERATOR)
        assert client.post(ack, headers=operator).status_code == 403
        assert client.post(ack, headers=admin).json()["status"] == "acknowledged"
        again = client.post(ack, headers=admin)
        assert (
            again.status_code == 409 and again.headers["content-type"] == "application/problem+json"
        )
        bad = client.post(f"{url}/{alert.id}/adjust", json={"input_per_1m": "-1"}, headers=admin)
        assert bad.status_code == 422
        adjusted = client.post(
            f"{url}/{alert.id}/adjust", json={"input_per_1m": "0.3"}, headers=admin
        ).json()
        assert adjusted["status"] == "adjusted" and adjusted["adjusted_input_per_1m"] == "0.3"
        view = client.get("/api/registry/models/gpt-5-mini/pricing").json()["data"][0]
        badge = view["estimated_price"]["badge"]
        assert badge["tooltip"] == "Price not yet confirmed by provider"
        assert view["prices"]["input_per_1m"] == "0.42"
        resolved = client.post(f"{url}/{alert.id}/resolve", headers=admin).json()
        assert resolved["status"] == "resolved"
        assert client.get(f"{url}/424242", headers=admin).status_code == 404
