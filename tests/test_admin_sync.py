"""``POST /api/v2/admin/registry/sync``: 202 with the sync id, the sync runs in the background."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from conftest import Bearer
from radiant.api.app import create_app
from radiant.registry.service import Registry
from radiant.security import Role
from radiant.sync import start_sync_log

SYNC = "/api/v2/admin/registry/sync"


@pytest.fixture
def client(migrated: Engine, small_catalog: Path) -> Iterator[TestClient]:
    registry = Registry(migrated, check_interval=0, catalog_dir=small_catalog)
    with TestClient(create_app(registry)) as test_client:
        yield test_client


def test_a_sync_is_accepted_runs_in_the_background_and_is_recorded(
    client: TestClient, bearer: Bearer
) -> None:
    admin = bearer(client.app, Role.ADMIN)
    assert client.get("/api/registry/models").json()["count"] == 0

    response = client.post(SYNC, headers=admin)
    assert response.status_code == 202
    accepted = response.json()
    assert accepted["status"] == "running" and accepted["type"] == "catalog"
    assert response.headers["location"] == accepted["href"] == f"{SYNC}/{accepted['id']}"

    # TestClient runs background tasks before it returns: the sync is over
    run = client.get(accepted["href"], headers=admin).json()
    assert run["id"] == accepted["id"] and run["status"] == "completed"
    assert run["models_added"] > 0 and run["completed_at"] is not None
    assert run["source"] == str(client.app.state.registry.catalog_dir)  # type: ignore[attr-defined]
    models = client.get("/api/registry/models").json()
    assert models["count"] == run["models_added"]
    history = client.get(f"{SYNC}/history", headers=admin).json()
    assert [r["id"] for r in history["data"]] == [accepted["id"]]


def test_a_failed_sync_is_recorded_with_its_error(
    client: TestClient, bearer: Bearer, small_catalog: Path
) -> None:
    (small_catalog / "providers.yaml").write_text("- id: [not, a, provider]\n")
    admin = bearer(client.app, Role.ADMIN)
    accepted = client.post(SYNC, headers=admin, json={"type": "catalog"}).json()
    run = client.get(accepted["href"], headers=admin).json()
    assert run["status"] == "failed"
    assert "providers.yaml" in run["error_message"]
    assert client.get("/api/registry/models").json()["count"] == 0


def test_one_catalog_sync_at_a_time(client: TestClient, bearer: Bearer) -> None:
    registry: Registry = client.app.state.registry  # type: ignore[attr-defined]
    running = start_sync_log(registry.engine, source="builtin")  # another server's run
    response = client.post(SYNC, headers=bearer(client.app, Role.SUPER_ADMIN))
    assert response.status_code == 409
    assert running in response.json()["detail"]


def test_who_may_start_and_read_syncs(client: TestClient, bearer: Bearer) -> None:
    assert client.post(SYNC).status_code == 401
    assert client.get(f"{SYNC}/history").status_code == 401
    for role in (Role.AUDITOR, Role.OPERATOR):
        response = client.post(SYNC, headers=bearer(client.app, role))
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("application/problem+json")
        assert client.get(f"{SYNC}/history", headers=bearer(client.app, role)).status_code == 200
    wrong = client.post(SYNC, headers={"Authorization": "Bearer not-a-token"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    assert client.get(f"{SYNC}/history", headers=bearer(client.app, Role.AUDITOR)).json() == {
        "data": [],
        "count": 0,
        "total": 0,
        "limit": 50,
        "offset": 0,
    }


@pytest.mark.parametrize(
    "body", [{"type": "pricing"}, {"type": "catalog", "dir": "/etc"}, [1, 2], "catalog"]
)
def test_bad_sync_requests_are_422_and_start_nothing(
    client: TestClient, bearer: Bearer, body: object
) -> None:
    admin = bearer(client.app, Role.ADMIN)
    response = client.post(SYNC, headers=admin, json=body)
    assert response.status_code == 422
    assert client.get(f"{SYNC}/history", headers=admin).json()["count"] == 0


def test_an_unknown_sync_is_404(client: TestClient, bearer: Bearer) -> None:
    response = client.get(f"{SYNC}/no-such-sync", headers=bearer(client.app, Role.AUDITOR))
    assert response.status_code == 404


def test_malformed_and_oversized_bodies_are_problems(client: TestClient, bearer: Bearer) -> None:
    admin = {**bearer(client.app, Role.ADMIN), "content-type": "application/json"}
    malformed = client.post(SYNC, headers=admin, content=b'{"type": "cata')
    assert malformed.status_code == 422
    assert malformed.headers["content-type"].startswith("application/problem+json")

    huge = client.post(SYNC, headers=admin, content=b" " * (1024 * 1024 + 1))
    assert huge.status_code == 413
    assert huge.json()["title"] == "Payload too large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams
        for _ in range(20):
            yield b" " * 65536

    streamed = client.post(SYNC, headers=admin, content=chunks())
    assert streamed.status_code == 413
    assert client.get(f"{SYNC}/history", headers=admin).json()["count"] == 0
