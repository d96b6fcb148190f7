"""The scheduler: schedules parse as the settings say, runs happen on time, and among
several ``radiant serve`` processes on one PostgreSQL database exactly one runs them
(a leader that dies hands over)."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, TypeVar

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from conftest import migrate
from local_server import free_ports
from radiant.errors import ValidationError
from radiant.settings import Settings
from radiant.store.engine import make_engine
from radiant.store.repository import sync_history
from radiant.store.tables import SyncLogRow
from radiant.sync import events
from radiant.sync.scheduler import SyncScheduler, last_due, parse_schedule

BIN = Path(sys.executable).parent


def test_schedules_are_cron_lines_intervals_or_off() -> None:
    every_five = parse_schedule("5m")
    assert isinstance(every_five, IntervalTrigger)
    assert every_five.interval == timedelta(minutes=5)
    assert _interval("90s") == timedelta(seconds=90)
    assert _interval("1.5h") == timedelta(minutes=90)
    sunday = parse_schedule("0 0 * * sun")
    assert isinstance(sunday, CronTrigger) and str(sunday.timezone) == "UTC"
    for off in ("off", "", "  OFF "):
        assert parse_schedule(off) is None
    for bad in ("every day", "61 * * * *", "0s", "5 minutes"):
        with pytest.raises(ValidationError, match="schedule"):
            parse_schedule(bad)


def _interval(value: str) -> timedelta:
    trigger = parse_schedule(value)
    assert isinstance(trigger, IntervalTrigger)
    interval: timedelta = trigger.interval
    return interval


def test_the_defaults_are_the_seeds_schedules() -> None:
    settings = Settings(database_url="sqlite://", pricing_sources=["litellm=prices.json"])
    scheduler = SyncScheduler(make_engine("sqlite://"), settings)
    assert set(scheduler.triggers) == {"full", "health", "thermal", "pricing"}
    assert str(scheduler.triggers["full"]) == str(CronTrigger.from_crontab("0 0 * * *", "UTC"))
    assert scheduler.triggers["health"].interval == timedelta(minutes=5)
    assert scheduler.triggers["thermal"].interval == timedelta(minutes=5)
    assert str(scheduler.triggers["pricing"]) == str(CronTrigger.from_crontab("0 0 * * sun", "UTC"))
    # without sources there is nothing to read prices from: no pricing schedule
    plain = SyncScheduler(
        make_engine("sqlite://"), Settings(database_url="sqlite://", pricing_sources=[])
    )
    assert "pricing" not in plain.triggers
    with pytest.raises(ValidationError, match="unknown kind"):
        SyncScheduler(
            make_engine("sqlite://"),
            Settings(database_url="sqlite://", pricing_sources=["prices=x.json"]),
        )


def _settings(url: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url,
        "schedule_full": "off",
        "schedule_health": "off",
        "schedule_thermal": "1s",
        "schedule_pricing": "off",
        **extra,
    }
    return Settings(**values)


@pytest.mark.slow
def test_on_sqlite_the_scheduler_runs_its_schedule(sqlite_db: str) -> None:
    migrate(sqlite_db)
    engine = make_engine(sqlite_db)
    scheduler = SyncScheduler(engine, _settings(sqlite_db))
    started = time.monotonic()
    scheduler.start()
    try:
        _until(lambda: [r for r in sync_history(engine) if r["sync_type"] == "thermal"], 2)
    finally:
        scheduler.stop()
    runs = [r for r in sync_history(engine) if r["sync_type"] == "thermal"]
    # a 1-second schedule: about one run a second, not more
    assert 2 <= len(runs) <= time.monotonic() - started + 2, runs
    assert {r["trigger"] for r in runs} == {"schedule"}
    assert {r["status"] for r in runs} == {"completed"}

    off = SyncScheduler(engine, _settings(sqlite_db, scheduler=False))
    off.start()
    time.sleep(1.5)
    off.stop()
    assert len([r for r in sync_history(engine) if r["sync_type"] == "thermal"]) == len(runs)
    engine.dispose()


T = TypeVar("T")


def _until(read: Callable[[], list[T]], count: int, timeout: float = 60) -> list[T]:
    """``read()`` once it holds at least ``count`` items (polled; the test fails after
    ``timeout`` seconds): waiting for what a test looks for, not for a fixed time."""
    deadline = time.monotonic() + timeout
    while len(found := read()) < count:
        assert time.monotonic() < deadline, f"{len(found)} of {count} after {timeout} s"
        time.sleep(0.2)
    return found


# ----------------------------------------------------------------------------- three servers


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
            return int(r.status) == 200
    except OSError:
        return False


@pytest.fixture
def servers(postgres_db: str, tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Three `radiant serve` processes on one PostgreSQL database, thermal every second."""
    migrate(postgres_db)
    env = {
        **os.environ,
        "RADIANT_DATABASE_URL": postgres_db,
        "RADIANT_SCHEDULE_FULL": "off",
        "RADIANT_SCHEDULE_HEALTH": "off",
        "RADIANT_SCHEDULE_PRICING": "off",
        "RADIANT_SCHEDULE_THERMAL": "1s",
        "RADIANT_SCHEDULER_LEADER_CHECK_SECONDS": "0.5",
        "RADIANT_SYNC_HEARTBEAT_SECONDS": "0.5",
        "RADIANT_LOG_LEVEL": "warning",
    }
    procs: list[subprocess.Popen[bytes]] = []
    logs: list[IO[bytes]] = []
    ports = free_ports(3)
    try:
        for i, port in enumerate(ports):
            log = (tmp_path / f"serve{i}.log").open("wb")
            logs.append(log)
            procs.append(
                subprocess.Popen(
                    [str(BIN / "radiant"), "serve", "--port", str(port)],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        deadline = time.monotonic() + 120
        while not all(_healthy(port) for port in ports):
            dead = [p for p in procs if p.poll() is not None]
            if dead or time.monotonic() > deadline:
                output = "\n".join((tmp_path / f"serve{i}.log").read_text() for i in range(3))
                pytest.fail(f"radiant serve did not start: {output[-3000:]}")
            time.sleep(0.2)
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait(30)
        for handle in logs:
            handle.close()


def _runs(url: str) -> list[SyncLogRow]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(SyncLogRow)
                .where(SyncLogRow.sync_type == "thermal")
                .order_by(SyncLogRow.started_at)
            ).scalars()
            result = list(rows)
            session.expunge_all()
            return result
    finally:
        engine.dispose()


def _assert_one_schedule(runs: list[SyncLogRow]) -> None:
    """No two runs overlap, and there are as many as one 1-second schedule makes in their
    span (three servers each running it would make three times as many)."""
    _assert_no_overlap(runs)
    span = (runs[-1].started_at - runs[0].started_at).total_seconds()
    assert len(runs) <= span + 2, f"{len(runs)} runs in {span:.1f} s: more than one schedule"


@pytest.mark.slow
def test_three_servers_one_leader_runs_each_scheduled_sync_once(
    servers: list[subprocess.Popen[bytes]], postgres_db: str
) -> None:
    first = _until(lambda: [r for r in _runs(postgres_db) if r.status == "completed"], 6)
    assert {r.status for r in _runs(postgres_db)} <= {"completed", "running"}
    assert len(first) >= 6, [(r.started_at, r.owner) for r in first]
    owners = {r.owner for r in first}
    assert len(owners) == 1, owners  # one leader
    assert {r.trigger for r in first} == {"schedule"}
    _assert_one_schedule(first)
    leader_pid = int(str(next(iter(owners))).rpartition(":")[2])
    leader = next(p for p in servers if p.pid == leader_pid)

    # the leader dies: its connection, and with it the lock, goes; another server leads
    os.killpg(leader.pid, signal.SIGKILL)
    leader.wait(30)

    def by_others() -> list[SyncLogRow]:
        return [r for r in _runs(postgres_db)[len(first) :] if r.owner not in owners]

    _until(by_others, 2)
    runs = _runs(postgres_db)
    later = runs[len(first) :]
    assert len(later) >= 2, [(r.started_at, r.owner) for r in later]
    assert {r.owner for r in later[-2:]} != owners  # a new leader
    assert len({r.owner for r in runs}) == 2
    completed = [r for r in runs if r.status != "abandoned"]
    _assert_no_overlap(completed)


def _assert_no_overlap(runs: list[SyncLogRow]) -> None:
    for before, after in zip(runs, runs[1:], strict=False):
        assert before.completed_at is not None and before.completed_at <= after.started_at


# ----------------------------------------------------------------------------- catch-up

#: the schedulers' clock in these tests: a Tuesday, half an hour after the daily slot
NOW = datetime(2025, 6, 3, 0, 30, tzinfo=UTC)
SLOT = datetime(2025, 6, 3, 0, 0, tzinfo=UTC)


def test_the_last_due_time_is_the_latest_slot_or_one_interval_ago() -> None:
    assert last_due(parse_schedule("0 0 * * *"), NOW) == SLOT
    assert last_due(parse_schedule("0 0 * * *"), SLOT) == SLOT  # due at the slot itself
    assert last_due(parse_schedule("0 0 * * sun"), NOW) == datetime(2025, 6, 1, tzinfo=UTC)
    assert last_due(parse_schedule("*/5 * * * *"), NOW) == NOW
    assert last_due(parse_schedule("0 0 1 1 *"), NOW) == datetime(2025, 1, 1, tzinfo=UTC)
    assert last_due(parse_schedule("0 12 29 2 *"), NOW) == datetime(2024, 2, 29, 12, tzinfo=UTC)
    assert last_due(parse_schedule("5m"), NOW) == NOW - timedelta(minutes=5)


def _catching_up(engine: Engine, clock: datetime = NOW, **extra: Any) -> SyncScheduler:
    """A scheduler whose only schedule is thermal (daily at 00:00 UTC unless ``extra``
    says otherwise), reading the time off ``clock``."""
    url = engine.url.render_as_string(hide_password=False)
    settings = _settings(url, **{"schedule_thermal": "0 0 * * *", **extra})
    return SyncScheduler(engine, settings, clock=lambda: clock)


def _log(
    engine: Engine,
    status: str,
    started_at: datetime,
    *,
    sync_type: str = "thermal",
    details: dict[str, Any] | None = None,
    owner: str = "elsewhere:1",
    heartbeat_at: datetime | None = None,
) -> str:
    """A run of the log, as an earlier process (a leader since gone) left it."""
    sync_id = str(uuid.uuid4())
    with Session(engine) as session, session.begin():
        session.add(
            SyncLogRow(
                id=sync_id,
                sync_type=sync_type,
                status=status,
                trigger="schedule",
                owner=owner,
                started_at=started_at,
                heartbeat_at=heartbeat_at or started_at,
                completed_at=None if status == "running" else started_at + timedelta(seconds=5),
                errors=[],
                details=details,
            )
        )
    return sync_id


def _thermal_runs(engine: Engine) -> list[dict[str, Any]]:
    return [r for r in sync_history(engine, 500) if r["sync_type"] == "thermal"]


@pytest.fixture
def catch_up_db(migrated: Engine) -> Engine:
    """Yesterday's slot completed: the log was kept before today's slot."""
    _log(migrated, "completed", SLOT - timedelta(days=1) + timedelta(seconds=2))
    return migrated


def test_a_slot_abandoned_by_a_dead_leader_runs_once_when_the_next_leader_looks(
    catch_up_db: Engine,
) -> None:
    _log(catch_up_db, "abandoned", SLOT + timedelta(seconds=1))
    scheduler = _catching_up(catch_up_db)
    try:
        assert scheduler.catch_up() == ["thermal"]
        assert scheduler.catch_up() == []  # caught up: once
        scheduler.tick("thermal")  # the slot's own tick, late: its slot is done
    finally:
        scheduler.stop()
    runs = _thermal_runs(catch_up_db)
    assert [r["status"] for r in runs] == ["completed", "abandoned", "completed"]
    assert runs[0]["trigger"] == "schedule" and runs[0]["started_at"] > SLOT


def test_slots_missed_while_nobody_led_make_one_run(catch_up_db: Engine) -> None:
    later = NOW + timedelta(days=3)  # three more slots passed without a leader
    scheduler = _catching_up(catch_up_db, clock=later)
    try:
        assert scheduler.catch_up() == ["thermal"]
        assert scheduler.catch_up() == []
    finally:
        scheduler.stop()
    assert len(_thermal_runs(catch_up_db)) == 2


def test_what_a_slot_run_ended_as_decides_whether_it_runs_again(catch_up_db: Engine) -> None:
    from sqlalchemy import delete

    cases: list[tuple[str, dict[str, Any] | None, bool]] = [
        ("completed", None, False),
        ("failed", None, False),  # it ran and failed on its own: the slot had its run
        ("failed", {"interrupted": "SystemExit"}, True),  # its process was stopped
        ("abandoned", None, True),
    ]
    scheduler = _catching_up(catch_up_db)
    try:
        for status, details, runs in cases:
            slot_run = _log(catch_up_db, status, SLOT + timedelta(seconds=1), details=details)
            assert scheduler.catch_up() == (["thermal"] if runs else []), (status, details)
            with Session(catch_up_db) as session, session.begin():
                session.execute(delete(SyncLogRow).where(SyncLogRow.started_at >= SLOT))
            assert slot_run not in {r["id"] for r in _thermal_runs(catch_up_db)}
    finally:
        scheduler.stop()


def test_a_slot_whose_run_still_goes_elsewhere_waits_for_it(catch_up_db: Engine) -> None:
    from sqlalchemy import update

    beating = _log(
        catch_up_db, "running", SLOT + timedelta(seconds=1), heartbeat_at=datetime.now(UTC)
    )
    scheduler = _catching_up(catch_up_db, sync_stale_after_seconds=60)
    try:
        assert scheduler.catch_up() == [] and scheduler.pending == {"thermal"}
        # its process dies: the heartbeat stops; the next look finds it dead and runs
        with Session(catch_up_db) as session, session.begin():
            session.execute(
                update(SyncLogRow)
                .where(SyncLogRow.id == beating)
                .values(heartbeat_at=datetime.now(UTC) - timedelta(minutes=5))
            )
        assert scheduler.catch_up(scheduler.pending) == ["thermal"]
        assert scheduler.pending == set()
    finally:
        scheduler.stop()
    statuses = [r["status"] for r in _thermal_runs(catch_up_db)]
    assert statuses == ["completed", "abandoned", "completed"]


def test_a_log_begun_after_the_slot_missed_nothing(migrated: Engine) -> None:
    _log(migrated, "completed", SLOT + timedelta(minutes=10), sync_type="catalog")
    scheduler = _catching_up(migrated)
    try:
        assert scheduler.catch_up() == []  # a fresh install does not sync at once
    finally:
        scheduler.stop()


def test_an_interval_schedule_catches_up_when_no_run_is_an_interval_old(
    migrated: Engine,
) -> None:
    _log(migrated, "completed", NOW - timedelta(hours=2))
    hourly = _catching_up(migrated, schedule_thermal="1h")
    assert hourly.catch_up() == ["thermal"]
    _log(migrated, "completed", NOW - timedelta(minutes=30))
    assert hourly.catch_up() == []
    hourly.stop()


def test_a_cron_tick_that_finds_its_type_busy_runs_its_slot_when_that_run_ends(
    catch_up_db: Engine,
) -> None:
    from radiant.sync.runner import execute_run, start

    scheduler = _catching_up(catch_up_db)
    other = start(catch_up_db, "thermal", settings=scheduler.settings)  # a manual run
    try:
        scheduler.tick("thermal")
        assert scheduler.pending == {"thermal"} and len(_thermal_runs(catch_up_db)) == 2
        execute_run(catch_up_db, other, "thermal", settings=scheduler.settings)
        # the manual run started after the slot and completed: the slot had its run
        assert scheduler.catch_up(scheduler.pending) == [] and scheduler.pending == set()
    finally:
        scheduler.stop()
    assert len(_thermal_runs(catch_up_db)) == 2


@pytest.fixture
def finished() -> Iterator[Callable[[float], events.RegistrySyncCompleted]]:
    """Wait for the next finished run (a scheduler's thread runs it)."""
    seen: queue.Queue[events.RegistrySyncCompleted] = queue.Queue()
    unsubscribe = events.subscribe(seen.put)

    def wait(timeout: float) -> events.RegistrySyncCompleted:
        return seen.get(timeout=timeout)

    yield wait
    unsubscribe()


def test_a_new_leader_catches_up_when_it_takes_over(
    postgres_db: str, finished: Callable[[float], events.RegistrySyncCompleted]
) -> None:
    """Two schedulers on one PostgreSQL database: the follower takes the lead when the
    leader lets go, and its first act is to run the slot the old leader's run lost."""
    migrate(postgres_db)
    engine = make_engine(postgres_db)
    _log(engine, "completed", SLOT - timedelta(days=1) + timedelta(seconds=2))
    _log(engine, "abandoned", SLOT + timedelta(seconds=1))
    leader = _catching_up(engine)
    follower = _catching_up(engine, scheduler_leader_check_seconds=0.2)
    try:
        assert leader.leadership.check()  # the old leader, not scheduling any more
        follower.start()
        assert not follower.leadership.leading
        leader.leadership.release()  # it dies: its connection, and the lock, go
        event = finished(60)
        assert event.sync_type == "thermal" and event.trigger == "schedule"
        assert event.status == "completed" and follower.leadership.leading
    finally:
        follower.stop()
        leader.stop()
    assert [r["status"] for r in _thermal_runs(engine)] == ["completed", "abandoned", "completed"]
    engine.dispose()


def test_a_server_that_starts_on_sqlite_catches_up(
    sqlite_db: str, finished: Callable[[float], events.RegistrySyncCompleted]
) -> None:
    migrate(sqlite_db)
    engine = make_engine(sqlite_db)
    _log(engine, "completed", SLOT - timedelta(days=1) + timedelta(seconds=2))
    scheduler = _catching_up(engine)
    try:
        scheduler.start()
        event = finished(60)
        assert event.sync_type == "thermal" and event.trigger == "schedule"
    finally:
        scheduler.stop()
    assert len(_thermal_runs(engine)) == 2
    engine.dispose()
