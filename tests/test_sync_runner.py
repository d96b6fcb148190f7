"""The sync runner: every run is recorded (running -> completed, failed or abandoned), its
progress is readable while it runs, one run per type at a time, ``full`` runs its steps,
and a process killed in the middle of a catalog sync leaves the store as it was and its
run marked abandoned."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from conftest import migrate
from radiant.catalog import load_catalog
from radiant.errors import ConflictError, ValidationError
from radiant.settings import Settings
from radiant.store.engine import make_engine
from radiant.store.repository import registry_version, sync_history, sync_run
from radiant.store.tables import ModelRow, RouteRow
from radiant.sync import events
from radiant.sync.jobs import JOBS, JobContext, JobResult, register_job
from radiant.sync.runner import FULL_STEPS, execute_run, load_jobs, reap, run_job, start

SETTINGS = Settings(database_url="sqlite://", sync_heartbeat_seconds=0.2)


@pytest.fixture
def received() -> Iterator[list[events.RegistrySyncCompleted]]:
    seen: list[events.RegistrySyncCompleted] = []
    unsubscribe = events.subscribe(seen.append)
    yield seen
    unsubscribe()


@pytest.fixture
def test_job() -> Iterator[Callable[[str, Callable[[Engine, JobContext], JobResult]], None]]:
    """Register jobs under throwaway names for one test."""
    names: list[str] = []

    def add(name: str, job: Callable[[Engine, JobContext], JobResult]) -> None:
        register_job(name)(job)
        names.append(name)

    yield add
    for name in names:
        JOBS.pop(name, None)


def test_a_catalog_run_is_recorded_counted_and_announced(
    migrated: Engine, small_catalog: Path, received: list[events.RegistrySyncCompleted]
) -> None:
    run = run_job(migrated, "catalog", options={"directory": str(small_catalog)}, settings=SETTINGS)
    assert run.status == "completed" and run.ok and run.error_message is None
    assert run.counts["models_added"] == 4 and run.source == str(small_catalog)

    record = sync_run(migrated, run.id)
    assert record is not None
    assert record["status"] == "completed" and record["trigger"] == "manual"
    assert record["models_added"] == 4 and record["routes_added"] == run.counts["routes_added"]
    assert record["completed_at"] >= record["started_at"]
    assert record["progress"] == {"done": 3, "total": 3, "message": "done"}
    assert record["details"]["counts"]["platforms_added"] == 3  # counts without a column

    [event] = received
    assert event.sync_id == run.id and event.sync_type == "catalog"
    assert event.status == "completed" and event.counts == run.counts
    body = event.as_dict()
    assert body["type"] == "RegistrySyncCompleted" and body["data"]["sync_id"] == run.id

    again = run_job(
        migrated, "catalog", options={"directory": str(small_catalog)}, settings=SETTINGS
    )
    assert again.ok and again.counts["models_added"] == 0 and again.counts["models_updated"] == 0
    assert [r["id"] for r in sync_history(migrated)] == [again.id, run.id]


def test_a_job_that_raises_is_a_failed_run_never_left_running(
    migrated: Engine,
    test_job: Callable[..., None],
    received: list[events.RegistrySyncCompleted],
) -> None:
    def explodes(engine: Engine, context: JobContext) -> JobResult:
        context.progress.start(10, "starting")
        raise RuntimeError("the upstream caught fire")

    def complains(engine: Engine, context: JobContext) -> JobResult:
        return JobResult(counts={"models_added": 2}, errors=["platform x skipped: no key"])

    test_job("t-explodes", explodes)
    test_job("t-complains", complains)
    failed = run_job(migrated, "t-explodes", settings=SETTINGS)
    assert failed.status == "failed" and not failed.ok
    assert failed.error_message == "the upstream caught fire"
    record = sync_run(migrated, failed.id)
    assert record is not None and record["status"] == "failed"
    assert record["completed_at"] is not None and record["duration_ms"] is not None
    assert received[-1].status == "failed"
    assert received[-1].error_message == "the upstream caught fire"

    warned = run_job(migrated, "t-complains", settings=SETTINGS)
    assert warned.ok and warned.errors == ["platform x skipped: no key"]
    assert sync_run(migrated, warned.id)["models_added"] == 2  # type: ignore[index]
    assert not [r for r in sync_history(migrated) if r["status"] == "running"]


def test_one_run_per_type_at_a_time(migrated: Engine, test_job: Callable[..., None]) -> None:
    test_job("t-quick", lambda engine, context: JobResult())
    first = start(migrated, "t-quick", settings=SETTINGS)
    with pytest.raises(ConflictError, match=first):
        start(migrated, "t-quick", settings=SETTINGS)
    other = start(migrated, "catalog", settings=SETTINGS)  # another type may run meanwhile
    assert execute_run(migrated, first, "t-quick", settings=SETTINGS).ok
    assert run_job(migrated, "t-quick", settings=SETTINGS).ok  # the first one is over
    assert sync_run(migrated, other)["status"] == "running"  # type: ignore[index]


def test_an_unknown_type_is_refused_and_recorded_nowhere(sqlite_db: str) -> None:
    migrate(sqlite_db)
    engine = make_engine(sqlite_db)
    with pytest.raises(ValidationError, match="unknown sync type 'everything'.*catalog"):
        run_job(engine, "everything", settings=SETTINGS)
    with pytest.raises(ValidationError, match="trigger"):
        run_job(engine, "catalog", trigger="cron", settings=SETTINGS)
    assert sync_history(engine) == []
    engine.dispose()


def test_full_runs_its_steps_in_order_and_a_failed_step_fails_the_run(
    sqlite_db: str, small_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate(sqlite_db)
    engine = make_engine(sqlite_db)
    load_jobs()  # the real jobs first: the test's stand-ins replace them
    order: list[str] = []

    def step(name: str, fail: bool = False) -> Callable[[Engine, JobContext], JobResult]:
        def job(engine: Engine, context: JobContext) -> JobResult:
            order.append(name)
            context.progress.start(1, "probing")
            if fail:
                raise RuntimeError(f"{name} broke")
            return JobResult(counts={"providers_updated": 1}, errors=[f"{name} note"])

        return job

    monkeypatch.setitem(JOBS, "discovery", step("discovery"))
    monkeypatch.setitem(JOBS, "health", step("health", fail=True))
    monkeypatch.setitem(JOBS, "thermal", step("thermal"))
    full = run_job(
        engine, "full", options={"catalog": {"directory": str(small_catalog)}}, settings=SETTINGS
    )
    assert order == ["discovery", "health", "thermal"]  # after the catalog, in FULL_STEPS order
    assert full.status == "failed" and full.error_message == "health: health broke"
    steps = full.details["steps"]
    assert list(steps) == list(FULL_STEPS)
    assert [steps[s]["status"] for s in FULL_STEPS] == [
        "completed",
        "completed",
        "failed",
        "completed",
    ]
    assert full.counts["models_added"] == 4  # the catalog step's work stays
    assert full.counts["providers_added"] == 3  # the catalog's: added, not also updated
    assert full.counts["providers_updated"] == 2  # the two steps' 1 each
    assert full.errors == ["discovery: discovery note", "thermal: thermal note"]
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(ModelRow)) == 4
    engine.dispose()


def test_a_running_sync_shows_its_progress(sqlite_db: str, test_job: Callable[..., None]) -> None:
    migrate(sqlite_db)
    engine = make_engine(sqlite_db)
    release = threading.Event()

    def slow(engine: Engine, context: JobContext) -> JobResult:
        context.progress.start(5, "listing")
        context.progress.advance(2, "two of five")
        release.wait(30)
        context.progress.advance(3, "all five")
        return JobResult()

    test_job("t-slow", slow)
    sync_id = start(engine, "t-slow", settings=SETTINGS)
    worker = threading.Thread(
        target=execute_run, args=(engine, sync_id, "t-slow"), kwargs={"settings": SETTINGS}
    )
    worker.start()
    try:
        record = _wait_for(lambda: _progress(engine, sync_id, done=2))
        assert record["status"] == "running"
        assert record["progress"] == {"done": 2, "total": 5, "message": "two of five"}
        assert record["heartbeat_at"] is not None
    finally:
        release.set()
        worker.join(30)
    final = sync_run(engine, sync_id)
    assert final is not None and final["status"] == "completed"
    assert final["progress"] == {"done": 5, "total": 5, "message": "all five"}
    engine.dispose()


def _progress(engine: Engine, sync_id: str, done: int) -> dict[str, Any] | None:
    record = sync_run(engine, sync_id)
    return record if record and record["progress"]["done"] == done else None


def _wait_for(probe: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail("timed out waiting")


# ----------------------------------------------------------------------------- killed mid-sync

_KILLED_CHILD = """
import sys, time
from pathlib import Path
from radiant.settings import Settings
from radiant.store.engine import make_engine
from radiant.sync import catalog_sync
from radiant.sync.runner import run_job

