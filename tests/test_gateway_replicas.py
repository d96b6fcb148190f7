"""Two ``radiant serve`` replicas on one database (PostgreSQL, and SQLite) and one spool
directory, a fake upstream on 127.0.0.1, a few seconds of load: one replica is killed -9
in the middle and started again. Every answer a client got is billed exactly once, and
the events the dead replica had spooled reach the database with no more traffic to it."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx2
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway_fakes import FakeUpstream
from gateway_world import add_tenant, make_template
from local_server import free_ports, serve_app
from radiant.store.billing_tables import UsageEventRow
from radiant.store.engine import make_engine
from radiant.tenants.scope import admin_scope

BIN = Path(sys.executable).parent
BODY = {"model": "small", "messages": [{"role": "user", "content": "hi"}]}


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
            return int(r.status) == 200
    except OSError:
        return False


@dataclass
class Replicas:
    """``radiant serve`` processes, each on its own port, one environment."""

    env: dict[str, str]
    logs: Path
    ports: list[int]
    procs: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)
    handles: list[IO[bytes]] = field(default_factory=list)
    started: itertools.count[int] = field(default_factory=itertools.count)

    def start(self, port: int) -> None:
        running = self.procs.get(port)
        assert running is None or running.poll() is not None, f"a server runs on {port}"
        log = (self.logs / f"serve-{port}-{next(self.started)}.log").open("wb")
        self.handles.append(log)
        self.procs[port] = subprocess.Popen(
            [str(BIN / "radiant"), "serve", "--port", str(port)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_healthy(self, *ports: int) -> None:
        deadline = time.monotonic() + 90
        while not all(_healthy(port) for port in ports):
            dead = [p for p in ports if self.procs[p].poll() is not None]
            if dead or time.monotonic() > deadline:
                output = "\n".join(f.read_text() for f in sorted(self.logs.glob("*.log")))
                pytest.fail(f"radiant serve did not start: {output[-3000:]}")
            time.sleep(0.1)

    def kill(self, port: int) -> None:
        os.killpg(self.procs[port].pid, signal.SIGKILL)
        self.procs[port].wait(10)

    def stop(self) -> None:
        """SIGTERM: uvicorn stops, each meter flushes what it holds."""
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            proc.wait(30)
        for handle in self.handles:
            handle.close()


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    fake = FakeUpstream("a")
    with serve_app(fake.app) as url:
        fake.url = f"{url}/v1"  # type: ignore[attr-defined]
        yield fake


@pytest.fixture
def replicas(db_url: str, tmp_path: Path, upstream: FakeUpstream) -> Iterator[tuple[Replicas, str]]:
    urls = {"a": upstream.url, "b": upstream.url}  # type: ignore[attr-defined]
    make_template(tmp_path / "catalog", urls, db_url=db_url)
    key = add_tenant(db_url, "loadco", tier=5)  # 20,000 requests a minute
    env = {
        **os.environ,
        "RADIANT_DATABASE_URL": db_url,
        "RADIANT_SCHEDULER": "false",
        "RADIANT_METER_SPOOL_DIR": str(tmp_path / "spool"),  # shared by both replicas
        "RADIANT_METER_FLUSH_SECONDS": "0.2",
        "RADIANT_LOG_LEVEL": "warning",
    }
    servers = Replicas(env, tmp_path, free_ports(2))
    try:
        for port in servers.ports:
            servers.start(port)
        servers.wait_healthy(*servers.ports)
        yield servers, key
    finally:
        servers.stop()


@dataclass
class Seen:
    """What the clients saw, by the x-request-id they sent."""

    ok: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)
    #: the connection broke: the request may or may not have been served
    broken: set[str] = field(default_factory=set)


async def _load(ports: list[int], key: str, until: asyncio.Event, seen: Seen) -> None:
    """Six clients calling the servers of ``ports`` (read at each call) until ``until``."""
    numbers = itertools.count()
    headers = {"Authorization": f"Bearer {key}"}

    async def client(worker: int, http: httpx2.AsyncClient) -> None:
        while not until.is_set():
            port = ports[worker % len(ports)]
            request_id = f"load-{next(numbers)}"
            try:
                response = await http.post(
                    f"http://127.0.0.1:{port}/v1/chat/completions",
                    json=BODY,
                    headers={**headers, "x-request-id": request_id},
                )
            except httpx2.TransportError:
                seen.broken.add(request_id)
                await asyncio.sleep(0.02)
                continue
            (seen.ok if response.status_code == 200 else seen.refused).add(request_id)

    async with httpx2.AsyncClient(timeout=10) as http:
        await asyncio.gather(*(client(worker, http) for worker in range(6)))


def _billed(url: str) -> list[str]:
    """The request ids of the successful usage events of the load."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            admin_scope(session)
            query = select(UsageEventRow.request_id).where(
                UsageEventRow.status == "success", UsageEventRow.request_id.like("load-%")
            )
            return list(session.scalars(query))
    finally:
        engine.dispose()


@pytest.mark.slow
def test_a_replica_killed_under_load_loses_and_doubles_no_billed_answer(
    replicas: tuple[Replicas, str], db_url: str
) -> None:
    servers, key = replicas
    victim, survivor = servers.ports
    targets = [victim, survivor]
    seen = Seen()

    async def scenario() -> None:
        stop = asyncio.Event()
        load = asyncio.create_task(_load(targets, key, stop, seen))
        await asyncio.sleep(1.5)
        servers.kill(victim)  # mid-load: its spool keeps what it recorded
        killed_at = len(seen.ok)
        targets[:] = [survivor]
        servers.start(victim)
        await asyncio.to_thread(servers.wait_healthy, victim)
        await asyncio.sleep(0.5)  # a little more load, on the survivor only
        stop.set()
        await load
        assert killed_at > 20, "the victim was killed before the load was under way"

    asyncio.run(asyncio.wait_for(scenario(), 120))
    assert seen.ok  # (a refused call, a 429 or a 502, is billed nothing: not counted)

    # no more traffic: the restarted victim drains its dead self's spool on its own
    deadline = time.monotonic() + 10
    while not seen.ok <= set(_billed(db_url)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert seen.ok <= set(_billed(db_url)), "answers the clients got are not billed"

    servers.stop()
    billed = _billed(db_url)
    assert len(billed) == len(set(billed)), "an answer was billed twice"
    extra = set(billed) - seen.ok
    # billed but never seen: served, then the kill cut the connection before the answer
    assert extra <= seen.broken, f"billed requests nobody made: {sorted(extra)[:5]}"
    assert len(extra) <= 6  # at most one in flight per client at the kill
