"""Active probes against a real fake provider server on 127.0.0.1: healthy, slower than the
timeout, 500, 429, malformed JSON, connection refused; and the ``health`` job writing
``provider_health`` (SQLite and PostgreSQL) that the registry snapshot then reads."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import Engine

from health_fakes import KEY, Upstream, seed, serve
from local_server import free_port
from radiant.domain import HealthStatus, Platform, PlatformKind
from radiant.health.jobs import health_job
from radiant.health.probes import ProbeResult, probe, probe_all, probe_targets
from radiant.health.provider_health import list_provider_health
from radiant.registry.service import Registry
from radiant.secrets import EnvSecretResolver
from radiant.store import repository
from radiant.sync.discovery.targets import Target
from radiant.sync.jobs import JobContext

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    with serve() as fake:
        yield fake


def _target(base: str, name: str = "t", protocol: str = "openai") -> Target:
    return Target(name=name, platform_id=name, protocol=protocol, base_url=base, api_key=KEY)


def _probe(target: Target, timeout: float = 5.0) -> ProbeResult:
    async def run() -> ProbeResult:
        async with httpx2.AsyncClient() as client:
            return await probe(client, target, "global", timeout)

    return asyncio.run(run())


def test_a_healthy_endpoint(upstream: Upstream) -> None:
    result = _probe(_target(f"{upstream.base}/healthy/v1"))
    assert result.status is HealthStatus.HEALTHY and result.ok
    assert result.status_code == 200 and result.error is None
    assert 0 < result.latency_ms < 5000
    assert upstream.seen_auth["healthy"] == f"Bearer {KEY}"


def test_anthropic_gets_its_own_headers(upstream: Upstream) -> None:
    result = _probe(_target(f"{upstream.base}/anthropic/v1", protocol="anthropic"))
    assert result.status is HealthStatus.HEALTHY
    assert upstream.seen_auth["anthropic"] == KEY


def test_slower_than_the_timeout_is_unhealthy(upstream: Upstream) -> None:
    upstream.slow_seconds = 2.0
    result = _probe(_target(f"{upstream.base}/slow/v1"), timeout=0.3)
    assert result.status is HealthStatus.UNHEALTHY
    assert result.error == "no answer within 0.3 s" and result.status_code is None
    assert 250 <= result.latency_ms < 2000


@pytest.mark.parametrize(
    ("kind", "status", "code", "error"),
    [
        ("error", HealthStatus.UNHEALTHY, 500, "HTTP 500"),
        ("limited", HealthStatus.DEGRADED, 429, "HTTP 429 (retry after 7 s)"),
        ("garbage", HealthStatus.DEGRADED, 200, "malformed JSON"),
    ],
)
def test_failing_answers(
    upstream: Upstream, kind: str, status: HealthStatus, code: int, error: str
) -> None:
    result = _probe(_target(f"{upstream.base}/{kind}/v1"))
    assert (result.status, result.status_code, result.error) == (status, code, error)


def test_connection_refused_is_unhealthy() -> None:
    result = _probe(_target(f"http://127.0.0.1:{free_port()}/v1"))
    assert result.status is HealthStatus.UNHEALTHY
    assert result.error is not None and result.error.startswith("cannot connect")


def test_all_targets_are_probed_concurrently(upstream: Upstream) -> None:
    upstream.slow_seconds = 0.6
    pairs = [(_target(f"{upstream.base}/slow/v1", name=f"s{i}"), "global") for i in range(5)]

    async def run() -> list[ProbeResult]:
        async with httpx2.AsyncClient() as client:
            return await probe_all(client, pairs, timeout=5)

    results = asyncio.run(run())
    assert [r.target.name for r in results] == [f"s{i}" for i in range(5)]
    assert all(r.ok for r in results)
    started = [r.checked_at for r in results]
    assert max(started) - min(started) < 0.5  # not one after the other (5 x 0.6 s)


# ----------------------------------------------------------------------------- the job


def test_health_job_writes_provider_health(
    migrated: Engine, upstream: Upstream, tmp_path: Path
) -> None:
    # the timeout leaves a loaded machine time to answer the healthy probes; only the
    # slow one (twice the timeout) runs past it
    upstream.slow_seconds = 5.0
    seed(migrated, tmp_path / "catalog", upstream.base)
    secrets = EnvSecretResolver(
        {"HOSTCO_API_KEY": KEY, "ANTHROPIC_API_KEY": KEY, "OPENAI_API_KEY": KEY}
    )
    registry = Registry(migrated, check_interval=0)
    version = registry.snapshot().version
    assert registry.get_model("claude-test").health is HealthStatus.UNKNOWN

    context = JobContext(sync_id="t", options={"secrets": secrets, "timeout": 2.5})
    result = health_job(migrated, context)

    rows = {(r["target"], r["region"]): r for r in list_provider_health(migrated)}
    assert set(rows) == {
        ("direct/anthropic", "global"),
        ("direct/openai", "global"),
        ("hostco", "global"),
        ("brokenco", "global"),
    }
    assert rows[("direct/anthropic", "global")]["status"] == "healthy"
    assert rows[("direct/openai", "global")]["status"] == "unhealthy"  # past the timeout
    assert rows[("direct/openai", "global")]["last_error"] == "no answer within 2.5 s"
    assert rows[("brokenco", "global")]["status"] == "unhealthy"
    assert rows[("brokenco", "global")]["last_status_code"] == 500
    hostco = rows[("hostco", "global")]
    assert hostco["provider_id"] is None and hostco["platform_id"] == "hostco"
    assert hostco["success_count"] == 1 and hostco["last_success_at"] is not None

    assert result.counts["providers_updated"] == 4
    assert result.details["skipped"] == {
        "nokeyco@global": "no credentials (environment variable NOKEYCO_API_KEY)"
    }
    assert "bedrock" in result.details["not_probed"]
    assert any(e.startswith("brokenco@global: HTTP 500") for e in result.errors)

    # a provider's status changed: the registry version moved and the snapshot shows it
    assert repository.registry_version(migrated) == version + 1
    assert registry.get_model("claude-test").health is HealthStatus.HEALTHY


def test_second_run_continues_the_average_and_rates(
    migrated: Engine, upstream: Upstream, tmp_path: Path
) -> None:
    seed(migrated, tmp_path / "catalog", upstream.base)
    secrets = EnvSecretResolver({"HOSTCO_API_KEY": KEY, "ANTHROPIC_API_KEY": KEY})
    options = {"secrets": secrets, "timeout": 2.0, "platforms": ["hostco"]}
    health_job(migrated, JobContext(sync_id="1", options=options))
    first = list_provider_health(migrated)[0]
    version = repository.registry_version(migrated)

    upstream.down.add("healthy")
    try:
        health_job(migrated, JobContext(sync_id="2", options=options))
    finally:
        upstream.down.discard("healthy")
    (second,) = list_provider_health(migrated)
    assert second["status"] == "unhealthy" and second["last_status_code"] == 503
    assert second["success_count"] == 1 and second["failure_count"] == 1
    assert str(second["error_rate"]) == "50"
    assert second["last_success_at"] == first["last_success_at"]
    assert second["last_failure_at"] is not None
    # a platform row (no provider) is not in the snapshot: no registry version bump
    assert repository.registry_version(migrated) == version


def test_a_region_pattern_is_probed_once_per_region(upstream: Upstream) -> None:
    platform = Platform(
        id="regional",
        name="Regional",
        kind=PlatformKind.CLOUD,
        base_url=f"{upstream.base}/*/v1",  # the region takes the place of the '*'
        openai_compatible=True,
        regions=["healthy", "error"],
        auth_config={"api_key_env": "REGIONAL_KEY"},
    )
    pairs, _ = probe_targets([platform], [], EnvSecretResolver({"REGIONAL_KEY": KEY}))
    assert [(t.base_url, region) for t, region in pairs] == [
        (f"{upstream.base}/healthy/v1", "healthy"),
        (f"{upstream.base}/error/v1", "error"),
    ]

    async def run() -> list[ProbeResult]:
        async with httpx2.AsyncClient() as client:
            return await probe_all(client, pairs, timeout=5)

    statuses = {r.region: r.status for r in asyncio.run(run())}
    assert statuses == {"healthy": HealthStatus.HEALTHY, "error": HealthStatus.UNHEALTHY}

    without_key, _ = probe_targets([platform], [], EnvSecretResolver({}))
    assert {t.skipped for t, _ in without_key} == {
        "no credentials (environment variable REGIONAL_KEY)"
    }