url, marker = sys.argv[1], Path(sys.argv[2])
upsert = catalog_sync._Upsert.run

def run_then_hang(self):  # every row written, the transaction still open: wait for the kill
    upsert(self)
    self.session.flush()
    marker.write_text("written")
    time.sleep(300)

catalog_sync._Upsert.run = run_then_hang
run_job(make_engine(url), "catalog", options={"estimates": False},
        settings=Settings(database_url=url, sync_heartbeat_seconds=0.2))
"""


def _writing(engine: Engine, url: str) -> bool:
    """True while another connection holds a write transaction open."""
    if url.startswith("sqlite"):
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA busy_timeout=0")
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except OperationalError:  # database is locked
                return True
            else:
                conn.exec_driver_sql("ROLLBACK")
            finally:
                conn.exec_driver_sql("PRAGMA busy_timeout=5000")
            return False
    with engine.connect() as conn:
        return bool(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
                )
            ).scalar()
        )


@pytest.mark.slow
def test_a_sync_killed_midway_leaves_the_store_as_it_was_and_is_marked_abandoned(
    db_url: str, tmp_path: Path
) -> None:
    migrate(db_url)
    engine = make_engine(db_url)
    version = registry_version(engine)
    marker = tmp_path / "midway"
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_CHILD, db_url, str(marker)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        running = _wait_for(lambda: [r for r in sync_history(engine) if r["status"] == "running"])
        # in the middle: every row written, the transaction not yet committed
        _wait_for(marker.exists, timeout=120)
        assert _writing(engine, db_url)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(30)
        if child.stderr is not None:
            child.stderr.close()
    assert child.returncode == -signal.SIGKILL

    [row] = running
    assert sync_run(engine, row["id"])["status"] == "running"  # type: ignore[index]
    with Session(engine) as session:  # one transaction: nothing of it landed
        assert session.scalar(select(func.count()).select_from(ModelRow)) == 0
        assert session.scalar(select(func.count()).select_from(RouteRow)) == 0
    assert registry_version(engine) == version

    assert reap(engine, SETTINGS) == [row["id"]]
    dead = sync_run(engine, row["id"])
    assert dead is not None and dead["status"] == "abandoned"
    assert "is gone" in dead["error_message"] and dead["completed_at"] is not None

    again = run_job(engine, "catalog", options={"estimates": False}, settings=SETTINGS)
    assert again.ok
    with Session(engine) as session:
        models = session.scalar(select(func.count()).select_from(ModelRow))
    assert models == len(load_catalog().models)
    engine.dispose()


def test_a_silent_run_of_another_host_is_abandoned_after_its_heartbeat_stops(
    sqlite_db: str, received: list[events.RegistrySyncCompleted]
) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from radiant.store.tables import SyncLogRow, utcnow

    migrate(sqlite_db)
    engine = make_engine(sqlite_db)
    sync_id = start(engine, "catalog", settings=SETTINGS)
    with Session(engine) as session, session.begin():
        session.execute(
            update(SyncLogRow)
            .where(SyncLogRow.id == sync_id)
            .values(owner="elsewhere:1", heartbeat_at=utcnow() - timedelta(seconds=30))
        )
    assert reap(engine, Settings(database_url=sqlite_db, sync_stale_after_seconds=60)) == []
    # a live process of this host is not taken for dead for beating late
    mine = start(engine, "thermal", settings=SETTINGS)
    with Session(engine) as session, session.begin():
        session.execute(
            update(SyncLogRow)
            .where(SyncLogRow.id == mine)
            .values(heartbeat_at=utcnow() - timedelta(seconds=30))
        )
    assert reap(engine, Settings(database_url=sqlite_db, sync_stale_after_seconds=10)) == [sync_id]
    record = sync_run(engine, sync_id)
    assert record is not None and record["status"] == "abandoned"
    assert "no heartbeat since" in record["error_message"]
    [event] = received  # announced like any finished run
    assert event.sync_id == sync_id and event.status == "abandoned"
    assert sync_run(engine, mine)["status"] == "running"  # type: ignore[index]
    engine.dispose()


def test_job_modules_named_in_the_settings_are_loaded(sqlite_db: str) -> None:
    migrate(sqlite_db)
    engine = make_engine(sqlite_db)
    with pytest.raises(ValidationError, match="unknown sync type 't-plugin'"):
        run_job(engine, "t-plugin", settings=SETTINGS)
    settings = Settings(database_url=sqlite_db, sync_job_modules=["sync_plugin_jobs"])
    try:
        run = run_job(engine, "t-plugin", settings=settings)
        assert run.ok and run.counts == {"widgets": 3} and run.source == "plugin"
        assert sync_run(engine, run.id)["details"]["counts"] == {"widgets": 3}  # type: ignore[index]
    finally:
        JOBS.pop("t-plugin", None)
        engine.dispose()


# ----------------------------------------------------------------------------- killed after commit

_KILLED_AFTER_COMMIT = """
import sys, time
from pathlib import Path
from radiant.settings import Settings
from radiant.store.engine import make_engine
from radiant.sync import catalog_job
from radiant.sync.runner import run_job

