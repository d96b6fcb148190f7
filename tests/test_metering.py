"""Usage metering: events reach ``usage_events`` once, whatever happens to the process or DB."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from conftest import migrate
from local_server import free_port, serve_app
from radiant.api.app import create_app
from radiant.errors import StoreError
from radiant.gateway.event import encode
from radiant.gateway.metering import Meter, UsageEvent, meter_from_settings
from radiant.gateway.spool import Spool
from radiant.registry.service import Registry
from radiant.settings import Settings, get_settings
from radiant.store.billing_tables import UsageEventRow
from radiant.store.engine import make_engine
from radiant.store.migrate import upgrade
from radiant.tenants.scope import admin_scope

SRC = Path(__file__).resolve().parents[1] / "src"

EVENT = UsageEvent(
    id="req-0",
    tenant_id="tenant-a",
    user_id="user-1",
    api_key_id="key-1",
    model_id="gpt-4o",
    provider_id="openai",
    platform_id="openai",
    route_id="gpt-4o@openai",
    input_tokens=1200,
    output_tokens=300,
    cached_tokens=200,
    base_cost=Decimal("0.0045"),
    billed_price=Decimal("0.005625"),
    latency_ms=412,
    created_at=datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
)


def events(count: int, prefix: str = "req") -> list[UsageEvent]:
    return [replace(EVENT, id=f"{prefix}-{i}") for i in range(count)]


def stored(engine: Engine) -> dict[str, UsageEventRow]:
    with Session(engine) as session:
        admin_scope(session)
        return {r.id: r for r in session.scalars(select(UsageEventRow))}


def count(engine: Engine) -> int:
    with Session(engine) as session:
        admin_scope(session)
        return int(session.scalar(select(func.count()).select_from(UsageEventRow)) or 0)


def test_events_are_written_exactly_and_the_spool_is_emptied(
    migrated: Engine, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    error = replace(
        EVENT,
        id="req-err",
        status="error",
        error_code="upstream_500",
        billed_price=Decimal(0),
    )
    image = replace(EVENT, id="req-img", endpoint="images", images=2, seconds=Decimal("1.5"))
    with Meter(migrated, spool) as meter:
        for event in [EVENT, error, image]:
            meter.record(event)
        assert meter.flush() == 3
        assert meter.flush() == 0
    rows = stored(migrated)
    assert rows["req-0"].billed_price == Decimal("0.005625")
    assert rows["req-0"].base_cost == Decimal("0.0045")
    assert rows["req-0"].created_at == EVENT.created_at
    assert (rows["req-0"].input_tokens, rows["req-0"].cached_tokens) == (1200, 200)
    assert rows["req-err"].status == "error" and rows["req-err"].error_code == "upstream_500"
    assert rows["req-img"].images == 2 and rows["req-img"].seconds == Decimal("1.5")
    assert list(spool.glob("*.spool")) == []  # all flushed: nothing left behind


def test_the_background_flusher_writes_without_being_asked(
    migrated: Engine, tmp_path: Path
) -> None:
    with Meter(migrated, tmp_path / "spool", flush_interval=0.05) as meter:
        meter.start()
        for event in events(50):
            meter.record(event)
        deadline = time.monotonic() + 5
        while count(migrated) < 50 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert count(migrated) == 50


_CHILD = """
import sys, time
from pathlib import Path
from decimal import Decimal
from radiant.store.engine import make_engine
from radiant.gateway.metering import Meter, UsageEvent

meter = Meter(make_engine(sys.argv[1]), Path(sys.argv[2]))  # never started: never flushes
for i in range(int(sys.argv[3])):
    meter.record(UsageEvent(f"{sys.argv[4]}-{i}", "tenant-a", None, "key-1", "gpt-4o", "openai",
                            "openai", "gpt-4o@openai", 10, 5, billed_price=Decimal("0.01")))
print("recorded", flush=True)
time.sleep(60)
"""


def die_after_recording(db_url: str, spool: Path, events: int, prefix: str = "child") -> None:
    """A process that records ``events`` events into ``spool``, then is killed -9."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, db_url, str(spool), str(events), prefix],
        stdout=subprocess.PIPE,
        env=env,
        cwd=str(SRC.parent),
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == b"recorded"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
        if child.stdout is not None:
            child.stdout.close()


def wait_for_count(engine: Engine, expected: int) -> int:
    deadline = time.monotonic() + 5
    while (found := count(engine)) < expected and time.monotonic() < deadline:
        time.sleep(0.02)
    return found


