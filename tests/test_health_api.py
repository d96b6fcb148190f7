"""``/api/v2/admin/health``, ``/api/v2/admin/thermal`` and ``radiant health|thermal``."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cli_in_process import run_radiant
from conftest import Bearer, migrate
from manage_helpers import seed
from radiant.api.app import create_app
from radiant.domain import HealthStatus
from radiant.health import HealthMonitor
from radiant.health.probes import ProbeResult
from radiant.health.provider_health import record_probes
from radiant.health.sql_store import SqlHealthStore
from radiant.health.thermal import LocalThermalBackend, ThermalManager
from radiant.registry.service import Registry
from radiant.security import Role
from radiant.store.engine import make_engine
from radiant.sync.discovery.targets import Target

ROUTE = "acme-large@hostco"


def _probe(platform: str, status: HealthStatus, code: int | None, error: str | None) -> ProbeResult:
    target = Target(name=platform, platform_id=platform, protocol="openai", base_url="x")
    return ProbeResult(target, "global", status, 42.0, time.time(), code, error)


def _fill(engine: Engine) -> None:
    """A probe result and a route whose breaker opened, as the job and gateway leave them."""
    record_probes(engine, [_probe("hostco", HealthStatus.UNHEALTHY, 500, "HTTP 500")])
    monitor = HealthMonitor(SqlHealthStore(engine))
    monitor.record_outcome(ROUTE, True, 80)
    for _ in range(3):
        monitor.record_outcome(ROUTE, False, 30, "upstream 503", 503)
    monitor.flush()


def test_admin_health_and_thermal_api(
    migrated: Engine, small_catalog: Path, bearer: Bearer
) -> None:
    seed(migrated, small_catalog)
    _fill(migrated)
    app = create_app(
        Registry(migrated),
        health=HealthMonitor(SqlHealthStore(migrated)),
        thermal=ThermalManager(migrated, LocalThermalBackend()),
    )
    with TestClient(app) as client:
        denied = client.get("/api/v2/admin/health")
        assert denied.status_code == 401
        assert denied.headers["content-type"].startswith("application/problem+json")

        auditor = bearer(app, Role.AUDITOR)
        body = client.get("/api/v2/admin/health", headers=auditor).json()
        (endpoint,) = body["endpoints"]
        assert endpoint["target"] == "hostco" and endpoint["status"] == "unhealthy"
        assert endpoint["last_status_code"] == 500 and endpoint["avg_latency_ms"] == 42
        (route,) = body["routes"]
        assert route["route_id"] == ROUTE and route["status"] == "unhealthy"
        assert route["breaker"]["state"] == "open" and route["breaker"]["times_opened"] == 1
        assert route["error_rate"] == "75" and route["success_count"] == 1
        assert body["breaker_policy"] == {
            "allowed_fails": 3,
            "window_seconds": 60.0,
            "cooldown_seconds": 60.0,
        }
        assert body["counts"]["unhealthy"] == 2
        healthy = client.get("/api/v2/admin/health?status=healthy", headers=auditor).json()
        assert healthy["endpoints"] == [] and healthy["routes"] == []
        bad = client.get("/api/v2/admin/health?status=fine", headers=auditor)
        assert bad.status_code == 422

        thermal = client.get("/api/v2/admin/thermal", headers=auditor).json()
        assert thermal["count"] == 1
        assert thermal["data"][0]["model_id"] == "tiny-detector"

        url = "/api/v2/admin/thermal/tiny-detector/warm"
        assert client.post(url).status_code == 401
        assert client.post(url, headers=auditor).status_code == 403
        warmed = client.post(url, headers=bearer(app, Role.OPERATOR))
        assert warmed.status_code == 200, warmed.text
        assert warmed.json()["target_state"] == "WARM" and warmed.json()["is_transitioning"]

        operator = bearer(app, Role.OPERATOR)
        missing = client.post("/api/v2/admin/thermal/no-such-model/warm", headers=operator)
        assert missing.status_code == 404
        external = client.post("/api/v2/admin/thermal/acme-large/warm", headers=operator)
        assert external.status_code in (400, 422)
        assert "not a self-hosted model" in external.json()["detail"]


def _run(url: str, *args: str, token: str | None = None, code: int = 0) -> str:
    env = {**os.environ, "RADIANT_DATABASE_URL": url, "COLUMNS": "200"}
    env.pop("RADIANT_TOKEN", None)
    if token:
        env["RADIANT_TOKEN"] = token
    result = run_radiant(args, env=env)
    assert result.returncode == code, (args, result.stdout, result.stderr)
    return result.stdout + result.stderr


def test_cli_health_and_thermal(sqlite_db: str, small_catalog: Path) -> None:
    url = sqlite_db
    migrate(url)
    engine = make_engine(url)
    seed(engine, small_catalog)
    _fill(engine)
    engine.dispose()

    listed = json.loads(_run(url, "health", "list", "--json"))
    assert listed["endpoints"][0]["status"] == "unhealthy"
    assert listed["routes"][0]["breaker"]["state"] == "open"
    table = _run(url, "health", "list")
    assert "hostco" in table and ROUTE in table and "open" in table
    assert _run(url, "health", "list", "--status", "bad", code=2).startswith("error: ")

    before = json.loads(_run(url, "thermal", "list", "--json"))
    assert before["data"][0]["model_id"] == "tiny-detector"

    refused = _run(url, "thermal", "warm", "tiny-detector", code=6)
    assert refused.startswith("error: ") and refused.count("\n") == 1
    created = _run(url, "admin", "create", "root@example.test")
    token = re.search(r"token: (rad_\S+)", created)
    assert token is not None
    warmed = json.loads(
        _run(url, "thermal", "warm", "tiny-detector", "--json", token=token.group(1))
    )
    assert warmed["target_state"] == "WARM"
    after = json.loads(_run(url, "thermal", "list", "--json"))
    assert after["data"][0]["target_state"] == "WARM"
    assert after["data"][0]["is_transitioning"] is True
