"""Passive outcomes and circuit breakers shared by several processes' monitors, on SQLite,
PostgreSQL and a real Redis (tests/services.py says where; each test on its own key prefix)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select

from conftest import migrate
from radiant.errors import StoreError
from radiant.health import (
    BreakerPolicy,
    CircuitState,
    HealthMonitor,
    HealthStore,
    MemoryHealthStore,
    WindowPolicy,
)
from radiant.health.redis_store import RedisHealthStore
from radiant.health.sql_store import SqlHealthStore
from radiant.store.engine import make_engine
from radiant.store.health_tables import CircuitBreakerRow, RouteHealthRow
from services import redis_client, redis_url

ROUTE = "gpt-4o@openai"


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def redis_store() -> Iterator[RedisHealthStore]:
    client = redis_client()
    prefix = f"radiant-test:{uuid.uuid4().hex}:"
    store = RedisHealthStore(client, prefix)
    yield store
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture(params=["sqlite", "postgres", "redis"])
def shared(request: pytest.FixtureRequest) -> Iterator[HealthStore]:
    """A shared store: a migrated database (SQLite, PostgreSQL) or Redis."""
    if request.param == "redis":
        store: HealthStore = request.getfixturevalue("redis_store")
        yield store
        return
    url: str = request.getfixturevalue(f"{request.param}_db")
    migrate(url)
    engine = make_engine(url)
    yield SqlHealthStore(engine)
    engine.dispose()


def _monitors(store: HealthStore, clock: Clock) -> tuple[HealthMonitor, HealthMonitor]:
    """Two processes' monitors on one store (each with its own in-process state)."""
    policy = BreakerPolicy(allowed_fails=3, window=60, cooldown=60)
    return (
        HealthMonitor(store, breaker=policy, clock=clock, refresh_interval=0.5),
        HealthMonitor(store, breaker=policy, clock=clock, refresh_interval=0.5),
    )


def test_failures_in_two_processes_open_the_breaker_for_both(shared: HealthStore) -> None:
    clock = Clock()
    a, b = _monitors(shared, clock)
    assert a.allowed(ROUTE) and b.allowed(ROUTE)

    a.record_outcome(ROUTE, False, 120, "upstream 503", 503)
    b.record_outcome(ROUTE, False, 90, "upstream 503", 503)
    clock.now += 1
    assert a.allowed(ROUTE) and b.allowed(ROUTE)
    a.record_outcome(ROUTE, False, 100, "timeout", None)  # third failure, from either side

    clock.now += 1  # past both monitors' refresh interval
    assert not a.allowed(ROUTE)
    assert not b.allowed(ROUTE)
    assert b.breaker(ROUTE).state is CircuitState.OPEN

    # after the cooldown exactly one caller, in either process, gets the trial
    clock.now += 60
    answers = [b.allowed(ROUTE), a.allowed(ROUTE), b.allowed(ROUTE)]
    assert answers == [True, False, False]

    b.record_outcome(ROUTE, True, 80)  # the trial succeeded: closed for everyone
    clock.now += 1
    assert a.allowed(ROUTE) and b.allowed(ROUTE)
    assert a.breaker(ROUTE).state is CircuitState.CLOSED


def test_a_failed_trial_opens_the_breaker_again(shared: HealthStore) -> None:
    clock = Clock()
    a, b = _monitors(shared, clock)
    for _ in range(3):
        a.record_outcome(ROUTE, False, 10, "boom", 500)
    clock.now += 61
    assert b.allowed(ROUTE)
    b.record_outcome(ROUTE, False, 10, "still down", 502)
    clock.now += 1
    assert not a.allowed(ROUTE)
    breaker = a.breaker(ROUTE)
    assert breaker.state is CircuitState.OPEN and breaker.times_opened == 2
    clock.now += 60
    assert a.allowed(ROUTE)


def test_outcomes_of_two_processes_merge_into_one_view(shared: HealthStore) -> None:
    clock = Clock()
    a, b = _monitors(shared, clock)
    for latency in (100, 100):
        a.record_outcome(ROUTE, True, latency)
        clock.now += 1
    b.record_outcome(ROUTE, True, 400)
    clock.now += 1
    b.record_outcome("other@groq", False, 30, "rate limited", 429)
    assert a.flush() == 1 and b.flush() == 2

    rows = {r["route_id"]: r for r in a.routes()}
    gpt = rows[ROUTE]
    assert gpt["success_count"] == 3 and gpt["failure_count"] == 0
    assert gpt["avg_latency_ms"] == pytest.approx(190)  # 100, 100 then 0.7*100 + 0.3*400
    assert gpt["p99_latency_ms"] == 400 and gpt["status"] == "healthy"
    assert gpt["error_rate"] == Decimal("0.00")
    other = rows["other@groq"]
    assert other["status"] == "degraded" and other["last_error"] == "rate limited"
    assert other["breaker"]["failures_in_window"] == 1 and other["breaker"]["state"] == "closed"