url, directory, marker = sys.argv[1], sys.argv[2], Path(sys.argv[3])

def committed_then_hang(engine):  # the upsert committed; its estimates were next
    marker.write_text("committed")
    time.sleep(300)

catalog_job._reconcile = committed_then_hang
run_job(make_engine(url), "catalog", options={"directory": directory},
        settings=Settings(database_url=url, sync_heartbeat_seconds=0.2))
"""


def _real_price(catalog: Path) -> None:
    """The small catalog with a real price where it had an estimated one."""
    models = catalog / "models" / "acme.yaml"
    text = models.read_text()
    assert "      is_estimated: true\n" in text
    models.write_text(text.replace("      is_estimated: true\n", ""))


@pytest.mark.slow
def test_a_sync_killed_after_its_commit_is_completed_with_its_counts_and_alerts_resolved(
    db_url: str, small_catalog: Path, tmp_path: Path, received: list[events.RegistrySyncCompleted]
) -> None:
    from radiant.pricing import store as pricing_store

    migrate(db_url)
    engine = make_engine(db_url)
    first = run_job(engine, "catalog", options={"directory": str(small_catalog)}, settings=SETTINGS)
    assert first.details["estimates"]["alerts_created"] == 1
    [alert] = pricing_store.list_alerts(engine)
    assert alert.route_id == "acme-large@hostco" and alert.status.value == "pending"

    _real_price(small_catalog)  # the next sync brings the real price: the alert is over
    marker = tmp_path / "committed"
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_AFTER_COMMIT, db_url, str(small_catalog), str(marker)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _wait_for(marker.exists, timeout=120)  # committed, the run not yet finished
        running = [r for r in sync_history(engine) if r["status"] == "running"]
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(30)
        if child.stderr is not None:
            child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    [row] = running
    assert row["prices_changed"] == 1  # the counts committed with the changes

    assert reap(engine, SETTINGS) == [row["id"]]
    done = sync_run(engine, row["id"])
    assert done is not None and done["status"] == "completed", done
    assert done["error_message"] is None and "is gone" in done["details"]["recovered"]
    assert done["prices_changed"] == 1 and done["routes_added"] == 0
    assert done["completed_at"] is not None and done["duration_ms"] is not None
    assert done["details"]["estimates"]["alerts_resolved"] == 1  # its recovery ran
    [alert] = pricing_store.list_alerts(engine)
    assert alert.status.value == "resolved"
    assert received[-1].sync_id == row["id"] and received[-1].status == "completed"
    assert received[-1].counts["prices_changed"] == 1
    assert reap(engine, SETTINGS) == []  # recovered once
    engine.dispose()


def _dead_pid() -> int:
    """A process id of this host that no process has (a child that has exited)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(30)
    return child.pid


