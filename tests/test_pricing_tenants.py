"""Tenant terms price a request as the application runs: on PostgreSQL, through the
``radiant_app`` role that row-level security applies to."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import Bearer
from radiant.api.app import create_app
from radiant.catalog import load_catalog
from radiant.registry import Registry
from radiant.security import ROLE_PERMISSIONS, Principal, PrincipalKind, Role
from radiant.store.engine import make_engine
from radiant.store.migrate import upgrade
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
    upgrade(db_url)
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
