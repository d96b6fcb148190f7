"""Bad writes get a 4xx problem and change nothing that is stored."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from manage_helpers import seed
from radiant.api.app import create_app
from radiant.manage.administrators import AdminService
from radiant.registry.service import Registry
from radiant.store import tables

PROBLEM = "application/problem+json"
REGISTRY_TABLES = ("platforms", "providers", "models", "model_aliases", "routes", "price_history")


@pytest.fixture
def client(migrated: Engine, small_catalog: Path) -> Iterator[TestClient]:
    seed(migrated, small_catalog)
    with TestClient(create_app(Registry(migrated, check_interval=0))) as test_client:
        yield test_client


def _dump(engine: Engine) -> dict[str, list[str]]:
    with Session(engine) as session:
        return {
            name: sorted(repr(tuple(row)) for row in session.execute(select(table)).all())
            for name, table in tables.Base.metadata.tables.items()
            if name in REGISTRY_TABLES
        }


def _token(client: TestClient) -> dict[str, str]:
    admins: AdminService = client.app.state.admins  # type: ignore[attr-defined]
    _, token = admins.create_admin(None, "root@example.test", "super_admin")
    return {"Authorization": f"Bearer {token}"}


def _etag(client: TestClient, path: str, auth: dict[str, str]) -> str:
    return client.get(f"/api/v2/admin/registry/{path}", headers=auth).headers["ETag"]


BAD: list[tuple[str, str, str, Any, int]] = [
    # (name, method, path, body — bytes are sent raw, expected status)
    ("malformed json", "POST", "/api/registry/models", b'{"id": "x", "name": ', 422),
    ("not an object", "POST", "/api/registry/models", [1, 2, 3], 422),
    ("wrong type", "POST", "/api/registry/models", {"id": 5, "name": "X"}, 422),
    (
        "unknown field",
        "POST",
        "/api/registry/models",
        {"id": "x-1", "name": "X", "provider_id": "acme", "colour": "red"},
        422,
    ),
    (
        "duplicate id",
        "POST",
        "/api/registry/platforms",
        {"id": "hostco", "name": "Again", "kind": "host"},
        409,
    ),
    (
        "dangling provider",
        "POST",
        "/api/registry/models",
        {"id": "x-2", "name": "X", "provider_id": "nobody"},
        422,
    ),
    (
        "dangling route",
        "POST",
        "/api/registry/routes",
        {"model_id": "acme-small", "platform_id": "nowhere", "platform_model_id": "s"},
        422,
    ),
    ("huge body", "POST", "/api/registry/models", b"[" + b"1," * 600_000 + b"1]", 413),
    (
        "patch wrong type",
        "PATCH",
        "/api/registry/models/acme-small",
        {"context_window": "big"},
        422,
    ),
    # JSON types as the schema states them: no "5" for 5, no 1 for true
    (
        "number as a string",
        "PATCH",
        "/api/registry/models/acme-small",
        {"context_window": "200000"},
        422,
    ),
    ("boolean as a number", "PATCH", "/api/registry/models/acme-small", {"enabled": 0}, 422),
    (
        "nested boolean as a string",
        "POST",
        "/api/registry/routes",
        {
            "model_id": "acme-small",
            "platform_id": "hostco",
            "platform_model_id": "s2",
            "price": {"pricing_type": "per_token", "is_estimated": "yes"},
        },
        422,
    ),
    ("patch unknown field", "PATCH", "/api/registry/models/acme-small", {"colour": "red"}, 422),
    (
        "negative price",
        "PATCH",
        "/api/registry/models/acme-small/pricing",
        {"input_cost": "-1"},
        422,
    ),
    (
        "unknown successor",
        "PATCH",
        "/api/registry/models/acme-small/status",
        {"status": "deprecated", "successor_id": "nothing-like-it"},
        422,
    ),
    ("unknown model", "PATCH", "/api/registry/models/nothing-like-it", {"name": "N"}, 404),
]


@pytest.mark.parametrize(("name", "method", "path", "body", "status"), BAD, ids=[b[0] for b in BAD])
def test_bad_writes_are_problems_and_store_nothing(
    client: TestClient,
    migrated: Engine,
    name: str,
    method: str,
    path: str,
    body: Any,
    status: int,
) -> None:
    auth = _token(client)
    headers = {**auth, "content-type": "application/json"}
    if method == "PATCH":
        headers["If-Match"] = '"1"' if status == 404 else _etag(client, "models/acme-small", auth)
    before = _dump(migrated)
    version = client.get("/healthz").json()["registry_version"]
    kwargs: dict[str, Any] = {"content": body} if isinstance(body, bytes) else {"json": body}
    response = client.request(method, path, headers=headers, **kwargs)
    assert response.status_code == status, (name, response.text)
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["detail"]
    assert _dump(migrated) == before
    assert client.get("/healthz").json()["registry_version"] == version


def test_a_patch_without_if_match_is_428_and_a_stale_one_412(
    client: TestClient, migrated: Engine
) -> None:
    auth = _token(client)
    before = _dump(migrated)
    missing = client.patch("/api/registry/models/acme-small", json={"name": "N"}, headers=auth)
    assert missing.status_code == 428
    stale = client.patch(
        "/api/registry/models/acme-small", json={"name": "N"}, headers={**auth, "If-Match": '"99"'}
    )
    assert stale.status_code == 412 and stale.headers["ETag"] == _etag(
        client, "models/acme-small", auth
    )
    assert _dump(migrated) == before


# ------------------------------------------------------------ numbers, methods, headers

HUGE = 10**41


@pytest.mark.parametrize(
    ("path", "answer"),
    [
        (f"/api/v2/admin/audit?offset={2**63}", 422),
        (f"/api/v2/admin/audit?offset={HUGE}", 422),
        (f"/api/v2/admin/approvals?offset={HUGE}", 422),
        (f"/api/registry/models?offset={HUGE}", 422),
        (f"/api/v2/admin/audit?offset={2**63 - 1}&limit=500", 200),
        (f"/api/v2/admin/approvals?offset={2**63 - 1}", 200),
    ],
)
def test_an_offset_beyond_a_64_bit_integer_is_a_422_on_every_store(
    client: TestClient, path: str, answer: int
) -> None:
    response = client.get(path, headers=_token(client))
    assert response.status_code == answer, response.text
    if answer == 200:
        assert response.json()["data"] == []


@pytest.mark.parametrize(
    "usage",
    [
        {"input_tokens": HUGE},
        {"output_tokens": 10**15 + 1},
        {"seconds": "1e41"},
        {"minutes": 1e41},
        {"hours": "0.00000000001"},
    ],
)
def test_an_estimate_of_numbers_no_column_holds_is_a_422(
    client: TestClient, usage: dict[str, Any]
) -> None:
    response = client.post(
        "/api/registry/pricing/estimate", json={"model": "acme-large", "usage": usage}
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    largest = {"input_tokens": 10**15, "output_tokens": 10**15, "seconds": "9999999999.5"}
    fine = client.post(
        "/api/registry/pricing/estimate", json={"model": "acme-large", "usage": largest}
    )
    assert fine.status_code == 200, fine.text


def test_an_unsupported_method_is_a_405_that_says_what_is_allowed(client: TestClient) -> None:
    for method, path, allowed in (
        ("TRACE", "/api/registry/models", "GET, POST"),
        ("PUT", "/api/registry/models", "GET, POST"),
        ("TRACE", "/healthz", "GET"),
        ("POST", "/api/registry/models/acme-large", "GET, PATCH, DELETE"),
    ):
        response = client.request(method, path)
        assert response.status_code == 405, (method, path)
        assert response.headers["Allow"] == allowed, (method, path)
        assert response.headers["content-type"].startswith(PROBLEM)


def test_if_match_is_declared_wherever_it_is_required(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    declared = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if any(
            p["in"] == "header" and p["name"] == "If-Match" and p["required"]
            for p in operation.get("parameters", [])
        )
    }
    assert ("PATCH", "/api/registry/models/{model_id}") in declared
    assert ("DELETE", "/api/v2/admin/routing-rules/{rule_id}") in declared
    # and every PATCH or DELETE that declares it answers 428 without it
    auth = _token(client)
    for method, path in sorted(declared):
        concrete = path.replace("{", "").replace("}", "")
        response = client.request(method, concrete, headers=auth, json={})
        assert response.status_code == 428, (method, path, response.text)


def test_the_cli_says_one_line_for_a_bad_database_url_or_a_huge_number(sqlite_db: str) -> None:
    radiant = str(Path(sys.executable).parent / "radiant")
    for args, code in (
        (("--database-url", "garbage://", "stats"), 2),
        (("--database-url", "not a url", "stats"), 2),
        (("--database-url", sqlite_db, "price", "x", "--input-tokens", str(HUGE)), 2),
        (("--database-url", sqlite_db, "price", "x", "--seconds", "1e41"), 2),
        (("--database-url", sqlite_db, "audit", "list", "--offset", str(HUGE)), 2),
    ):
        done = subprocess.run(
            [radiant, *args], capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == code, (args, done.stderr)
        assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
        assert "Traceback" not in done.stderr