def test_a_killed_process_loses_no_event(migrated: Engine, db_url: str, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    die_after_recording(db_url, spool, 200)
    assert count(migrated) == 0  # the child never flushed: only its spool has the events
    with Meter(migrated, spool) as survivor:
        assert survivor.flush() == 200  # adopted the dead process's spool
    assert count(migrated) == 200
    assert list(spool.glob("*.spool")) == []


def test_a_server_drains_a_dead_processs_spool_at_its_start_without_a_request(
    migrated: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = tmp_path / "spool"
    die_after_recording(db_url, spool, 50)
    monkeypatch.setenv("RADIANT_METER_SPOOL_DIR", str(spool))
    get_settings.cache_clear()
    try:
        with serve_app(create_app(Registry(migrated))):  # no /v1 call is made
            assert wait_for_count(migrated, 50) == 50
    finally:
        get_settings.cache_clear()
    assert list(spool.glob("*.spool")) == []


@pytest.fixture
def sqlite_engine(sqlite_db: str) -> Iterator[Engine]:
    """For what concerns the spool, not the database: SQLite only."""
    migrate(sqlite_db)
    engine = make_engine(sqlite_db)
    yield engine
    engine.dispose()


def test_a_running_meter_adopts_a_peer_that_died_without_being_asked(
    sqlite_engine: Engine, sqlite_db: str, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"  # shared by both processes
    with Meter(sqlite_engine, spool, adopt_interval=0.05) as live:
        live.start()
        live.record(EVENT)
        die_after_recording(sqlite_db, spool, 50)
        assert wait_for_count(sqlite_engine, 51) == 51

        def adopted_left() -> list[Path]:
            return [p for p in spool.glob("*.spool") if p != live.spool.active.path]

        # the adopted segment is removed right after its events commit
        deadline = time.monotonic() + 5
        while adopted_left() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert adopted_left() == []
        assert count(sqlite_engine) == 51  # and nothing was inserted twice


def test_two_live_processes_never_adopt_the_same_segment(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    migrated = sqlite_engine
    spool = tmp_path / "spool"
    spool.mkdir()
    for n in range(30):  # segments of processes that died
        lines = b"".join(encode(e) for e in events(10, prefix=f"dead{n}"))
        (spool / f"usage-1-dead{n:02d}-000001.spool").write_bytes(lines)
    meters = [Meter(migrated, spool), Meter(migrated, spool)]
    start = threading.Barrier(2)
    taken: list[set[Path]] = [set(), set()]

    def adopt(i: int) -> None:
        start.wait()
        for _ in range(20):
            taken[i] |= {s.path for s in meters[i].spool.adopt()}

    threads = [threading.Thread(target=adopt, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert taken[0].isdisjoint(taken[1])
    assert len(taken[0] | taken[1]) == 30
    assert sum(m.flush() for m in meters) == 300
    for meter in meters:
        meter.close()
    assert count(migrated) == 300


def test_a_segment_being_made_is_never_adopted_by_a_peer(tmp_path: Path) -> None:
    """A segment is locked before it has its name: a peer adopting all the while never
    takes a live process's segment (which it would flush and delete under the writer)."""
    directory = tmp_path / "spool"
    peer = Spool(directory)
    stolen: list[Path] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def adopt() -> None:
        while not stop.is_set():
            stolen.extend(s.path for s in peer.adopt())

    thread = threading.Thread(target=adopt)
    thread.start()
    deadline = time.monotonic() + 1.0
    try:
        while time.monotonic() < deadline:
            try:
                spool = Spool(directory)
                spool.append(b"record\n")
                spool.close(delete_active=True)
            except OSError as error:
                errors.append(error)
    finally:
        stop.set()
        thread.join()
        peer.close(delete_active=True)
    assert (stolen, errors) == ([], [])


def test_a_replayed_spool_counts_each_request_once(migrated: Engine, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    with Meter(migrated, spool) as meter:
        for event in events(30):
            meter.record(event)
        (segment,) = spool.glob("*.spool")
        copy = spool / "usage-1-replay-000001.spool"  # as if a crash left it after its commit
        shutil.copy(segment, copy)
        assert meter.flush() == 30
    with Meter(migrated, spool) as again:
        assert again.flush() == 0
    assert count(migrated) == 30
    assert not copy.exists()


def _unreachable(db_url: str, tmp_path: Path) -> Engine:
    if db_url.startswith("sqlite"):
        return make_engine(f"sqlite:///{tmp_path / 'not-yet' / 'radiant.db'}")
    return make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test")


def test_a_database_that_is_down_keeps_the_events_in_the_spool(
    migrated: Engine, db_url: str, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    down = _unreachable(db_url, tmp_path)
    meter = Meter(down, spool, flush_interval=0.05)
    meter.start()
    started = time.perf_counter()
    for event in events(20):
        meter.record(event)
    assert time.perf_counter() - started < 0.5  # recording does not wait for the database
    with pytest.raises(StoreError, match="cannot write usage events"):
        meter.flush()
    meter.close()  # cannot flush: leaves the events in the spool
    down.dispose()
    assert len(list(spool.glob("*.spool"))) == 1

    with Meter(migrated, spool) as later:
        assert later.flush() == 20
    assert count(migrated) == 20


def test_the_same_meter_flushes_once_the_database_is_back(tmp_path: Path) -> None:
    directory = tmp_path / "not-yet"
    url = f"sqlite:///{directory / 'radiant.db'}"
    engine = make_engine(url)
    with Meter(engine, tmp_path / "spool", flush_interval=0.05) as meter:
        meter.start()
        for event in events(10):
            meter.record(event)
        time.sleep(0.2)  # the flusher fails and backs off
        directory.mkdir()
        upgrade(url)  # as an operator would, while the meter keeps trying
        deadline = time.monotonic() + 5
        while count(engine) < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert count(engine) == 10
    engine.dispose()


def test_an_event_the_database_refuses_is_set_aside_not_lost(
    postgres_db: str, tmp_path: Path
) -> None:
    migrate(postgres_db)
    engine = make_engine(postgres_db)
    spool = tmp_path / "spool"
    bad = replace(EVENT, id="req-bad", model_id="m" * 500)  # longer than the column
    with Meter(engine, spool) as meter:
        for event in [*events(3), bad]:
            meter.record(event)
        assert meter.flush() == 3
    assert set(stored(engine)) == {"req-0", "req-1", "req-2"}
    (letter,) = (spool / "dead-letter.jsonl").read_text().splitlines()
    assert json.loads(json.loads(letter)["record"])["id"] == "req-bad"
    engine.dispose()


def test_meter_from_settings_uses_the_configured_spool(migrated: Engine, tmp_path: Path) -> None:
    settings = Settings(meter_spool_dir=tmp_path / "s", meter_flush_seconds=0.25)
    meter = meter_from_settings(migrated, settings)
    try:
        assert meter.spool.directory == tmp_path / "s"
        assert meter.flush_interval == 0.25
    finally:
        meter.close()
    with pytest.raises(StoreError, match="closed"):
        meter.record(EVENT)


def test_a_flushed_spool_is_rotated_and_threads_may_record_at_once(
    migrated: Engine, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    with Meter(migrated, spool, rotate_bytes=2_000, batch_size=50) as meter:

        def work(worker: int) -> None:
            for event in events(100, prefix=f"w{worker}"):
                meter.record(event)

        threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        first = (next(spool.glob("*.spool"))).name
        assert meter.flush() == 400
        meter.flush()  # the full, flushed segment is replaced by a fresh one
        assert [p.name for p in spool.glob("*.spool")] != [first]
        assert len(list(spool.glob("*.spool"))) == 1
        for event in events(5, prefix="after"):
            meter.record(event)
        assert meter.flush() == 5
    assert count(migrated) == 405


def test_a_spool_left_by_an_older_version_is_still_flushed(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    """Format 1 lines (the request id was the key, no estimated flag) after an upgrade."""
    spool = tmp_path / "spool"
    spool.mkdir()
    old = [1, "req-old", "tenant-a", None, "key-1", "gpt-4o", "openai", "openai",
           "gpt-4o@openai", 10, 5, 0, 0, "0", "0", "0.001", "0.002", 40, "success", None,
           "2026-11-30T12:00:00+00:00", "chat"]  # fmt: skip
    (spool / "usage-7-oldver-000001.spool").write_text(json.dumps(old) + "\n")
    with Meter(sqlite_engine, spool) as meter:
        assert meter.flush() == 1
    row = stored(sqlite_engine)["req-old"]
    assert (row.request_id, row.usage_estimated, row.billed_price) == (
        "req-old",
        False,
        Decimal("0.002"),
    )
