"""Routing rules over HTTP on SQLite and PostgreSQL: CRUD with ETags, permissions, bad input
as problem+json that changes nothing, audit rows, registry version bumps, the dry run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from conftest import migrate
from radiant.api.app import create_app
from radiant.catalog import load_catalog
from radiant.registry.service import Registry
from radiant.security import ROLE_PERMISSIONS, Principal, PrincipalKind, Role
from radiant.store.engine import make_engine
from radiant.store.repository import registry_version
from radiant.sync import sync_catalog
from selection_helpers import every_route_callable

PROBLEM = "application/problem+json"
BASE = "/api/v2/admin/routing-rules"
FIXTURES = Path(__file__).parent / "fixtures"
Bearer = Callable[[FastAPI, "Role | Principal"], dict[str, str]]


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    """The API over a synced small catalog, its engine running as the application role."""
    migrate(db_url)
    engine = make_engine(db_url, role="radiant_app")
    sync_catalog(engine, load_catalog(FIXTURES / "catalog_small"))
    # no adapter speaks the small catalog's made-up providers: every route counts as
    # callable in these tests of the rules (tests/test_selection_callable.py checks that)
    registry = Registry(engine, check_interval=0, route_check=lambda: every_route_callable)
    with TestClient(create_app(registry)) as test_client:
        yield test_client
    engine.dispose()


def _app(client: TestClient) -> FastAPI:
    app = client.app
    assert isinstance(app, FastAPI)
    return app


def _version(client: TestClient) -> int:
    registry: Registry = _app(client).state.registry
    return registry_version(registry.engine)


def _audit(client: TestClient, admin: dict[str, str], rule_id: str) -> list[dict[str, Any]]:
    params = {"resource_type": "routing_rule", "resource_id": rule_id}
    rows: list[dict[str, Any]] = client.get(
        "/api/v2/admin/audit", params=params, headers=admin
    ).json()["data"]
    return rows


def _tenant(client: TestClient, admin: dict[str, str], slug: str, tier: int) -> str:
    made = client.post(
        "/api/v2/admin/tenants", json={"name": slug, "slug": slug, "tier": tier}, headers=admin
    )
    assert made.status_code == 201, made.text
    tenant_id: str = made.json()["id"]
    return tenant_id


def test_crud_with_etags_audit_and_version_bumps(client: TestClient, bearer: Bearer) -> None:
    admin = bearer(_app(client), Role.ADMIN)
    before = _version(client)
    body = {
        "name": "large goes to small",
        "action": "route",
        "priority": 10,
        "conditions": {"models": ["acme-l*"], "min_tier": 2},
        "target_model": "acme/large",  # an alias: stored as the model's id
        "fallback_models": ["acme-small"],
    }
    made = client.post(BASE, json=body, headers=admin)
    assert made.status_code == 201, made.text
    rule = made.json()
    assert made.headers["etag"] == '"1"' and made.headers["location"] == f"{BASE}/{rule['id']}"
    assert rule["target_model"] == "acme-large" and rule["tenant_id"] is None
    assert rule["conditions"]["models"] == ["acme-l*"] and rule["created_by"] == (
        "admin@example.test"
    )
    assert _version(client) == before + 1
    assert client.get(f"{BASE}/{rule['id']}", headers=admin).json() == rule

    url = f"{BASE}/{rule['id']}"
    assert client.patch(url, json={"priority": 5}, headers=admin).status_code == 428
    ok = client.patch(url, json={"priority": 5}, headers={**admin, "If-Match": '"1"'})
    assert ok.status_code == 200 and ok.json()["priority"] == 5 and ok.headers["etag"] == '"2"'
    stale = client.patch(url, json={"priority": 7}, headers={**admin, "If-Match": '"1"'})
    assert stale.status_code == 412 and stale.headers["content-type"] == PROBLEM
    assert client.get(url, headers=admin).json()["priority"] == 5

    listed = client.get(BASE, headers=admin).json()
    assert listed == {"data": [ok.json()], "count": 1}

    assert client.delete(url, headers={**admin, "If-Match": '"1"'}).status_code == 412
    assert client.delete(url, headers={**admin, "If-Match": '"2"'}).status_code == 204
    assert client.get(url, headers=admin).status_code == 404
    assert _version(client) == before + 3

    actions = [row["action"] for row in _audit(client, admin, rule["id"])]
    assert actions == ["routing_rule.delete", "routing_rule.update", "routing_rule.create"]
    update_row = _audit(client, admin, rule["id"])[1]
    assert update_row["old_values"] == {"priority": 10}
    assert update_row["new_values"] == {"priority": 5}


def test_permissions(client: TestClient, bearer: Bearer) -> None:
    app = _app(client)
    auditor, operator, admin = (bearer(app, r) for r in (Role.AUDITOR, Role.OPERATOR, Role.ADMIN))
    body = {"name": "no paint", "action": "block", "conditions": {"models": ["acme-paint"]}}
    assert client.get(BASE).status_code == 401
    anonymous = client.post(BASE, json=body)
    assert anonymous.status_code == 401 and anonymous.headers["content-type"] == PROBLEM
    for who in (auditor, operator):
        refused = client.post(BASE, json=body, headers=who)
        assert refused.status_code == 403 and refused.headers["content-type"] == PROBLEM
    made = client.post(BASE, json=body, headers=admin)
    assert made.status_code == 201
    url = f"{BASE}/{made.json()['id']}"
    assert client.get(url, headers=auditor).status_code == 200
    assert client.get(BASE, headers=auditor).json()["count"] == 1
    patch = client.patch(url, json={"enabled": False}, headers={**operator, "If-Match": '"1"'})
    assert patch.status_code == 403
    assert client.delete(url, headers={**auditor, "If-Match": '"1"'}).status_code == 403
    assert client.get(url, headers=admin).json()["enabled"] is True


BAD_BODIES: list[dict[str, Any]] = [
    {"name": "x", "action": "route"},  # a route needs a target
    {"name": "x", "action": "block", "target_model": "acme-small"},
    {"name": "x", "action": "fallback"},  # without fallback models
    {"name": "x", "action": "rate_limit"},  # without limits
    {"name": "x", "action": "rate_limit", "rate_limit_rpm": 0},
    {"name": "x", "action": "teleport", "target_model": "acme-small"},
    {"name": "x", "action": "route", "target_model": "no-such-model"},
    {"name": "x", "action": "route", "target_provider": "no-such-provider"},
    {"name": "x", "action": "fallback", "fallback_models": ["nope"]},
    {"name": "x", "action": "block", "tenant_id": "no-such-tenant"},
    {"name": "x", "action": "block", "conditions": {"min_tier": 4, "max_tier": 2}},
    {"name": "x", "action": "block", "conditions": {"colour": "blue"}},
    {"name": "x", "action": "block", "conditions": {"tasks": ["juggling"]}},
    {"name": "x", "action": "block", "priority": -1},
    {"name": "x", "action": "block", "priority": 2**31},
    {"name": "", "action": "block"},
    {"name": "x", "action": "block", "owner": "me"},
    {"action": "block"},
]


def test_bad_input_is_a_problem_and_stores_nothing(client: TestClient, bearer: Bearer) -> None:
    admin = bearer(_app(client), Role.ADMIN)
    before = _version(client)
    for body in BAD_BODIES:
        response = client.post(BASE, json=body, headers=admin)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"] == PROBLEM
    assert client.get(BASE, headers=admin).json()["count"] == 0
    assert _version(client) == before


def test_bad_patches(client: TestClient, bearer: Bearer) -> None:
    admin = bearer(_app(client), Role.ADMIN)
    made = client.post(
        BASE,
        json={"name": "fb", "action": "fallback", "fallback_models": ["acme-small"]},
        headers=admin,
    ).json()
    url, match = f"{BASE}/{made['id']}", {**admin, "If-Match": '"1"'}
    # turning a fallback rule into a block keeps its fallback models: refused, nothing lost
    assert client.patch(url, json={"action": "block"}, headers=match).status_code == 422
    assert client.patch(url, json={}, headers=match).status_code == 422
    assert client.patch(url, json={"id": "other"}, headers=match).status_code == 422
    bad_etag = client.patch(url, json={"priority": 1}, headers={**admin, "If-Match": "abc"})
    assert bad_etag.status_code == 422
    assert client.get(url, headers=admin).json() == made
    missing = client.patch(f"{BASE}/nope", json={"priority": 1}, headers=match)
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
    # a valid change of action clears what the new action forbids
    change = {"action": "block", "fallback_models": None, "description": "maintenance"}
    changed = client.patch(url, json=change, headers=match)
    assert changed.status_code == 200, changed.text
    assert changed.json()["action"] == "block" and changed.json()["fallback_models"] == []


def test_tenant_rules_and_the_dry_run(client: TestClient, bearer: Bearer) -> None:
    admin = bearer(_app(client), Role.ADMIN)
    acme_id = _tenant(client, admin, "acme-co", 3)
    _tenant(client, admin, "other-co", 1)
    rules = [
        {
            "name": "global block paint",
            "action": "block",
            "priority": 50,
            "conditions": {"models": ["acme-paint"]},
            "description": "images are paused",
        },
        {
            "name": "acme large to small",
            "action": "route",
            "priority": 50,
            "tenant_id": "acme-co",
            "conditions": {"models": ["acme-*"], "max_estimated_tokens": 10_000},
            "target_model": "acme-small",
        },
        {
            "name": "global fallback",
            "action": "fallback",
            "priority": 100,
            "fallback_models": ["acme-large"],
        },
        {
            "name": "acme limit",
            "action": "rate_limit",
            "priority": 200,
            "tenant_id": acme_id,
            "rate_limit_rpm": 30,
        },
    ]
    made = [client.post(BASE, json=r, headers=admin) for r in rules]
    assert [m.status_code for m in made] == [201] * 4
    assert made[1].json()["tenant_id"] == acme_id  # the slug was resolved to the id

    mine = client.get(BASE, params={"tenant_id": "acme-co"}, headers=admin).json()
    # at equal priority the tenant's own rule comes before the global one
    assert [r["name"] for r in mine["data"]] == [
        "acme large to small",
        "global block paint",
        "global fallback",
        "acme limit",
    ]
    other = client.get(BASE, params={"tenant_id": "other-co"}, headers=admin).json()
    assert [r["name"] for r in other["data"]] == ["global block paint", "global fallback"]
    only_tenant = client.get(BASE, params={"scope": "tenant"}, headers=admin).json()
    assert only_tenant["count"] == 2

    small = {"tenant_id": "acme-co", "model": "acme/large", "estimated_tokens": 2000}
    result = client.post(f"{BASE}/evaluate", json=small, headers=admin).json()
    decision = result["decision"]
    assert decision["blocked"] is False and decision["target_model"] == "acme-small"
    assert decision["fallback_models"] == ["acme-large"] and decision["rate_limit_rpm"] == 30
    assert (
        result["request"]["tenant_tier"] == 3 and "acme-large" in result["request"]["model_names"]
    )
    assert [r["matched"] for r in result["rules"]] == [True, False, True, True]

    big = {**small, "estimated_tokens": 50_000}
    decision = client.post(f"{BASE}/evaluate", json=big, headers=admin).json()["decision"]
    assert decision["target_model"] is None and decision["fallback_models"] == ["acme-large"]

    paint = {"tenant_id": "other-co", "model": "acme-paint"}
    result = client.post(f"{BASE}/evaluate", json=paint, headers=admin).json()
    assert result["decision"]["blocked"] is True
    assert result["decision"]["reason"] == "images are paused"
    assert result["decision"]["rule_name"] == "global block paint"
    assert [r["applied"] for r in result["rules"]] == [True, False]

    unknown = client.post(f"{BASE}/evaluate", json={"tenant_id": "nobody"}, headers=admin)
    assert unknown.status_code == 404 and unknown.headers["content-type"] == PROBLEM
    assert (
        client.post(f"{BASE}/evaluate", json={"tenant_tier": 9}, headers=admin).status_code == 422
    )


def test_a_tenant_bound_administrator_sees_only_its_tenant(
    client: TestClient, bearer: Bearer
) -> None:
    app = _app(client)
    admin = bearer(app, Role.ADMIN)
    acme_id = _tenant(client, admin, "acme-co", 3)
    other_id = _tenant(client, admin, "other-co", 1)
    other_rule = {"name": "o", "action": "rate_limit", "tenant_id": other_id, "rate_limit_tpm": 9}
    hidden = client.post(BASE, json=other_rule, headers=admin).json()
    bound = bearer(
        app,
        Principal(
            PrincipalKind.ADMIN,
            subject_id="bound",
            name="bound@example.test",
            role=Role.ADMIN,
            tenant_id=acme_id,
            permissions=ROLE_PERMISSIONS[Role.ADMIN],
        ),
    )
    made = client.post(
        BASE, json={"name": "mine", "action": "rate_limit", "rate_limit_rpm": 5}, headers=bound
    )
    assert made.status_code == 201 and made.json()["tenant_id"] == acme_id
    assert [r["name"] for r in client.get(BASE, headers=bound).json()["data"]] == ["mine"]
    assert client.get(f"{BASE}/{hidden['id']}", headers=bound).status_code == 404
    global_rule = {"name": "g", "action": "rate_limit", "rate_limit_rpm": 5, "tenant_id": None}
    assert client.post(BASE, json=global_rule, headers=bound).status_code == 403


def test_selection_over_http_obeys_the_rules(client: TestClient, bearer: Bearer) -> None:
    admin = bearer(_app(client), Role.ADMIN)
    chat = {"task": "chat", "input_modalities": ["text"], "output_modalities": ["text"]}
    first = client.post("/api/registry/select", json=chat).json()["data"][0]["model_id"]
    assert first == "acme-small"
    route = {"name": "large first", "action": "route", "target_model": "acme-large"}
    assert client.post(BASE, json=route, headers=admin).status_code == 201
    routed = client.post("/api/registry/select", json=chat).json()["data"]
    assert [c["model_id"] for c in routed] == ["acme-large", "acme-small"]

    block = {
        "name": "images paused",
        "action": "block",
        "conditions": {"tasks": ["image"]},
        "description": "image generation is paused",
    }
    assert client.post(BASE, json=block, headers=admin).status_code == 201
    refused = client.post("/api/registry/select", json={"task": "image"})
    assert refused.status_code == 403 and refused.headers["content-type"] == PROBLEM
    assert "images paused" in refused.json()["detail"]
    assert "image generation is paused" in refused.json()["detail"]
    assert client.post("/api/registry/select", json=chat).status_code == 200
