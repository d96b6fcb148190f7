"""The gateway's overhead: a fake OpenAI-compatible upstream on 127.0.0.1 that answers at
once, called directly and through the gateway (``radiant serve`` with its defaults:
tenant key auth, routing, rate limits, the breaker, pricing and metering on, and the
upstream client the settings build).

Three processes share the machine: the upstream (a bare asyncio server), the gateway
(``radiant serve``) and the load generator (this process; raw HTTP/1.1 keep-alive connections, so
the client costs little). Measured:

* added latency at concurrency 1: p50 and p99 through the gateway minus directly;
* throughput with 32 connections for ``RADIANT_BENCH_GATEWAY_SECONDS`` (default 20) s,
  shown as requests/s and as the time per request (target 0.5 ms = 2,000 requests/s).

Each connection is a tenant of its own (tier 5) so that the tier limits (20,000
RPM per tenant) do not refuse the load; every request is rate-limited all the same.
After the run the gateway is stopped gracefully and the usage events it recorded are
counted against the requests it answered.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from benchmarks._report import Row

__all__ = ["gateway_rows"]

_LABEL = "fake upstream"
_CONNECTIONS = 32
#: seconds any phase may overrun before the benchmark gives up on it
_BOUND = 60.0
_MODEL = "bench-chat"
#: ``radiant`` without its console script
_MAIN = "from radiant.cli import main; main()"
_COMPLETION = json.dumps(
    {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "bench-upstream",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hello! How can I help?"},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 19, "completion_tokens": 7, "total_tokens": 26},
    }
).encode()
_RESPONSE = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
    b"content-length: " + str(len(_COMPLETION)).encode() + b"\r\n\r\n" + _COMPLETION
)


def _progress(message: str) -> None:
    print(f"[bench] gateway: {message}", file=sys.stderr, flush=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing listens on 127.0.0.1:{port}") from None
            time.sleep(0.05)


# ---------------------------------------------------------------------- the upstream


class _Upstream(asyncio.Protocol):
    """HTTP/1.1 keep-alive: every request, whatever it is, gets the same completion."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].lower()
            at = head.find(b"content-length:")
            length = 0
            if at >= 0:
                stop = head.find(b"\r\n", at)
                length = int(head[at + 15 : stop if stop >= 0 else len(head)])
            total = end + 4 + length
            if len(self.buffer) < total:
                return
            self.buffer = self.buffer[total:]
            self.transport.write(_RESPONSE)


def _serve_upstream(port: int) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(_Upstream, "127.0.0.1", port, backlog=256)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


# ---------------------------------------------------------------------- the gateway


def _catalog(directory: Path, upstream: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "catalog.yaml").write_text("name: gateway-bench\nas_of: 2025-01-01\n")
    platform = {
        "id": "bench_host",
        "name": "Bench host",
        "kind": "host",
        "base_url": f"http://127.0.0.1:{upstream}/v1",
        "openai_compatible": True,
        "auth_type": "none",
    }
    (directory / "platforms.yaml").write_text(yaml.safe_dump({"platforms": [platform]}))
    provider = {
        "id": "bench",
        "name": "bench",
        "display_name": "Bench",
        "category": "text_generation",
        "auth_type": "none",
    }
    (directory / "providers.yaml").write_text(yaml.safe_dump({"providers": [provider]}))
    model = {
        "id": _MODEL,
        "aliases": ["bench"],
        "provider_id": "bench",
        "name": _MODEL,
        "display_name": "Bench chat",
        "category": "text_generation",
        "capabilities": ["chat", "streaming"],
        "input_modalities": ["text"],
        "output_modalities": ["text"],
        "routes": [
            {
                "platform_id": "bench_host",
                "model_string": "bench-upstream",
                "price": {"pricing_type": "per_token", "input_per_1m": 1, "output_per_1m": 2},
            }
        ],
    }
    (directory / "models").mkdir(exist_ok=True)
    (directory / "models" / "bench.yaml").write_text(yaml.safe_dump({"models": [model]}))
    return directory


