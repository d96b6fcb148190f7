"""Thermal states with the local backend (a simulated clock): warm-up, idle scale-to-zero,
AUTOMATIC, OFF; the operator's ``warm`` with its permission and audit row; the registry
snapshot following the stored state."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from manage_helpers import seed
from radiant.core.context import WriteContext
from radiant.domain import HealthStatus, ThermalState
from radiant.errors import (
    AuthenticationError,
    ModelNotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from radiant.health.jobs import thermal_job
from radiant.health.thermal import LocalThermalBackend, ThermalManager
from radiant.registry.service import Registry
from radiant.security import ANONYMOUS, ROLE_PERMISSIONS, Principal, PrincipalKind, Role
from radiant.store import repository
from radiant.store.admin_tables import AuditLogRow
from radiant.sync.jobs import JobContext

MODEL = "tiny-detector"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def _ctx(role: Role) -> WriteContext:
    principal = Principal(
        PrincipalKind.ADMIN,
        subject_id=f"test-{role.value}",
        name=f"{role.value}@example.test",
        role=role,
        permissions=ROLE_PERMISSIONS[role],
    )
    return WriteContext(principal)


def _state(manager: ThermalManager) -> dict[str, Any]:
    (view,) = [v for v in manager.list() if v["model_id"] == MODEL]
    return view


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_warm_up_then_idle_scale_to_zero(
    migrated: Engine, small_catalog: Path, clock: Clock
) -> None:
    seed(migrated, small_catalog)
    registry = Registry(migrated, check_interval=0)
    manager = ThermalManager(migrated, LocalThermalBackend(clock), clock=clock)

    report = manager.refresh()
    assert _state(manager)["current_state"] == "COLD"
    assert report.counts["COLD"] == 1 and not report.bumped
    assert registry.get_model(MODEL).thermal_state is ThermalState.COLD

    view = manager.warm("sagemaker/tiny-detector", _ctx(Role.OPERATOR))  # any name of it
    assert view["target_state"] == "WARM" and view["is_transitioning"] is True
    assert view["current_state"] == "COLD"
    assert view["ready_at"] is not None
    assert view["ready_at"].timestamp() == clock.now + 60  # the catalog's warm-up time

    clock.now += 30
    manager.refresh()
    assert _state(manager)["current_state"] == "COLD" and _state(manager)["is_transitioning"]

    version = repository.registry_version(migrated)
    clock.now += 31
    report = manager.refresh()
    state = _state(manager)
    assert state["current_state"] == "WARM" and state["is_transitioning"] is False
    assert state["instance_count"] == 1 and report.bumped
    assert repository.registry_version(migrated) == version + 1
    entry = registry.get_model(MODEL)
    assert entry.thermal_state is ThermalState.WARM
    assert entry.health is HealthStatus.HEALTHY  # WARM or HOT self-hosted is healthy

    # a request 5 minutes later keeps it warm until 15 idle minutes after that request
    clock.now += 300
    manager.touch(MODEL)
    touched_at = clock.now
    clock.now += 14 * 60
    manager.refresh()
    assert _state(manager)["current_state"] == "WARM"
    assert _state(manager)["scale_to_zero_at"].timestamp() == touched_at + 15 * 60

    clock.now = touched_at + 15 * 60
    report = manager.refresh()
    state = _state(manager)
    assert report.counts["scaled_to_zero"] == 1
    assert state["current_state"] == "COLD" and state["target_state"] is None
    assert state["last_request_at"].timestamp() == touched_at
    assert registry.get_model(MODEL).thermal_state is ThermalState.COLD

    clock.now += 3600  # and nothing wakes it up again by itself
    manager.refresh()
    assert _state(manager)["current_state"] == "COLD"


def test_automatic_warms_on_requests_and_cools_when_idle(
    migrated: Engine, small_catalog: Path, clock: Clock
) -> None:
    path = small_catalog / "models" / "self-hosted.yaml"
    path.write_text(
        path.read_text().replace(
            "      gpu_memory_gb: 4\n",
            "      gpu_memory_gb: 4\n      thermal:\n        default_state: AUTOMATIC\n"
            "        warmup_time_seconds: 10\n        scale_to_zero_minutes: 1\n",
        )
    )
    seed(migrated, small_catalog)
    manager = ThermalManager(migrated, LocalThermalBackend(clock), clock=clock)
    manager.refresh()
    assert _state(manager)["target_state"] == "AUTOMATIC"
    assert _state(manager)["current_state"] == "COLD"

    clock.now += 5
    manager.touch(MODEL)
    report = manager.refresh()
    assert report.counts["warmed"] == 1 and _state(manager)["is_transitioning"]
    clock.now += 10
    manager.refresh()
    assert _state(manager)["current_state"] == "WARM"

    clock.now += 61
    manager.refresh()
    state = _state(manager)
    assert state["current_state"] == "COLD" and state["target_state"] == "AUTOMATIC"
    clock.now += 600
    manager.refresh()
    assert _state(manager)["current_state"] == "COLD"  # no request since: stays cold


def test_an_endpoint_that_does_not_exist_is_off(
    migrated: Engine, small_catalog: Path, clock: Clock
) -> None:
    seed(migrated, small_catalog)
    backend = LocalThermalBackend(clock, auto_create=False)
    result = thermal_job(migrated, JobContext(sync_id="t", options={"backend": backend}))
    assert result.counts["OFF"] == 1
    (endpoint,) = result.details["endpoints"]
    assert endpoint["endpoint_name"] == "radiant-tiny-detector"
    assert endpoint["backend_status"] == "NotFound"

    backend.create("radiant-tiny-detector", instances=2)
    result = thermal_job(migrated, JobContext(sync_id="t2", options={"backend": backend}))
    assert result.counts["HOT"] == 1 and result.details["registry_version_bumped"]


def test_warm_checks_permission_and_audits(
    migrated: Engine, small_catalog: Path, clock: Clock
) -> None:
    seed(migrated, small_catalog)
    manager = ThermalManager(migrated, LocalThermalBackend(clock), clock=clock)
    with pytest.raises(AuthenticationError):
        manager.warm(MODEL, WriteContext(ANONYMOUS))
    with pytest.raises(PermissionDeniedError):
        manager.warm(MODEL, _ctx(Role.AUDITOR))
    assert _state(manager)["target_state"] is None  # refused writes changed nothing

    manager.warm(MODEL, _ctx(Role.OPERATOR))
    with migrated.connect() as conn:
        audit = conn.execute(select(AuditLogRow).where(AuditLogRow.action == "thermal.warm")).one()
    assert audit.resource_id == MODEL and audit.actor_role == "operator"
    assert audit.new_values["target_state"] == "WARM"


def test_warm_refuses_models_without_a_thermal_state(
    migrated: Engine, small_catalog: Path, clock: Clock
) -> None:
    seed(migrated, small_catalog)
    manager = ThermalManager(migrated, LocalThermalBackend(clock), clock=clock)
    external = next(
        e.id for e in Registry(migrated).snapshot().entries if e.model.provider_id != "self_hosted"
    )
    with pytest.raises(ValidationError, match="not a self-hosted model"):
        manager.warm(external, _ctx(Role.OPERATOR))
    with pytest.raises(ModelNotFoundError):
        manager.warm("no-such-model", _ctx(Role.OPERATOR))


def test_request_times_are_written_in_the_background(
    migrated: Engine, small_catalog: Path, clock: Clock
) -> None:
    """A gateway process notes requests; another process's thermal job reads the times."""
    seed(migrated, small_catalog)  # the catalog sync made the thermal_states row
    gateway = ThermalManager(migrated, LocalThermalBackend(clock), clock=clock)
    gateway.start(interval=0.05)
    try:
        gateway.touch(MODEL)
        for _ in range(100):
            if _state(gateway)["last_request_at"] is not None:
                break
            time.sleep(0.05)
    finally:
        gateway.close()
    assert _state(gateway)["last_request_at"].timestamp() == clock.now