def test_successes_cost_no_store_write_until_the_flush(migrated: Engine) -> None:
    store = SqlHealthStore(migrated)
    monitor = HealthMonitor(store, clock=Clock())
    for _ in range(50):
        monitor.record_outcome(ROUTE, True, 20)
    with migrated.connect() as conn:
        assert conn.execute(select(RouteHealthRow.route_id)).first() is None
        assert conn.execute(select(CircuitBreakerRow.route_id)).first() is None
    monitor.flush()
    with migrated.connect() as conn:
        row = conn.execute(select(RouteHealthRow)).one()
    assert row.success_count == 50 and row.status == "healthy"
    assert row.success_rate == Decimal("100")


def test_concurrent_flushes_lose_no_outcome(shared: HealthStore) -> None:
    monitors = [HealthMonitor(shared, window=WindowPolicy(max_samples=1000)) for _ in range(4)]

    def work(monitor: HealthMonitor) -> None:
        for i in range(25):
            monitor.record_outcome(ROUTE, i % 5 != 0, 10 + i, None, 500)
            if i % 5 == 4:
                monitor.flush()

    threads = [threading.Thread(target=work, args=(m,)) for m in monitors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (row,) = monitors[0].routes()
    assert row["success_count"] + row["failure_count"] == 100
    assert row["failure_count"] == 20


def test_background_thread_flushes(migrated: Engine) -> None:
    store = SqlHealthStore(migrated)
    monitor = HealthMonitor(store, flush_interval=0.05)
    monitor.start()
    try:
        monitor.record_outcome(ROUTE, True, 5)
        deadline = threading.Event()
        for _ in range(100):
            if store.stats():
                break
            deadline.wait(0.05)
        assert store.stats()[ROUTE].success_count == 1
    finally:
        monitor.close()


def test_settings_choose_redis_or_the_database(
    migrated: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from radiant.health.monitor import monitor_from_settings
    from radiant.settings import get_settings

    get_settings.cache_clear()
    monitor = monitor_from_settings(migrated)
    assert isinstance(monitor.store, SqlHealthStore)
    assert monitor.breaker_policy == BreakerPolicy(allowed_fails=3, window=60, cooldown=60)

    # db 15 of the test Redis (the default key prefix to itself), cleaned below
    monkeypatch.setenv("RADIANT_REDIS_URL", redis_url(15))
    monkeypatch.setenv("RADIANT_BREAKER_ALLOWED_FAILS", "1")
    get_settings.cache_clear()
    try:
        monitor = monitor_from_settings(migrated)
        assert isinstance(monitor.store, RedisHealthStore)
        monitor.record_outcome(ROUTE, False, 10, "down", 500)
        assert not monitor.allowed(ROUTE)  # one failure is enough now
        assert monitor.breaker(ROUTE).state is CircuitState.OPEN
        monitor.store.close()
    finally:
        get_settings.cache_clear()
        client = redis_client(redis_url(15))
        keys = list(client.scan_iter(match="radiant:health:*"))
        if keys:
            client.delete(*keys)
        client.close()


class _DownStore(MemoryHealthStore):
    """A shared store that has gone away."""

    down = False

    def update_breaker(self, route_id: str, change: Any) -> Any:
        if self.down:
            raise StoreError("cannot use the database: connection refused")
        return super().update_breaker(route_id, change)

    def breakers(self) -> Any:
        if self.down:
            raise StoreError("cannot use the database: connection refused")
        return super().breakers()


def test_a_store_outage_never_breaks_the_request_path(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    store = _DownStore()
    monitor = HealthMonitor(store, clock=clock, refresh_interval=0)
    for _ in range(3):
        monitor.record_outcome(ROUTE, False, 10, "down", 500)
    assert not monitor.allowed(ROUTE)

    store.down = True
    monitor.record_outcome(ROUTE, False, 10, "down", 500)  # logged, not raised
    assert not monitor.allowed(ROUTE)  # the last known breaker still refuses
    clock.now += 61
    assert monitor.allowed(ROUTE)  # cooldown over: let calls through rather than never
    assert "cannot update the breaker" in caplog.text
    assert "cannot read the breaker" in caplog.text