def _prepare(directory: Path, upstream: int, tenants: int) -> tuple[str, list[str]]:
    """A migrated SQLite registry with the catalog and ``tenants`` tier-5 tenants, each
    with a key; returns the database URL and the keys."""
    from radiant.catalog import load_catalog
    from radiant.registry.service import Registry
    from radiant.security import ROLE_PERMISSIONS, Principal, PrincipalKind, Role
    from radiant.store.engine import make_engine
    from radiant.store.migrate import upgrade
    from radiant.sync.catalog_sync import sync_catalog
    from radiant.tenants import Tenants

    admin = Principal(
        PrincipalKind.ADMIN,
        subject_id="bench",
        name="bench@example.test",
        role=Role.SUPER_ADMIN,
        permissions=ROLE_PERMISSIONS[Role.SUPER_ADMIN],
    )
    url = f"sqlite:///{directory / 'radiant.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        sync_catalog(engine, load_catalog(_catalog(directory / "catalog", upstream)))
        services = Tenants.open(Registry(engine))
        keys = []
        for i in range(tenants):
            slug = f"bench-{i}"
            services.tenants.create(admin, name=slug, slug=slug, tier=5)
            services.access.grant(admin, slug, _MODEL)
            issued = services.keys.issue(
                admin, slug, name="load", rate_limit_rpm=None, rate_limit_tpm=None
            )
            keys.append(issued.secret)
    finally:
        engine.dispose()
    return url, keys


