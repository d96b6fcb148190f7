"""Memory of ``radiant serve`` — the product path, with its defaults — over a database.

The server is started on the bench database (whatever registry it holds: the built-in
catalog, the synthetic 10,000 models, or an imported world), asked once to list and once
to select (so the snapshot and the selection index are built, as the first requests
build them), and its resident memory is read from ``/proc``. The scheduled syncs are
off (``RADIANT_SCHEDULER=false``): a sync would change the database being measured.

Then another process (this one) writes to the registry, and selections are asked of the
server, one after the other with a new token estimate each, until ``/healthz`` reports the
new version: the slowest of them is what a request waits for a snapshot change, the first
one after it the cost of a just-served snapshot; the time until the new version answers is
how long a change takes to reach the server.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from benchmarks._report import Row

__all__ = ["FIRST_SELECTION_TARGET_MS", "SERVE_RSS_TARGET_MB", "serve_rows"]

#: the catalog-world issue: a server with the world loaded stays under 300 MB
SERVE_RSS_TARGET_MB = 300.0
#: the catalog-world issue: the first selection after a snapshot change takes <= 200 ms
FIRST_SELECTION_TARGET_MS = 200.0
_BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _memory_mb(pid: int) -> tuple[float, float]:
    """(resident, peak resident) memory of ``pid`` in MB."""
    fields: dict[str, float] = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = float(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def _call(base: str, path: str, body: dict[str, object] | None = None) -> None:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base + path, data=data, headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=300) as response:
        response.read()


def serve_rows(
    database_url: str,
    label: str,
    *,
    loaded: str = "registry",
    rss_target: float | None = None,
    timeout: float = 300.0,
) -> list[Row]:
    """RSS of ``radiant serve`` on ``database_url`` once it has answered a listing and a
    selection (``loaded`` names what its registry holds), its peak, and its start time.
    ``rss_target``: the catalog-world issue sets one for the world (``SERVE_RSS_TARGET_MB``)."""
    if not Path("/proc/self/status").exists():
        note = "skipped: no /proc to read the server's memory from"
        return [Row("radiant serve RSS", label, float("nan"), "MB", note=note)]
    port = _free_port()
    env = {**os.environ, "RADIANT_DATABASE_URL": database_url, "RADIANT_SCHEDULER": "false"}
    command = [str(_BIN / "radiant"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        while True:
            try:
                _call(base, "/healthz")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() - started > timeout:
                    error = server.stderr.read() if server.stderr else ""
                    raise RuntimeError(f"radiant serve did not start: {error[-500:]}") from None
                time.sleep(0.2)
        serving = time.monotonic() - started
        _call(base, "/api/registry/models?limit=1")
        _call(base, "/api/registry/select", {"task": "chat", "tier": 3})
        resident, peak = _memory_mb(server.pid)
        changed = _change_rows(base, database_url, label)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stderr is not None:
            server.stderr.close()
    return [
        Row(
            f"radiant serve RSS: {loaded} loaded, selected from",
            label,
            resident,
            "MB",
            rss_target,
            digits=0,
        ),
        Row("radiant serve peak RSS (VmHWM)", label, peak, "MB", digits=0),
        Row("radiant serve: start until /healthz answers", label, serving * 1000, "ms", digits=0),
        *changed,
    ]


def _version(base: str) -> int:
    with urllib.request.urlopen(base + "/healthz", timeout=60) as response:
        return int(json.loads(response.read())["registry_version"])


def _change_rows(base: str, database_url: str, label: str, timeout: float = 120.0) -> list[Row]:
    from radiant.store.engine import make_engine, session_scope
    from radiant.store.repository import bump_version

    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            version = bump_version(session)
    finally:
        engine.dispose()
    written = time.perf_counter()
    waits: list[float] = []
    served_after = float("nan")
    tokens = 1000
    while time.perf_counter() - written < timeout:
        tokens += 7
        start = time.perf_counter()
        _call(
            base,
            "/api/registry/select",
            {"task": "chat", "tier": 3, "estimated_input_tokens": tokens},
        )
        waits.append(time.perf_counter() - start)
        if _version(base) >= version:
            served_after = time.perf_counter() - written
            break
    start = time.perf_counter()
    _call(base, "/api/registry/select", {"task": "chat", "tier": 3, "estimated_input_tokens": 99})
    first = time.perf_counter() - start
    return [
        Row(
            f"radiant serve: slowest select while a change is built ({len(waits)} asked)",
            label,
            max(waits) * 1000,
            "ms",
            FIRST_SELECTION_TARGET_MS,
            digits=1,
        ),
        Row(
            "radiant serve: first select on the new snapshot (HTTP)",
            label,
            first * 1000,
            "ms",
            FIRST_SELECTION_TARGET_MS,
            digits=1,
        ),
        Row(
            "radiant serve: another process's write (a sync: all re-read) until served",
            label,
            served_after * 1000,
            "ms",
            digits=0,
        ),
    ]
