"""``POST /api/v2/admin/registry/sync/{type}``: any sync in the background, its progress
while it runs, one per type at a time, ``sync:run`` to start one."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from conftest import Bearer
from local_server import free_port
from radiant.api.app import create_app
from radiant.registry.service import Registry
from radiant.security import Role
from radiant.settings import get_settings
from radiant.sync.jobs import JOBS, JobContext, JobResult, register_job
from radiant.sync.runner import start

SYNC = "/api/v2/admin/registry/sync"


@pytest.fixture
def client(migrated: Engine, small_catalog: Path) -> Iterator[TestClient]:
    get_settings.cache_clear()
    registry = Registry(migrated, check_interval=0, catalog_dir=small_catalog)
    with TestClient(create_app(registry)) as test_client:
        yield test_client
    get_settings.cache_clear()


def test_any_sync_type_starts_in_the_background(client: TestClient, bearer: Bearer) -> None:
    admin = bearer(client.app, Role.ADMIN)
    response = client.post(f"{SYNC}/full", headers=admin)
    assert response.status_code == 202
    accepted = response.json()
    assert accepted["type"] == "full" and accepted["status"] == "running"
    assert response.headers["location"] == accepted["href"] == f"{SYNC}/{accepted['id']}"

    run = client.get(accepted["href"], headers=admin).json()  # TestClient waited for it
    assert run["status"] == "completed" and run["trigger"] == "api"
    assert run["source"] == str(client.app.state.registry.catalog_dir)  # type: ignore[attr-defined]
    assert run["models_added"] == 4 and "steps" in run["details"]
    assert client.get("/api/registry/models").json()["count"] == 4  # the snapshot follows

    thermal = client.post(f"{SYNC}/thermal", headers=admin).json()
    assert client.get(thermal["href"], headers=admin).json()["status"] == "completed"


def test_bad_types_and_missing_settings_are_422_problems(
    client: TestClient, bearer: Bearer, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = bearer(client.app, Role.ADMIN)
    unknown = client.post(f"{SYNC}/everything", headers=admin)
    assert unknown.status_code == 422
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert "unknown sync type 'everything'" in unknown.json()["detail"]
    monkeypatch.setenv("RADIANT_PRICING_SOURCES", "")  # the default: the public catalogs
    get_settings.cache_clear()
    pricing = client.post(f"{SYNC}/pricing", headers=admin)
    assert pricing.status_code == 422 and "RADIANT_PRICING_SOURCES" in pricing.json()["detail"]
    assert client.get(f"{SYNC}/history", headers=admin).json()["count"] == 0

    litellm = Path(__file__).parent / "fixtures" / "catalogs" / "litellm.json"
    monkeypatch.setenv("RADIANT_PRICING_SOURCES", f"litellm={litellm}")
    get_settings.cache_clear()
    accepted = client.post(f"{SYNC}/pricing", headers=admin).json()
    run = client.get(accepted["href"], headers=admin).json()
    assert run["status"] == "completed" and run["details"]["counts"]["entries_read"] > 0


def test_one_run_per_type_and_who_may_start_one(
    client: TestClient, bearer: Bearer, migrated: Engine
) -> None:
    running = start(migrated, "health")
    busy = client.post(f"{SYNC}/health", headers=bearer(client.app, Role.SUPER_ADMIN))
    assert busy.status_code == 409 and running in busy.json()["detail"]
    assert client.post(f"{SYNC}/thermal").status_code == 401
    for role in (Role.AUDITOR, Role.OPERATOR):
        assert client.post(f"{SYNC}/thermal", headers=bearer(client.app, role)).status_code == 403


# ----------------------------------------------------------------------------- progress


def _call(method: str, url: str, headers: dict[str, str]) -> tuple[int, Any]:
    request = urllib.request.Request(url, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.status), json.loads(response.read())


@pytest.mark.slow
def test_a_running_sync_reports_its_progress(
    migrated: Engine, small_catalog: Path, bearer: Bearer
) -> None:
    release = threading.Event()

    def slow(engine: Engine, context: JobContext) -> JobResult:
        context.progress.start(4, "listing platforms")
        context.progress.advance(1, "hostco: 12 models")
        release.wait(30)
        context.progress.advance(3, "all listed")
        return JobResult(counts={"models_added": 1})

    register_job("t-api-slow")(slow)
    app = create_app(Registry(migrated, check_interval=0, catalog_dir=small_catalog))
    admin = bearer(app, Role.ADMIN)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        status, accepted = _call("POST", f"{base}{SYNC}/t-api-slow", admin)
        assert status == 202
        run: dict[str, Any] = {}
        while time.monotonic() < deadline + 20:
            run = _call("GET", base + accepted["href"], admin)[1]
            if run["progress"]["done"] == 1:
                break
            time.sleep(0.1)
        assert run["status"] == "running"
        assert run["progress"] == {"done": 1, "total": 4, "message": "hostco: 12 models"}
        release.set()
        while run["status"] == "running" and time.monotonic() < deadline + 40:
            time.sleep(0.1)
            run = _call("GET", base + accepted["href"], admin)[1]
        assert run["status"] == "completed" and run["models_added"] == 1
        assert run["progress"] == {"done": 4, "total": 4, "message": "all listed"}
    finally:
        release.set()
        server.should_exit = True
        thread.join(timeout=10)
        JOBS.pop("t-api-slow", None)


def test_the_history_counts_every_matching_run_and_filters_by_type_and_status(
    client: TestClient, bearer: Bearer
) -> None:
    from radiant.store.repository import sync_run
    from radiant.sync.runner import execute_run

    auditor = bearer(client.app, Role.AUDITOR)
    engine = client.app.state.registry.engine  # type: ignore[attr-defined]
    settings = get_settings()
    ids = [execute_run(engine, start(engine, "thermal"), "thermal", settings=settings).id]
    ids.append(execute_run(engine, start(engine, "thermal"), "thermal", settings=settings).id)
    catalog = start(engine, "catalog")  # left running
    assert sync_run(engine, catalog)["status"] == "running"  # type: ignore[index]

    page = client.get(f"{SYNC}/history", params={"limit": 2}, headers=auditor).json()
    assert page["count"] == 3 and page["total"] == 3 and len(page["data"]) == 2  # a page of 3
    assert page["data"][0]["id"] == catalog
    rest = client.get(f"{SYNC}/history", params={"limit": 2, "offset": 2}, headers=auditor)
    assert [r["id"] for r in rest.json()["data"]] == ids[:1] and rest.json()["count"] == 3

    thermal = client.get(f"{SYNC}/history", params={"type": "thermal"}, headers=auditor).json()
    assert thermal["count"] == 2 and {r["id"] for r in thermal["data"]} == set(ids)
    running = client.get(f"{SYNC}/history", params={"status": "running"}, headers=auditor).json()
    assert running["count"] == 1 and [r["id"] for r in running["data"]] == [catalog]
    both = client.get(
        f"{SYNC}/history", params={"type": "thermal", "status": "running"}, headers=auditor
    )
    assert both.json()["count"] == 0 and both.json()["data"] == []

    for params in ({"status": "finished"}, {"type": "everything"}, {"limit": 0}):
        bad = client.get(f"{SYNC}/history", params=params, headers=auditor)
        assert bad.status_code == 422, params
        assert bad.headers["content-type"].startswith("application/problem+json")
    unknown = client.get(f"{SYNC}/history", params={"type": "everything"}, headers=auditor)
    assert "unknown sync type 'everything'" in unknown.json()["detail"]