def _serve_gateway(url: str, spool: str, port: int) -> subprocess.Popen[bytes]:
    """``radiant serve`` on ``port``, with its defaults but for where its data lives and
    the log level: ``warning`` turns uvicorn's access log off (a line per request would
    cost more than the gateway's own work, and no operator runs a load with it on)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADIANT_")}
    env.update(
        RADIANT_DATABASE_URL=url,
        RADIANT_METER_SPOOL_DIR=spool,
        RADIANT_LOG_LEVEL="warning",
    )
    script = Path(sys.executable).with_name("radiant")
    command = [str(script)] if script.exists() else [sys.executable, "-c", _MAIN]
    serve = [*command, "serve", "--host", "127.0.0.1", "--port", str(port)]
    return subprocess.Popen(serve, env=env)


# ---------------------------------------------------------------------- the load


def _request(key: str) -> bytes:
    body = json.dumps(
        {
            "model": "bench",
            "messages": [{"role": "user", "content": "Say hello."}],
            "max_tokens": 16,
        }
    ).encode()
    head = (
        "POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\n"
        f"authorization: Bearer {key}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> _Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def call(self, request: bytes) -> int:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        at = lower.find(b"content-length:")
        if at < 0:
            raise RuntimeError(f"a response without content-length: {head[:200]!r}")
        stop = lower.find(b"\r\n", at)
        await self.reader.readexactly(int(lower[at + 15 : stop]))
        return status

    def close(self) -> None:
        self.writer.close()


async def _latencies(port: int, request: bytes, count: int, warmup: int) -> list[float]:
    async with asyncio.timeout(_BOUND + count * 0.05):  # stops by itself, whatever happens
        return await _sequential(port, request, count, warmup)


async def _sequential(port: int, request: bytes, count: int, warmup: int) -> list[float]:
    connection = await _Connection.open(port)
    try:
        for _ in range(warmup):
            await connection.call(request)
        times = []
        for _ in range(count):
            start = time.perf_counter()
            status = await connection.call(request)
            times.append(time.perf_counter() - start)
            if status != 200:
                raise RuntimeError(f"HTTP {status} at concurrency 1")
        return times
    finally:
        connection.close()


async def _throughput(port: int, requests: list[bytes], seconds: float) -> tuple[int, int, float]:
    """(answered 200, other answers, elapsed seconds) of one connection per request."""
    connections = [await _Connection.open(port) for _ in requests]
    ok = failed = 0
    deadline = time.perf_counter() + seconds

    async def drive(connection: _Connection, request: bytes) -> None:
        nonlocal ok, failed
        while time.perf_counter() < deadline:
            if await connection.call(request) == 200:
                ok += 1
            else:
                failed += 1

    start = time.perf_counter()
    try:
        async with asyncio.timeout(seconds + _BOUND):
            await asyncio.gather(*(drive(c, r) for c, r in zip(connections, requests, strict=True)))
    finally:
        for connection in connections:
            connection.close()
    return ok, failed, time.perf_counter() - start


def _cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system, every thread) a process has used; None off Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000.0


def _count_events(url: str) -> int:
    from sqlalchemy import func, select

    from radiant.store.billing_tables import UsageEventRow
    from radiant.store.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(UsageEventRow)) or 0)
    finally:
        engine.dispose()


def _measure(
    upstream: int, gateway: int, keys: list[str], seconds: float, pid: int
) -> tuple[list[Row], int]:
    count = int(os.environ.get("RADIANT_BENCH_GATEWAY_CALLS", "3000"))
    direct_request = _request(keys[0])
    gateway_request = _request(keys[-1])  # its own tenant: not the throughput's
    _progress("latency at concurrency 1, direct")
    direct = asyncio.run(_latencies(upstream, direct_request, count, warmup=300))
    _progress("latency at concurrency 1, through the gateway")
    through = asyncio.run(_latencies(gateway, gateway_request, count, warmup=300))
    _progress(f"throughput, {_CONNECTIONS} connections, direct ({seconds / 4:.0f} s)")
    d_ok, _, d_elapsed = asyncio.run(
        _throughput(upstream, [direct_request] * _CONNECTIONS, seconds / 4)
    )
    _progress(f"throughput, {_CONNECTIONS} connections, through the gateway ({seconds:.0f} s)")
    requests = [_request(k) for k in keys[:_CONNECTIONS]]
    cpu_before = _cpu_seconds(pid)
    ok, failed, elapsed = asyncio.run(_throughput(gateway, requests, seconds))
    cpu_after = _cpu_seconds(pid)
    rate = ok / elapsed
    d50, d99 = statistics.median(direct) * 1000, _percentile(direct, 0.99)
    g50, g99 = statistics.median(through) * 1000, _percentile(through, 0.99)
    conn = f"{_CONNECTIONS} connections, {seconds:.0f} s"
    rows = [
        Row("gateway: direct call p50 (concurrency 1)", _LABEL, d50, "ms", digits=3),
        Row("gateway: direct call p99 (concurrency 1)", _LABEL, d99, "ms", digits=3),
        Row("gateway: through the gateway p50", _LABEL, g50, "ms", digits=3),
        Row("gateway: through the gateway p99", _LABEL, g99, "ms", digits=3),
        Row("gateway: added latency p50", _LABEL, g50 - d50, "ms", target=1.0, digits=3),
        Row("gateway: added latency p99", _LABEL, g99 - d99, "ms", digits=3),
        Row(f"gateway: direct throughput ({_CONNECTIONS} connections)", _LABEL,
            d_ok / d_elapsed, "req/s", digits=0),
        Row(f"gateway: throughput ({conn})", _LABEL, rate, "req/s", digits=0),
        # the table's targets are upper bounds: >= 2,000 requests/s is <= 0.5 ms each
        Row(f"gateway: time per request ({conn})", _LABEL, 1000.0 / rate if rate else
            float("inf"), "ms", target=0.5, digits=3),
    ]  # fmt: skip
    if cpu_before is not None and cpu_after is not None and ok:
        # what a request costs the gateway process whatever else runs on the machine: the
        # throughput one core would give it (the load generator and upstream need CPU too)
        per_request = (cpu_after - cpu_before) / (ok + failed) * 1000
        rows.append(Row("gateway: CPU time per request (gateway process)", _LABEL,
                        per_request, "ms", digits=3))  # fmt: skip
        rows.append(Row("gateway: requests per CPU-second (gateway process)", _LABEL,
                        1000 / per_request if per_request else 0.0, "req/s", digits=0))  # fmt: skip
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        rows.append(Row("gateway: machine load average during the run", _LABEL, load, "", digits=2))
    if failed:
        rows.append(Row("gateway: answers other than 200", _LABEL, failed, "responses", 0, 0))
    answered = count + 300 + ok + failed
    return rows, answered


def gateway_rows() -> list[Row]:
    seconds = float(os.environ.get("RADIANT_BENCH_GATEWAY_SECONDS", "20"))
    spawn = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        upstream_port, gateway_port = _free_port(), _free_port()
        upstream = spawn.Process(target=_serve_upstream, args=(upstream_port,), daemon=True)
        upstream.start()
        gateway: subprocess.Popen[bytes] | None = None
        try:
            _wait_for(upstream_port)
            _progress(f"registry with {_CONNECTIONS + 1} tenants")
            url, keys = _prepare(directory, upstream_port, _CONNECTIONS + 1)
            _progress("radiant serve")
            gateway = _serve_gateway(url, str(directory / "spool"), gateway_port)
            _wait_for(gateway_port)
            rows, answered = _measure(upstream_port, gateway_port, keys, seconds, gateway.pid)
            gateway.terminate()  # SIGTERM: uvicorn stops, the meter flushes what it holds
            gateway.wait(timeout=30)
            recorded = _count_events(url)
            rows.append(
                Row("gateway: usage events recorded / requests answered", _LABEL,
                    recorded / answered if answered else 0.0, "", digits=4)
            )  # fmt: skip
            return rows
        finally:
            if gateway is not None and gateway.poll() is None:
                gateway.kill()
                gateway.wait(timeout=5)
            if upstream.is_alive():
                upstream.kill()
                upstream.join(timeout=5)
