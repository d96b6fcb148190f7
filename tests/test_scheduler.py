"""The scheduler: schedules parse as the settings say, runs happen on time, and among
several ``radiant serve`` processes on one PostgreSQL database exactly one runs them
(a leader that dies hands over)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from local_server import free_port
from radiant.errors import ValidationError
from radiant.settings import Settings
from radiant.store.engine import make_engine
from radiant.store.migrate import upgrade
from radiant.store.repository import sync_history
from radiant.store.tables import SyncLogRow
from radiant.sync.scheduler import SyncScheduler, parse_schedule

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
    upgrade(sqlite_db)
    engine = make_engine(sqlite_db)
    scheduler = SyncScheduler(engine, _settings(sqlite_db))
    scheduler.start()
    try:
        time.sleep(3.6)
    finally:
        scheduler.stop()
    runs = [r for r in sync_history(engine) if r["sync_type"] == "thermal"]
    assert 2 <= len(runs) <= 4, runs
    assert {r["trigger"] for r in runs} == {"schedule"}
    assert {r["status"] for r in runs} == {"completed"}

    off = SyncScheduler(engine, _settings(sqlite_db, scheduler=False))
    off.start()
    time.sleep(1.5)
    off.stop()
    assert len([r for r in sync_history(engine) if r["sync_type"] == "thermal"]) == len(runs)
    engine.dispose()


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
    upgrade(postgres_db)
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
    ports = [free_port() for _ in range(3)]
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
        from sqlalchemy.orm import Session

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
    time.sleep(8)
    first = _runs(postgres_db)
    assert len(first) >= 6, [(r.started_at, r.owner) for r in first]
    owners = {r.owner for r in first}
    assert len(owners) == 1, owners  # one leader
    assert {r.trigger for r in first} == {"schedule"}
    assert {r.status for r in first} == {"completed"}
    _assert_one_schedule(first)
    leader_pid = int(str(next(iter(owners))).rpartition(":")[2])
    leader = next(p for p in servers if p.pid == leader_pid)

    # the leader dies: its connection, and with it the lock, goes; another server leads
    os.killpg(leader.pid, signal.SIGKILL)
    leader.wait(30)
    time.sleep(5)
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