def _orphan(engine: Engine, sync_id: str) -> None:
    """Make run ``sync_id`` look like the run of a process of this host that died."""
    import socket

    from sqlalchemy import update

    from radiant.store.tables import SyncLogRow

    with Session(engine) as session, session.begin():
        session.execute(
            update(SyncLogRow)
            .where(SyncLogRow.id == sync_id)
            .values(owner=f"{socket.gethostname()}:{_dead_pid()}")
        )


def test_a_full_run_that_died_after_its_catalog_step_keeps_its_counts(
    migrated: Engine, small_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The catalog step's commit lands in the ``full`` row, never final: a dead ``full``
    run is abandoned with the counts of what committed, and that step is recovered."""
    from radiant.sync import catalog_job, runner

    calls: list[str] = []

    def reconcile(engine: Engine) -> dict[str, int]:
        calls.append("reconcile")
        if len(calls) == 1:
            raise _Death  # the process "dies" right after the catalog step's commit
        return {"estimated": 0, "alerts_created": 0, "alerts_resolved": 0}

    monkeypatch.setattr(catalog_job, "_reconcile", reconcile)
    sync_id = start(migrated, "full", settings=SETTINGS)
    context = JobContext(
        sync_id,
        options={"catalog": {"directory": str(small_catalog)}},
        recorder=runner._recorder(sync_id),
    )
    with pytest.raises(_Death):
        runner._full(migrated, context)  # as in the dead process: never finished
    _orphan(migrated, sync_id)

    assert reap(migrated, SETTINGS) == [sync_id]
    dead = sync_run(migrated, sync_id)
    assert dead is not None and dead["status"] == "abandoned"  # discovery etc. never ran
    assert dead["models_added"] == 4 and dead["source"] == str(small_catalog)
    step = dead["details"]["steps"]["catalog"]
    assert step["status"] == "committed" and step["counts"]["models_added"] == 4
    assert step["recovery"] == {
        "estimates": {"estimated": 0, "alerts_created": 0, "alerts_resolved": 0}
    }
    assert calls == ["reconcile", "reconcile"]  # its estimates were done by the reaper


class _Death(BaseException):
    """Stands for the end of a process: nothing after it runs."""


def test_a_pricing_run_that_died_after_its_commit_is_completed_with_its_counts_and_alerts(
    migrated: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import's counts commit with its prices; the alerts of the estimates those
    prices replaced, resolved after the commit, are resolved by the reaper."""
    from radiant.pricing import store as pricing_store
    from radiant.pricing.service import PricingService
    from radiant.registry.service import Registry
    from radiant.sync import pricing_sync, runner, sync_catalog

    sync_catalog(migrated, load_catalog(None))
    PricingService(Registry(migrated, check_interval=0)).reconcile_estimates()
    route = "anthropic-claude-opus-4-5@bedrock"  # estimated; LiteLLM's fixture prices it
    [alert] = [a for a in pricing_store.list_alerts(migrated) if a.route_id == route]
    assert alert.status.value == "pending"

    real_resolve = pricing_sync._resolve_alerts
    calls: list[set[str]] = []

    def resolve(engine: Engine, routes: set[str]) -> list[int]:
        calls.append(routes)
        if len(calls) == 1:
            raise _Death  # the process "dies" right after the import's commit
        return real_resolve(engine, routes)

    monkeypatch.setattr(pricing_sync, "_resolve_alerts", resolve)
    litellm = Path(__file__).parent / "fixtures" / "catalogs" / "litellm.json"
    sync_id = start(migrated, "pricing", settings=SETTINGS)
    context = JobContext(
        sync_id,
        options={"sources": [("litellm", str(litellm))]},
        recorder=runner._recorder(sync_id),
    )
    with pytest.raises(_Death):
        pricing_sync.pricing_job(migrated, context)
    _orphan(migrated, sync_id)

    assert reap(migrated, SETTINGS) == [sync_id]
    done = sync_run(migrated, sync_id)
    assert done is not None and done["status"] == "completed", done
    assert done["prices_changed"] + done["details"]["counts"]["prices_added"] > 0
    assert route in done["details"]["estimates_replaced"]
    assert done["details"]["alerts"] == {"resolved": 1}  # its recovery ran
    assert calls[1] == calls[0] and route in calls[0]
    [alert] = [a for a in pricing_store.list_alerts(migrated) if a.route_id == route]
    assert alert.status.value == "resolved"
    assert reap(migrated, SETTINGS) == []  # recovered once


def test_an_interrupted_run_is_marked_so(migrated: Engine, test_job: Callable[..., None]) -> None:
    def interrupted(engine: Engine, context: JobContext) -> JobResult:
        raise KeyboardInterrupt

    test_job("t-interrupted", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_job(migrated, "t-interrupted", settings=SETTINGS)
    [run] = sync_history(migrated)
    assert run["status"] == "failed" and run["error_message"] == "interrupted (KeyboardInterrupt)"
    assert run["details"]["interrupted"] == "KeyboardInterrupt"
