"""Reviewing discovered models over HTTP and from the CLI (real SQLite and PostgreSQL
stores, a fake upstream on 127.0.0.1): pending -> approved -> in the registry's listings;
ignored for good; permissions; the approval policy; one-line CLI errors."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from cli_in_process import run_radiant
from conftest import migrate
from discovery_catalog import seed_catalog
from discovery_fakes import KEY, Upstream, anthropic_model, gemini_model, openrouter_model, serve
from manage_helpers import ctx
from radiant.api.app import create_app
from radiant.manage.administrators import AdminService
from radiant.manage.policy import set_policy
from radiant.registry.service import Registry
from radiant.security import Role
from radiant.store.engine import make_engine
from radiant.store.tables import ModelRow
from radiant.sync.discovery.http import RetryPolicy
from radiant.sync.jobs import JOBS, JobContext, JobResult

pytestmark = pytest.mark.slow
PROBLEM = "application/problem+json"
BASE = "/api/v2/admin/discovery"


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    up = Upstream(
        anthropic=[
            anthropic_model("claude-one-20250101"),
            anthropic_model("claude-two"),
            anthropic_model("claude-three"),
        ],
        gemini=[gemini_model("gemini-pro"), gemini_model("gemini-ultra")],
        openrouter=[
            openrouter_model("anthropic/claude-one"),
            openrouter_model("vendor/newbie", "0.000002", "0.000008"),
        ],
    )
    yield from serve(up)


def discover(engine: Engine) -> JobResult:
    import radiant.sync.discovery.job  # noqa: F401  (registers the job)

    options = {"retry": RetryPolicy(attempts=1), "endpoint_lookups": 0}
    return JOBS["discovery"](engine, JobContext(sync_id=str(uuid.uuid4()), options=options))


def discovered(
    engine: Engine, upstream: Upstream, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_catalog(engine, tmp_path / "catalog", upstream.base)
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.setenv("OPENROUTER_API_KEY", KEY)
    monkeypatch.setenv("RADIANT_PROVIDERS_GOOGLE", KEY)
    assert discover(engine).counts["models_discovered"] == 3


@pytest.fixture
def client(
    migrated: Engine, upstream: Upstream, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    discovered(migrated, upstream, tmp_path, monkeypatch)
    with TestClient(create_app(Registry(migrated))) as test_client:
        yield test_client


def auth(client: TestClient, role: Role) -> dict[str, str]:
    admins: AdminService = client.app.state.admins  # type: ignore[attr-defined]
    if admins.count() == 0:
        admins.create_admin(None, "root@example.test", "super_admin")
    _, token = admins.create_admin(ctx(Role.SUPER_ADMIN), f"{role.value}@example.test", role.value)
    return {"Authorization": f"Bearer {token}"}


def item_id(client: TestClient, headers: dict[str, str], upstream_id: str) -> int:
    body = client.get(BASE, params={"status": "all", "q": upstream_id}, headers=headers).json()
    (item,) = [i for i in body["data"] if i["upstream_id"] == upstream_id]
    return int(item["id"])


def test_pending_then_approved_then_listed(client: TestClient, upstream: Upstream) -> None:
    assert client.get("/api/registry/models/claude-three").status_code == 404
    anonymous = client.get(BASE)
    assert anonymous.status_code == 401 and anonymous.headers["content-type"] == PROBLEM
    auditor, admin = auth(client, Role.AUDITOR), auth(client, Role.ADMIN)

    listed = client.get(BASE, headers=auditor).json()
    assert listed["count"] == listed["total"] == 3
    assert {i["upstream_id"] for i in listed["data"]} == {
        "claude-three",
        "gemini-ultra",
        "vendor/newbie",
    }
    # costs only for those who may read them
    newbie = next(i for i in listed["data"] if i["upstream_id"] == "vendor/newbie")
    assert newbie["prices_per_1m"] is None and "pricing" not in newbie["raw"]
    newbie = client.get(f"{BASE}/{newbie['id']}", headers=admin).json()
    assert newbie["prices_per_1m"]["input_per_1m"] == "2"

    three = item_id(client, admin, "claude-three")
    denied = client.post(f"{BASE}/{three}/approve", headers=auditor, json={})
    assert denied.status_code == 403 and denied.headers["content-type"] == PROBLEM

    done = client.post(
        f"{BASE}/{three}/approve",
        headers=admin,
        json={"model": {"display_name": "Claude Three"}, "notes": "new flagship"},
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "approved"
    assert done.json()["result"] == {"model_id": "claude-three", "route_id": "claude-three@direct"}

    model = client.get("/api/registry/models/claude-three").json()
    assert model["display_name"] == "Claude Three" and model["provider"] == "anthropic"
    routes = client.get("/api/registry/models/claude-three/routes").json()["data"]
    assert [(r["platform"], r["model_string"]) for r in routes] == [("direct", "claude-three")]
    listing = client.get("/api/registry/models", params={"provider": "anthropic"}).json()
    assert "claude-three" in {m["id"] for m in listing["data"]}
    assert client.get(BASE, headers=admin).json()["count"] == 2

    again = client.post(f"{BASE}/{three}/approve", headers=admin, json={})
    assert again.status_code == 409 and again.headers["content-type"] == PROBLEM
    audit = client.get(
        "/api/v2/admin/audit", params={"action": "discovery.approve"}, headers=admin
    ).json()
    assert audit["count"] == 1

    # only the overridden field is the administrator's: discovery may still retire it
    engine = client.app.state.registry.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        row = session.get(ModelRow, "claude-three")
        assert row is not None and row.admin_fields == ["display_name"]
    upstream.anthropic.pop()  # claude-three is gone again
    discover(engine)
    assert discover(engine).counts["models_deprecated"] == 1
    assert client.get("/api/registry/models/claude-three").json()["display_name"] == "Claude Three"


def test_approving_needs_a_provider_when_upstream_gives_none(client: TestClient) -> None:
    admin = auth(client, Role.ADMIN)
    newbie = item_id(client, admin, "vendor/newbie")
    missing = client.post(f"{BASE}/{newbie}/approve", headers=admin, json={})
    assert missing.status_code == 422 and "provider_id" in missing.json()["detail"]
    wrong = client.post(f"{BASE}/{newbie}/approve", headers=admin, json={"modle": {}})
    assert wrong.status_code == 422
    bad = client.post(
        f"{BASE}/{newbie}/approve", headers=admin, json={"model": {"provider_id": "nobody"}}
    )
    assert bad.status_code in (404, 409, 422) and bad.headers["content-type"] == PROBLEM
    assert client.get(f"{BASE}/{newbie}", headers=admin).json()["status"] == "pending"

    done = client.post(
        f"{BASE}/{newbie}/approve",
        headers=admin,
        json={"model": {"provider_id": "acme", "id": "newbie"}, "price": {"output_per_1m": "9"}},
    )
    assert done.status_code == 200, done.text
    routes = client.get("/api/registry/models/newbie/routes", headers=admin).json()["data"]
    (route,) = routes
    assert route["model_string"] == "vendor/newbie" and route["platform"] == "openrouter"
    cost = route["cost"]
    assert (cost["input_per_1m"], cost["output_per_1m"]) == ("2", "9")  # upstream's, admin's
    assert cost["source"] == "provider_api"


def test_ignored_models_are_not_suggested_again(client: TestClient) -> None:
    admin = auth(client, Role.ADMIN)
    ultra = item_id(client, admin, "gemini-ultra")
    done = client.post(f"{BASE}/{ultra}/ignore", headers=admin, json={"notes": "not for us"})
    assert done.status_code == 200 and done.json()["status"] == "ignored"
    engine = client.app.state.registry.engine  # type: ignore[attr-defined]
    assert discover(engine).counts["models_discovered"] == 0
    pending = client.get(BASE, headers=admin).json()
    assert "gemini-ultra" not in {i["upstream_id"] for i in pending["data"]}
    ignored = client.get(BASE, params={"status": "ignored"}, headers=admin).json()
    assert [i["upstream_id"] for i in ignored["data"]] == ["gemini-ultra"]
    assert ignored["data"][0]["decision_notes"] == "not for us"

    assert client.get(f"{BASE}/999999", headers=admin).status_code == 404
    assert client.get(f"{BASE}/0", headers=admin).status_code == 422
    assert client.get(f"{BASE}/99999999999", headers=admin).status_code == 422
    assert client.get(BASE, params={"status": "maybe"}, headers=admin).status_code == 422


def test_the_approval_policy_holds_an_approval_for_a_second_administrator(
    client: TestClient,
) -> None:
    admin = auth(client, Role.ADMIN)
    engine = client.app.state.registry.engine  # type: ignore[attr-defined]
    set_policy(engine, ctx(Role.SUPER_ADMIN), "model_activation", requires_approval=True)
    three = item_id(client, admin, "claude-three")
    # an invalid promotion is refused at once, as without the policy: nothing waits
    bad = client.post(
        f"{BASE}/{three}/approve", headers=admin, json={"model": {"context_window": -5}}
    )
    assert bad.status_code == 422, bad.text
    pending = client.get("/api/v2/admin/approvals", params={"status": "pending"}, headers=admin)
    assert pending.json()["total"] == 0
    held = client.post(f"{BASE}/{three}/approve", headers=admin, json={})
    assert held.status_code == 202, held.text
    body = held.json()
    assert body["status"] == "pending_approval" and body["item"]["status"] == "pending"
    assert client.get("/api/registry/models/claude-three").status_code == 404
    twice = client.post(f"{BASE}/{three}/approve", headers=admin, json={})
    assert twice.status_code == 409 and "waits for approval" in twice.json()["detail"]

    second = auth(client, Role.SUPER_ADMIN)
    for request in body["approvals"]:  # the model first, then its route
        granted = client.post(f"/api/v2/admin/approvals/{request['id']}/approve", headers=second)
        assert granted.status_code == 200, granted.text
    routes = client.get("/api/registry/models/claude-three/routes").json()["data"]
    assert [r["model_string"] for r in routes] == ["claude-three"]
    discover(engine)  # the next run finds it registered and closes the item
    closed = client.get(f"{BASE}/{three}", headers=admin).json()
    assert closed["status"] == "approved" and closed["result"] == {"model_id": "claude-three"}


def _cli(url: str, *args: str, token: str | None = None, code: int = 0) -> str:
    env = {**os.environ, "RADIANT_DATABASE_URL": url, "COLUMNS": "200"}
    env.pop("RADIANT_TOKEN", None)
    if token:
        env["RADIANT_TOKEN"] = token
    result = run_radiant(args, env=env)
    assert result.returncode == code, (args, result.stdout, result.stderr)
    return result.stdout + result.stderr


def test_the_cli_reviews_like_the_api(
    sqlite_db: str, upstream: Upstream, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate(sqlite_db)
    engine = make_engine(sqlite_db)
    discovered(engine, upstream, tmp_path, monkeypatch)
    admins = AdminService(engine)
    _, root = admins.create_admin(None, "root@example.test", "super_admin")
    _, auditor = admins.create_admin(ctx(Role.SUPER_ADMIN), "a@example.test", "auditor")
    engine.dispose()

    denied = _cli(sqlite_db, "discovery", "list", code=6)
    assert denied.startswith("error: ") and denied.count("\n") == 1
    rows: list[dict[str, Any]] = json.loads(
        _cli(sqlite_db, "discovery", "list", "--json", token=auditor)
    )["data"]
    ids = {r["upstream_id"]: r["id"] for r in rows}
    assert set(ids) == {"claude-three", "gemini-ultra", "vendor/newbie"}
    table = _cli(sqlite_db, "discovery", "list", token=root)
    assert "vendor/newbie" in table and "$2 / $8" in table
    shown = _cli(sqlite_db, "discovery", "show", str(ids["gemini-ultra"]), token=auditor)
    assert "suggested id:  gemini-ultra (provider google)" in shown

    refused = _cli(
        sqlite_db, "discovery", "approve", str(ids["claude-three"]), token=auditor, code=6
    )
    assert "lacks the permission" in refused and refused.count("\n") == 1
    out = _cli(
        sqlite_db,
        "discovery",
        "approve",
        str(ids["claude-three"]),
        "--model",
        "display_name=Claude 3",
        token=root,
    )
    assert out.strip() == "approved: model claude-three, route claude-three@direct"
    assert "Claude 3" in _cli(sqlite_db, "models", "show", "claude-three")
    out = _cli(sqlite_db, "discovery", "ignore", str(ids["gemini-ultra"]), token=root)
    assert out.strip() == "ignored: gemini-ultra on direct"
    missing = _cli(sqlite_db, "discovery", "show", "4242", token=root, code=3)
    assert missing == "error: discovered model '4242' not found\n"


BAD_APPROVALS: list[tuple[dict[str, Any], int]] = [
    ({"model": {"context_window": -5}}, 422),
    ({"model": {"id": "Not An Id"}}, 422),
    ({"model": {"id": "claude-one"}}, 409),  # that model exists
    ({"model": {"aliases": ["claude-one"]}}, 409),  # the id of another model
    ({"model": {"provider_id": "nobody"}}, 422),
    ({"model": {"max_output_tokens": 10**12}}, 422),
    ({"model": {"capabilities": "chat"}}, 422),
    ({"route": {"priority": 0}}, 422),
    ({"route": {"regions": 5}}, 422),
    ({"price": {"input_per_1m": "abc"}}, 422),
    ({"price": {"pricing_type": "per_galaxy"}}, 422),
    ({"price": "cheap"}, 422),
    ({"model": []}, 422),
    ({"nonsense": 1}, 422),
]


def test_bad_overrides_are_4xx_and_change_nothing(client: TestClient) -> None:
    admin = auth(client, Role.ADMIN)
    three = item_id(client, admin, "claude-three")
    version = client.get("/healthz").json()["registry_version"]
    for body, status in BAD_APPROVALS:
        answer = client.post(f"{BASE}/{three}/approve", headers=admin, json=body)
        assert answer.status_code == status, (body, answer.text)
        assert answer.headers["content-type"] == PROBLEM
    assert client.get(f"{BASE}/{three}", headers=admin).json()["status"] == "pending"
    assert client.get("/healthz").json()["registry_version"] == version
    assert client.get("/api/registry/models/claude-three").status_code == 404
