"""The administration API over real SQLite and PostgreSQL stores."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from manage_helpers import seed
from radiant.api.app import create_app
from radiant.manage.administrators import AdminService
from radiant.registry.service import Registry
from radiant.security import Role

PROBLEM = "application/problem+json"


@pytest.fixture
def client(migrated: Engine, small_catalog: Path) -> Iterator[TestClient]:
    seed(migrated, small_catalog)
    with TestClient(create_app(Registry(migrated))) as test_client:
        yield test_client


def _auth(client: TestClient, role: Role, email: str | None = None) -> dict[str, str]:
    """A real administrator with a real token (through the token store)."""
    admins: AdminService = client.app.state.admins  # type: ignore[attr-defined]
    if admins.count() == 0:
        admins.create_admin(None, "root@example.test", "super_admin")
    from manage_helpers import ctx

    _, token = admins.create_admin(
        ctx(Role.SUPER_ADMIN), email or f"{role.value}@example.test", role.value
    )
    return {"Authorization": f"Bearer {token}"}


def _record(client: TestClient, path: str, headers: dict[str, str]) -> tuple[dict, str]:  # type: ignore[type-arg]
    response = client.get(f"/api/v2/admin/registry/{path}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json(), response.headers["ETag"]


def test_writes_need_a_token_then_the_permission(client: TestClient) -> None:
    body = {"description": "x"}
    anonymous = client.patch("/api/registry/models/acme-large", json=body)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == PROBLEM
    assert anonymous.headers["WWW-Authenticate"] == "Bearer"
    # 401 comes before body validation
    assert client.post("/api/registry/models", json={"nonsense": 1}).status_code == 401
    bogus = {"Authorization": "Bearer rad_00000000_nope"}
    assert (
        client.patch("/api/registry/models/acme-large", json=body, headers=bogus).status_code == 401
    )
    operator = _auth(client, Role.OPERATOR)
    _, tag = _record(client, "models/acme-large", operator)
    denied = client.patch(
        "/api/registry/models/acme-large", json=body, headers={**operator, "If-Match": tag}
    )
    assert denied.status_code == 403 and denied.headers["content-type"] == PROBLEM
    # reads stay open
    assert client.get("/api/registry/models/acme-large").status_code == 200


def test_etag_if_match_and_the_snapshot(client: TestClient) -> None:
    admin = _auth(client, Role.ADMIN)
    record, tag = _record(client, "models/acme-large", admin)
    assert tag == f'"{record["row_version"]}"'
    missing = client.patch(
        "/api/registry/models/acme-large", json={"quality_score": 90}, headers=admin
    )
    assert missing.status_code == 428
    ok = client.patch(
        "/api/registry/models/acme-large",
        json={"quality_score": 90},
        headers={**admin, "If-Match": tag, "X-Request-ID": "req-42"},
    )
    assert ok.status_code == 200, ok.text
    assert ok.headers["X-Request-ID"] == "req-42"
    new_tag = ok.headers["ETag"]
    assert new_tag != tag and ok.json()["data"]["quality_score"] == 90
    assert client.get("/api/registry/models/acme-large").json()["quality_score"] == 90
    stale = client.patch(
        "/api/registry/models/acme-large",
        json={"quality_score": 10},
        headers={**admin, "If-Match": tag},
    )
    assert stale.status_code == 412 and stale.headers["ETag"] == new_tag
    assert stale.json()["current_version"] == new_tag.strip('"')
    bad = client.patch(
        "/api/registry/models/acme-large",
        json={"quality_score": 400},
        headers={**admin, "If-Match": new_tag},
    )
    assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM
    unknown = client.patch(
        "/api/registry/models/acme-large",
        json={"colour": "red"},
        headers={**admin, "If-Match": new_tag},
    )
    assert unknown.status_code == 422
    audit = client.get("/api/v2/admin/audit", params={"request_id": "req-42"}, headers=admin).json()
    assert audit["total"] == 1
    entry = audit["data"][0]
    assert entry["action"] == "model.update" and entry["resource_id"] == "acme-large"
    assert entry["old_values"] == {"quality_score": None}
    assert Decimal(str(entry["new_values"]["quality_score"])) == 90  # numbers read back exact
    assert entry["actor"]["name"] == "admin@example.test"
    assert entry["ip_address"] == "testclient"


def test_patch_endpoints(client: TestClient) -> None:
    admin = _auth(client, Role.ADMIN)
    _, tag = _record(client, "models/acme-large", admin)
    priced = client.patch(
        "/api/registry/models/acme-large/pricing",
        json={"input_cost": "0.05", "output_cost": 0.15},
        headers={**admin, "If-Match": tag},
    )
    assert priced.status_code == 200, priced.text
    routes = client.get("/api/registry/models/acme-large/routes").json()["data"]
    direct = next(r for r in routes if r["platform"] == "direct")
    # clients see the price: the new cost with the default 40 % markup
    assert Decimal(direct["price"]["input_per_1m"]) == Decimal("0.05") * Decimal("1.4")
    tag = priced.headers["ETag"]
    caps = client.patch(
        "/api/registry/models/acme-large/capabilities",
        json={"operation": "add", "capability": "function_calling_v2", "value": True},
        headers={**admin, "If-Match": tag},
    )
    assert caps.status_code == 200 and "function_calling_v2" in caps.json()["data"]["capabilities"]
    status = client.patch(
        "/api/registry/models/acme-large/status",
        json={
            "status": "deprecated",
            "deprecation_date": "2024-12-31",
            "migration_guide": "Use acme-small instead",
            "successor_id": "acme-small",
        },
        headers={**admin, "If-Match": caps.headers["ETag"]},
    )
    assert status.status_code == 200, status.text
    shown = client.get("/api/registry/models/acme-large").json()
    assert shown["deprecated"] is True and shown["successor_id"] == "acme-small"
    # route priority: an operator may do it, and sees no cost in the answer
    operator = _auth(client, Role.OPERATOR)
    route, rtag = _record(client, "routes/acme-large@hostco", operator)
    assert "price" not in route["data"]
    moved = client.patch(
        "/api/registry/routes/acme-large@hostco/priority",
        json={"priority": 7},
        headers={**operator, "If-Match": rtag},
    )
    assert moved.status_code == 200 and moved.json()["data"]["priority"] == 7
    assert "price" not in moved.json()["data"]


def test_create_and_delete_over_http(client: TestClient) -> None:
    admin = _auth(client, Role.ADMIN)
    made = client.post(
        "/api/registry/platforms",
        json={"id": "edge", "name": "Edge", "kind": "local"},
        headers=admin,
    )
    assert made.status_code == 201 and made.headers["ETag"] == '"1"'
    assert made.headers["Location"] == "/api/v2/admin/registry/platforms/edge"
    assert client.get("/api/registry/platforms/edge").json()["name"] == "Edge"
    dup = client.post(
        "/api/registry/platforms", json={"id": "edge", "name": "E", "kind": "local"}, headers=admin
    )
    assert dup.status_code == 409
    gone = client.delete("/api/registry/platforms/edge", headers={**admin, "If-Match": '"1"'})
    assert gone.status_code == 204
    assert client.get("/api/registry/platforms/edge").status_code == 404
    # a referenced platform is retired instead
    _, tag = _record(client, "platforms/hostco", admin)
    kept = client.delete("/api/registry/platforms/hostco", headers={**admin, "If-Match": tag})
    assert kept.status_code == 200 and kept.json()["retired"] is True
    assert client.get("/api/registry/platforms/hostco").json()["status"] == "inactive"


def test_audit_rows_cannot_be_changed_through_the_api(client: TestClient) -> None:
    admin = _auth(client, Role.ADMIN)
    page = client.get("/api/v2/admin/audit", headers=admin).json()
    assert page["total"] >= 1  # creating the administrators was audited
    first = page["data"][0]["id"]
    assert client.get(f"/api/v2/admin/audit/{first}", headers=admin).status_code == 200
    for method in ("PUT", "PATCH", "DELETE"):
        for path in ("/api/v2/admin/audit", f"/api/v2/admin/audit/{first}"):
            response = client.request(method, path, headers=admin, json={})
            assert response.status_code == 405, (method, path)
    assert client.get("/api/v2/admin/audit").status_code == 401
    two = client.get("/api/v2/admin/audit", params={"limit": 1, "offset": 1}, headers=admin).json()
    assert two["count"] == 1 and two["data"][0]["id"] != first


def test_reads_can_be_closed(migrated: Engine, small_catalog: Path) -> None:
    seed(migrated, small_catalog)
    app = create_app(Registry(migrated), require_auth_for_reads=True)
    with TestClient(app) as closed:
        assert closed.get("/api/registry/models").status_code == 401
        assert closed.get("/v1/models").status_code == 401
        assert closed.get("/healthz").status_code == 200
        auditor = _auth(closed, Role.AUDITOR)
        assert closed.get("/api/registry/models", headers=auditor).status_code == 200


def test_invitations_over_http_accept_once(client: TestClient) -> None:
    root = _auth(client, Role.SUPER_ADMIN, "boss@example.test")
    admin = _auth(client, Role.ADMIN)
    body = {"email": "new@example.test", "role": "operator", "hours": 2}
    assert client.post("/api/v2/admin/invitations", json=body, headers=admin).status_code == 403
    sent = client.post("/api/v2/admin/invitations", json=body, headers=root)
    assert sent.status_code == 201
    secret = sent.json()["token"]
    listed = client.get("/api/v2/admin/invitations", headers=root).json()
    assert secret not in str(listed)  # only its hash is stored

    accepted = client.post(
        "/api/v2/admin/invitations/accept", json={"token": secret, "first_name": "Nia"}
    )
    assert accepted.status_code == 201
    new_token = {"Authorization": f"Bearer {accepted.json()['token']}"}
    me = client.get("/api/v2/admin/me", headers=new_token).json()
    assert "new@example.test" in str(me) and "operator" in str(me)

    again = client.post("/api/v2/admin/invitations/accept", json={"token": secret})
    assert 400 <= again.status_code < 500
    assert again.headers["content-type"].startswith(PROBLEM)
    wrong = client.post("/api/v2/admin/invitations/accept", json={"token": "x" * 40})
    assert 400 <= wrong.status_code < 500


def test_a_route_id_takes_any_name_of_its_model(client: TestClient) -> None:
    """``/routes/{MODEL@PLATFORM}`` with MODEL any name the registry resolves; a 404
    problem that says what is missing when nothing matches."""
    admin = _auth(client, Role.ADMIN)
    route, tag = _record(client, "routes/acme:acme-large@hostco", admin)
    assert route["id"] == "acme-large@hostco"
    moved = client.patch(
        "/api/registry/routes/acme-large-2025-01-01@hostco/priority",
        json={"priority": 6},
        headers={**admin, "If-Match": tag},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["id"] == "acme-large@hostco" and moved.json()["data"]["priority"] == 6
    for name, detail in (
        (
            "acme-large@nowhere",
            "model 'acme-large' has routes on direct, hostco, none on 'nowhere'",
        ),
        ("nosuch@direct", "no model is named 'nosuch'"),
    ):
        missing = client.patch(
            f"/api/registry/routes/{name}/priority",
            json={"priority": 2},
            headers={**admin, "If-Match": '"1"'},
        )
        assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
        assert missing.json()["detail"] == f"route {name!r} not found: {detail}"


def test_a_body_that_is_not_json_is_told_so(client: TestClient) -> None:
    """curl's ``-d`` without ``-H 'Content-Type: application/json'`` sends a form: the
    422 says the body must be JSON, not what FastAPI found in the raw text."""
    admin = _auth(client, Role.ADMIN)
    _, tag = _record(client, "models/acme-large", admin)
    path = "/api/registry/models/acme-large/pricing"
    body = '{"input_cost": "2.5", "output_cost": "10"}'
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    sent = client.patch(path, content=body, headers={**admin, "If-Match": tag, **form})
    assert sent.status_code == 422 and sent.headers["content-type"] == PROBLEM
    assert sent.json()["detail"] == (
        "the body must be JSON, sent with Content-Type: application/json "
        "(it was sent as 'application/x-www-form-urlencoded')"
    )
    broken = client.patch(
        path,
        content=body[:-1],
        headers={**admin, "If-Match": tag, "Content-Type": "application/json"},
    )
    assert broken.status_code == 422
    assert broken.json()["detail"].startswith("the body is not valid JSON: ")
    good = {**admin, "If-Match": tag, "Content-Type": "application/json"}
    assert client.patch(path, content=body, headers=good).status_code == 200
