"""Pricing as the application runs it: tenant terms through the ``radiant_app`` role that
row-level security applies to on PostgreSQL; markup overrides audited and, as billing
changes, under the approval policy."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import Bearer, migrate
from radiant.api.app import create_app
from radiant.catalog import load_catalog
from radiant.registry.service import Registry
from radiant.security import ROLE_PERMISSIONS, Principal, PrincipalKind, Role
from radiant.store.engine import make_engine
from radiant.sync import sync_catalog
from radiant.tenants import Tenants

FIXTURES = Path(__file__).parent / "fixtures"
ADMIN = Principal(
    PrincipalKind.ADMIN,
    subject_id="a1",
    name="admin@example.test",
    role=Role.ADMIN,
    permissions=ROLE_PERMISSIONS[Role.ADMIN],
)


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    migrate(db_url)
    engine = make_engine(db_url, role="radiant_app")
    sync_catalog(engine, load_catalog(FIXTURES / "catalog_small"))
    with TestClient(create_app(Registry(engine, check_interval=0))) as test_client:
        yield test_client
    engine.dispose()


def test_tenant_terms_apply_through_the_application_role(
    client: TestClient, bearer: Bearer
) -> None:
    tenants: Tenants = client.app.state.tenants  # type: ignore[attr-defined]
    tenants.tenants.create(ADMIN, name="Acme", slug="acme", tier=3)
    tenants.access.grant(ADMIN, "acme", "acme-small", custom_markup_percent=Decimal("10"))
    secret = tenants.keys.issue(ADMIN, "acme", name="ci").secret

    admin = bearer(client.app, Role.ADMIN)
    view = client.get(
        "/api/registry/pricing", params={"model": "acme-small", "tenant": "acme"}, headers=admin
    )
    assert view.status_code == 200, view.text
    row = view.json()["data"][0]
    assert row["markup"]["source"] == "tenant"
    assert Decimal(row["markup"]["percent"]) == 10

    own = client.get(
        "/api/registry/models/acme-small/pricing", headers={"Authorization": f"Bearer {secret}"}
    )
    assert own.status_code == 200, own.text
    standard = client.get("/api/registry/models/acme-small/pricing").json()
    mine = own.json()["data"][0]["prices"]["input_per_1m"]
    everyone = standard["data"][0]["prices"]["input_per_1m"]
    assert Decimal(mine) * Decimal("1.4") == Decimal(everyone) * Decimal("1.1")


def test_markup_overrides_are_audited(client: TestClient, bearer: Bearer) -> None:
    admin = bearer(client.app, Role.ADMIN)
    url = "/api/registry/pricing/markups/model/acme-small"
    first = client.put(url, json={"percent": "25", "reason": "launch"}, headers=admin)
    assert first.status_code == 200, first.text
    client.put(url, json={"percent": "30"}, headers={**admin, "X-Request-ID": "mk-2"})
    assert client.delete(url, headers=admin).status_code in (200, 204)

    log = client.get(
        "/api/v2/admin/audit",
        params={"resource_type": "markup_override"},
        headers=bearer(client.app, Role.AUDITOR),
    ).json()["data"]
    actions = sorted(row["action"] for row in log)
    assert actions == ["markup.delete", "markup.set", "markup.set"]
    second = next(row for row in log if row["request_id"] == "mk-2")
    assert Decimal(second["old_values"]["percent"]) == 25
    assert Decimal(second["new_values"]["percent"]) == 30
    assert second["actor"]["role"] == "admin"


def test_a_markup_is_a_billing_change_that_can_need_a_second_administrator(
    client: TestClient, bearer: Bearer
) -> None:
    root = bearer(client.app, Role.SUPER_ADMIN)
    admin = bearer(client.app, Role.ADMIN)
    policy = client.put(
        "/api/v2/admin/approvals/policy/billing_change",
        json={"requires_approval": True},
        headers=root,
    )
    assert policy.status_code == 200, policy.text
    url = "/api/registry/pricing/markups/model/acme-small"
    waiting = client.put(url, json={"percent": "55", "reason": "premium"}, headers=admin)
    assert waiting.status_code == 202, waiting.text
    request_id = waiting.json()["approval"]["id"]
    assert waiting.json()["approval"]["type"] == "billing_change"
    markups = client.get("/api/registry/pricing/markups", headers=admin).json()
    assert "acme-small" not in str(markups)  # not applied yet

    own = client.post(f"/api/v2/admin/approvals/{request_id}/approve", json={}, headers=admin)
    assert own.status_code == 403  # the initiator cannot approve
    done = client.post(f"/api/v2/admin/approvals/{request_id}/approve", json={}, headers=root)
    assert done.status_code == 200, done.text
    view = client.get(
        "/api/registry/pricing", params={"model": "acme-small"}, headers=admin
    ).json()["data"][0]
    assert view["markup"]["source"] == "model" and Decimal(view["markup"]["percent"]) == 55


def test_only_alert_writers_move_alerts(client: TestClient) -> None:
    from radiant.errors import PermissionDeniedError
    from radiant.pricing import store

    auditor = Principal(
        PrincipalKind.ADMIN,
        subject_id="a2",
        name="auditor@example.test",
        role=Role.AUDITOR,
        permissions=ROLE_PERMISSIONS[Role.AUDITOR],
    )
    engine = client.app.state.registry.engine  # type: ignore[attr-defined]
    with pytest.raises(PermissionDeniedError):
        store.acknowledge_alert(engine, auditor, 1)
    with pytest.raises(PermissionDeniedError):
        store.adjust_alert(engine, auditor, 1, Decimal(1), None)
    with pytest.raises(PermissionDeniedError):
        store.resolve_alert(engine, auditor, 1)
