"""Optimistic concurrency under fire: many clients PATCH one model at once over real HTTP
(uvicorn on 127.0.0.1), on SQLite and PostgreSQL. No update is lost or silently overwritten.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from local_server import serve_app
from manage_helpers import seed
from radiant.api.app import create_app
from radiant.core.audit import AuditQuery, list_audit
from radiant.manage.administrators import AdminService
from radiant.registry.service import Registry

CLIENTS = 100


@pytest.fixture
def server(migrated: Engine, small_catalog: Path) -> Iterator[tuple[str, str]]:
    """A real server on 127.0.0.1 and an admin token: (base url, token)."""
    seed(migrated, small_catalog)
    _, token = AdminService(migrated).create_admin(None, "root@example.test", "super_admin")
    with serve_app(create_app(Registry(migrated))) as base:
        yield base, token


def _call(
    method: str, url: str, token: str, body: Any = None, if_match: str | None = None
) -> tuple[int, dict[str, str], Any]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if if_match is not None:
        headers["If-Match"] = if_match
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read() or b"null")


def _read(base: str, token: str) -> tuple[str, dict[str, Any]]:
    status, headers, body = _call("GET", f"{base}/api/v2/admin/registry/models/acme-large", token)
    assert status == 200, body
    return headers["etag"], body


def test_one_version_many_writers_exactly_one_wins(
    server: tuple[str, str], migrated: Engine
) -> None:
    base, token = server
    tag, before = _read(base, token)
    barrier = threading.Barrier(CLIENTS)

    def patch(i: int) -> tuple[int, int]:
        barrier.wait()
        status, _, _ = _call(
            "PATCH",
            f"{base}/api/registry/models/acme-large",
            token,
            {"description": f"writer {i}"},
            if_match=tag,
        )
        return i, status

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(patch, range(CLIENTS)))
    winners = [i for i, status in results if status == 200]
    assert len(winners) == 1, results
    assert all(status in (200, 412) for _, status in results), results
    _, after = _read(base, token)
    assert after["data"]["description"] == f"writer {winners[0]}"
    assert after["row_version"] == before["row_version"] + 1
    rows, total = list_audit(migrated, AuditQuery(action="model.update", resource_id="acme-large"))
    assert total == 1 and rows[0]["new_values"]["description"] == f"writer {winners[0]}"


def test_read_modify_write_loses_no_update(server: tuple[str, str], migrated: Engine) -> None:
    """Each client adds its own tag, re-reading after every 412: all tags must survive."""
    base, token = server
    _, before = _read(base, token)
    conflicts = 0
    lock = threading.Lock()

    def add_tag(i: int) -> None:
        nonlocal conflicts
        for _ in range(500):
            tag, record = _read(base, token)
            tags = [*record["data"]["tags"], f"client-{i}"]
            status, _, body = _call(
                "PATCH",
                f"{base}/api/registry/models/acme-large",
                token,
                {"tags": tags},
                if_match=tag,
            )
            if status == 200:
                return
            assert status == 412, body
            with lock:
                conflicts += 1
        raise AssertionError(f"client {i} never got through")

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(add_tag, range(CLIENTS)))
    _, after = _read(base, token)
    added = [t for t in after["data"]["tags"] if t.startswith("client-")]
    assert sorted(added) == sorted(f"client-{i}" for i in range(CLIENTS))  # each exactly once
    assert after["row_version"] == before["row_version"] + CLIENTS
    assert conflicts > 0  # the clients did collide
    # the audit log replays the same sequence: each write extends the previous one's result
    rows, total = list_audit(
        migrated, AuditQuery(action="model.update", resource_id="acme-large", limit=500)
    )
    assert total == CLIENTS
    chain = [r["new_values"]["tags"] for r in sorted(rows, key=lambda r: r["id"])]
    for previous, current in zip(chain, chain[1:], strict=False):
        assert current[:-1] == previous
