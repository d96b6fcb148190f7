"""Tenant administration over HTTP, and ``/v1/models`` seen through a tenant's API key."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from conftest import migrate
from radiant.api.app import create_app
from radiant.catalog import load_catalog
from radiant.registry.service import Registry
from radiant.security import Principal, Role
from radiant.store.engine import make_engine
from radiant.sync import sync_catalog

PROBLEM = "application/problem+json"
BASE = "/api/v2/admin/tenants"
FIXTURES = Path(__file__).parent / "fixtures"
Bearer = Callable[[FastAPI, "Role | Principal"], dict[str, str]]


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    """The API over a synced store, its engine running as the application role."""
    migrate(db_url)
    engine = make_engine(db_url, role="radiant_app")
    sync_catalog(engine, load_catalog(FIXTURES / "catalog_small"))
    with TestClient(create_app(Registry(engine, check_interval=0))) as test_client:
        yield test_client
    engine.dispose()


def _app(client: TestClient) -> FastAPI:
    app = client.app
    assert isinstance(app, FastAPI)
    return app


def test_tenant_crud_with_etags(client: TestClient, bearer: Bearer) -> None:
    admin = bearer(_app(client), Role.ADMIN)
    made = client.post(BASE, json={"name": "Acme", "slug": "acme", "tier": 2}, headers=admin)
    assert made.status_code == 201 and made.headers["etag"] == '"1"'
    tenant = made.json()
    assert client.get(made.headers["location"], headers=admin).json() == tenant

    no_match = client.patch(f"{BASE}/acme", json={"tier": 3}, headers=admin)
    assert no_match.status_code == 428
    ok = client.patch(f"{BASE}/acme", json={"tier": 3}, headers={**admin, "If-Match": '"1"'})
    assert ok.status_code == 200 and ok.json()["tier"] == 3 and ok.headers["etag"] == '"2"'
    stale = client.patch(f"{BASE}/acme", json={"tier": 4}, headers={**admin, "If-Match": '"1"'})
    assert stale.status_code == 412 and stale.headers["etag"] == '"2"'

    gone = client.delete(f"{BASE}/acme", headers={**admin, "If-Match": '"2"'})
    assert gone.status_code == 200 and gone.json()["status"] == "cancelled"
    assert client.get(BASE, headers=admin).json()["count"] == 0
    listed = client.get(BASE, params={"include_deleted": True}, headers=admin).json()
    assert [t["slug"] for t in listed["data"]] == ["acme"]


def test_permissions(client: TestClient, bearer: Bearer) -> None:
    app = _app(client)
    auditor = bearer(app, Role.AUDITOR)
    assert client.get(BASE).status_code == 401
    assert client.get(BASE, headers=auditor).status_code == 200
    refused = client.post(BASE, json={"name": "A", "slug": "a"}, headers=auditor)
    assert refused.status_code == 403 and refused.headers["content-type"] == PROBLEM
    admin = bearer(app, Role.ADMIN)
    client.post(BASE, json={"name": "A", "slug": "a"}, headers=admin)
    grant = {"model_id": "acme-large", "custom_markup_percent": "20"}
    assert client.post(f"{BASE}/a/models", json=grant, headers=admin).status_code == 201
    # auditors see grants but not markups (a markup tells the margin)
    [seen] = client.get(f"{BASE}/a/models", headers=auditor).json()["data"]
    assert "custom_markup_percent" not in seen
    [full] = client.get(f"{BASE}/a/models", headers=admin).json()["data"]
    assert full["custom_markup_percent"] == "20"


BAD_REQUESTS: list[tuple[str, str, dict[str, object] | None, int]] = [
    ("post", BASE, {"name": "B", "slug": "acme"}, 409),
    ("post", BASE, {"name": "B", "slug": "Bad Slug"}, 422),
    ("post", BASE, {"name": "B", "slug": "b", "tier": 9}, 422),
    ("post", BASE, {"name": "B", "slug": "b", "colour": "red"}, 422),
    ("post", f"{BASE}/acme/models", {"model_id": "acme-largo"}, 404),
    ("post", f"{BASE}/acme/models", {"model_id": "tiny-detector"}, 422),
    ("post", f"{BASE}/acme/models", {"model_id": "acme-small", "rate_limit_rpm": 0}, 422),
    ("post", f"{BASE}/acme/models", {"model_id": "acme-small", "enabled": "maybe"}, 422),
    ("post", f"{BASE}/acme/models", {"model_id": "acme-small", "custom_markup_percent": -1}, 422),
    ("post", f"{BASE}/acme/keys", {"name": "k", "scopes": ["root"]}, 422),
    ("post", f"{BASE}/acme/keys", {"name": "k", "expires_at": "2001-01-01T00:00:00Z"}, 422),
    ("post", f"{BASE}/nobody/keys", {"name": "k"}, 404),
    ("patch", f"{BASE}/acme", {"tier": "high"}, 422),
    ("get", f"{BASE}/acme/models/acme-small", None, 404),
    ("get", f"{BASE}/acme/keys/nope", None, 404),
]


def test_bad_input_is_a_problem_and_stores_nothing(client: TestClient, bearer: Bearer) -> None:
    admin = bearer(_app(client), Role.ADMIN)
    client.post(BASE, json={"name": "Acme", "slug": "acme"}, headers=admin)
    for method, path, body, status in BAD_REQUESTS:
        headers = {**admin, "If-Match": '"1"'} if method == "patch" else admin
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == status, (path, body, response.text)
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["status"] == status
    [acme] = client.get(BASE, headers=admin).json()["data"]
    assert acme["row_version"] == 1 and acme["tier"] == 1
    assert client.get(f"{BASE}/acme/models", headers=admin).json()["count"] == 0
    assert client.get(f"{BASE}/acme/keys", headers=admin).json()["count"] == 0


def test_v1_models_with_a_tenant_key(client: TestClient, bearer: Bearer) -> None:
    admin = bearer(_app(client), Role.ADMIN)
    everything = {m["id"] for m in client.get("/v1/models").json()["data"]}
    assert {"acme-large", "acme-small"} <= everything

    for slug in ("a", "b"):
        client.post(BASE, json={"name": slug.upper(), "slug": slug}, headers=admin)
    client.post(f"{BASE}/a/models", json={"model_id": "acme/large"}, headers=admin)  # an alias
    client.post(f"{BASE}/b/models", json={"model_id": "acme-small"}, headers=admin)
    client.post(
        f"{BASE}/a/models", json={"model_id": "acme-small", "enabled": False}, headers=admin
    )
    issued = client.post(f"{BASE}/a/keys", json={"name": "ci"}, headers=admin)
    assert issued.status_code == 201 and issued.headers["cache-control"] == "no-store"
    secret = issued.json()["key"]
    key_id = issued.json()["id"]
    a_key = {"Authorization": f"Bearer {secret}"}

    listed = client.get("/v1/models", headers=a_key).json()
    assert [m["id"] for m in listed["data"]] == ["acme-large"]
    assert client.get("/v1/models/acme-large", headers=a_key).json()["id"] == "acme-large"
    hidden = client.get("/v1/models/acme-small", headers=a_key)
    assert hidden.status_code == 404 and not hidden.json()["suggestions"]
    assert client.get("/v1/models/acme-small").status_code == 200  # without a key: as before

    # the secret is never shown again, and tenant keys cannot administer
    keys = client.get(f"{BASE}/a/keys", headers=admin).json()["data"]
    assert secret not in str(keys) and keys[0]["usage_count"] == 3
    assert client.get(BASE, headers=a_key).status_code == 403

    revoke = client.delete(f"{BASE}/a/keys/{key_id}", headers={**admin, "If-Match": '"1"'})
    assert revoke.json()["status"] == "revoked"
    refused = client.get("/v1/models", headers=a_key)
    assert refused.status_code == 401
    # the OpenAI shape the gateway's own errors have: a word for a code, OpenAI's type
    assert refused.json()["error"] == {
        "message": refused.json()["detail"],
        "type": "authentication_error",
        "code": "invalid_api_key",
        "param": None,
    }


def test_access_update_and_revoke(client: TestClient, bearer: Bearer) -> None:
    admin = bearer(_app(client), Role.ADMIN)
    client.post(BASE, json={"name": "A", "slug": "a"}, headers=admin)
    made = client.post(
        f"{BASE}/a/models",
        json={"model_id": "acme-small", "custom_input_price_per_1m": "0.25"},
        headers=admin,
    )
    assert made.json()["custom_input_price_per_1m"] == "0.25"
    url = f"{BASE}/a/models/acme-small"
    changed = client.patch(
        url,
        json={"custom_input_price_per_1m": None, "rate_limit_tpm": 5000},
        headers={**admin, "If-Match": made.headers["etag"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["custom_input_price_per_1m"] is None
    assert changed.json()["rate_limit_tpm"] == 5000
    assert client.delete(url, headers={**admin, "If-Match": '"1"'}).status_code == 412
    assert client.delete(url, headers={**admin, "If-Match": '"2"'}).status_code == 204
    assert client.get(url, headers=admin).status_code == 404


def test_tenant_writes_are_audited_with_request_and_client(
    client: TestClient, bearer: Bearer
) -> None:
    admin = bearer(_app(client), Role.ADMIN)
    auditor = bearer(_app(client), Role.AUDITOR)
    created = client.post(
        BASE, json={"name": "Acme", "slug": "acme"}, headers={**admin, "X-Request-ID": "req-42"}
    )
    assert created.headers["x-request-id"] == "req-42"
    tenant_id = created.json()["id"]
    client.patch(f"{BASE}/acme", json={"tier": 2}, headers={**admin, "If-Match": '"1"'})
    client.post(f"{BASE}/acme/models", json={"model_id": "acme-small"}, headers=admin)
    secret = client.post(f"{BASE}/acme/keys", json={"name": "ci"}, headers=admin).json()["key"]

    log = client.get("/api/v2/admin/audit", params={"limit": 50}, headers=auditor).json()
    rows = {row["action"]: row for row in log["data"]}
    assert {"tenant.create", "tenant.update", "tenant.access.grant", "tenant.key.issue"} <= set(
        rows
    )
    create = rows["tenant.create"]
    assert create["request_id"] == "req-42" and create["resource_id"] == tenant_id
    assert create["new_values"]["slug"] == "acme" and create["old_values"] is None
    assert create["ip_address"] == "testclient"
    assert create["actor"]["id"] == "test-admin" and create["actor"]["role"] == "admin"
    assert rows["tenant.update"]["old_values"] == {"tier": 1}
    assert rows["tenant.update"]["new_values"] == {"tier": 2}
    assert secret not in str(log)  # a key's secret never reaches the audit log
