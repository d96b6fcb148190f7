"""``Idempotency-Key``: a repeat gets the first answer without calling upstream or billing
again; 409 while the first runs, 422 for another body, 400 for a stream; a failed call
frees its key; keys are per tenant, expire, and are shared by every process through the
database. On SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx2
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conftest import migrate
from gateway_fakes import FakeUpstream, serving_upstreams
from gateway_world import Backend, Template, World, make_backends, open_backend_world, open_world
from radiant.gateway.idempotency import Claim, IdempotencyStore, fingerprint
from radiant.gateway.mount import gateway_from_settings
from radiant.registry.service import Registry
from radiant.settings import Settings, get_settings
from radiant.store.billing_tables import IdempotencyKeyRow
from radiant.store.engine import make_engine
from radiant.store.tenant_tables import TenantRow
from radiant.tenants.scope import tenant_scope

BODY = {"model": "small", "messages": [{"role": "user", "content": "hi"}]}


#: for a test whose point is not the storage: SQLite only (the others run on both)
SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture(scope="module")
def upstreams() -> Iterator[dict[str, FakeUpstream]]:
    with serving_upstreams() as fakes:
        yield fakes


@pytest.fixture(scope="module")
def backends(
    tmp_path_factory: pytest.TempPathFactory,
    upstreams: dict[str, FakeUpstream],
    module_postgres_db: str,
) -> dict[str, Backend]:
    return make_backends(tmp_path_factory.mktemp("idempotency"), upstreams, module_postgres_db)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, backends: dict[str, Backend]) -> Backend:
    chosen: Backend = backends[request.param]
    return chosen


class Clock:
    """The idempotency store's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def world(
    backend: Backend, tmp_path: Path, upstreams: dict[str, FakeUpstream], clock: Clock
) -> Iterator[World]:
    with open_backend_world(backend, tmp_path, upstreams) as w:
        w.gateway.idempotency = IdempotencyStore(w.engine, ttl=3600, lease=60, clock=clock)
        yield w


def post(
    world: World,
    key: str | None,
    body: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    path: str = "chat/completions",
) -> httpx2.Response:
    headers = {"Authorization": f"Bearer {token or world.key}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return httpx2.post(f"{world.base}/{path}", json=body or BODY, headers=headers, timeout=10)


def calls(world: World) -> int:
    return sum(len(fake.calls) for fake in world.upstreams.values())


def test_a_repeat_gets_the_first_answer_without_calling_upstream_or_billing_again(
    world: World,
) -> None:
    first = post(world, "order-1")
    assert first.status_code == 200 and "idempotent-replayed" not in first.headers
    again = post(world, "order-1", {"messages": BODY["messages"], "model": "small"})  # reordered
    assert again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    for header in ("x-radiant-request-id", "x-radiant-price", "x-radiant-route", "content-type"):
        assert again.headers[header] == first.headers[header]
    assert calls(world) == 1  # the upstream answered once
    [event] = world.events()  # and the call was billed once
    assert event.id == first.headers["x-radiant-request-id"]
    assert event.billed_price == Decimal(first.headers["x-radiant-price"])


@SQLITE_ONLY
def test_without_the_header_every_call_is_its_own(world: World) -> None:
    assert post(world, None).status_code == post(world, None).status_code == 200
    assert calls(world) == 2 and len(world.events()) == 2
    with Session(world.engine) as session:
        assert session.scalar(select(func.count()).select_from(IdempotencyKeyRow)) == 0


def test_a_repeat_with_another_body_is_refused_and_the_first_answer_kept(world: World) -> None:
    first = post(world, "order-2")
    other = post(world, "order-2", {**BODY, "temperature": 0.5})
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    elsewhere = post(world, "order-2", {"model": "embed", "input": "x"}, path="embeddings")
    assert elsewhere.status_code == 422
    assert post(world, "order-2").content == first.content
    assert calls(world) == 1
    events = world.events()
    assert [e.status for e in events] == ["success", "error", "error"]
    assert sum(e.billed_price for e in events) == events[0].billed_price


def test_a_repeat_while_the_first_runs_is_409(world: World) -> None:
    upstream = world.upstreams["a"]
    upstream.gate.clear()
    upstream.fail("hold", times=1)
    answers: list[httpx2.Response] = []
    first = threading.Thread(target=lambda: answers.append(post(world, "order-3")))
    first.start()
    deadline = time.monotonic() + 5
    while not upstream.calls and time.monotonic() < deadline:  # the first call is upstream
        time.sleep(0.01)
    try:
        busy = post(world, "order-3")
    finally:
        upstream.gate.set()
        first.join(10)
    assert busy.status_code == 409 and busy.headers["retry-after"] == "1"
    assert busy.json()["error"]["code"] == "idempotency_key_in_use"
    assert answers[0].status_code == 200
    again = post(world, "order-3")
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == answers[0].content
    assert len(upstream.calls) == 1


def test_a_failed_call_frees_its_key_for_the_retry(world: World) -> None:
    world.upstreams["a"].fail("500")
    world.upstreams["b"].fail("500")
    assert post(world, "order-4").status_code == 502
    world.upstreams["a"].heal()
    world.upstreams["b"].heal()
    deadline = time.monotonic() + 5
    while (retry := post(world, "order-4")).status_code == 409 and time.monotonic() < deadline:
        time.sleep(0.02)  # the failed call frees its key in the background
    assert retry.status_code == 200 and "idempotent-replayed" not in retry.headers
    events = world.events()
    assert [e.status for e in events if e.error_code != "idempotency_key_in_use"] == [
        "error",
        "success",
    ]
    assert post(world, "order-4").headers["idempotent-replayed"] == "true"


def test_keys_belong_to_one_tenant(world: World, backend: Backend) -> None:
    mine = post(world, "shared-key")
    theirs = post(world, "shared-key", {**BODY, "temperature": 0.1}, token=backend.other_key)
    assert mine.status_code == theirs.status_code == 200
    assert "idempotent-replayed" not in theirs.headers
    events = world.events()
    assert len(events) == 2 and len({e.tenant_id for e in events}) == 2


def test_a_kept_answer_expires(world: World, clock: Clock) -> None:
    post(world, "order-5")
    clock.now += timedelta(seconds=3599)
    assert post(world, "order-5").headers["idempotent-replayed"] == "true"
    clock.now += timedelta(seconds=2)
    fresh = post(world, "order-5", {**BODY, "temperature": 0.2})  # a new call may take it
    assert fresh.status_code == 200 and "idempotent-replayed" not in fresh.headers
    assert calls(world) == 2 and len(world.events()) == 2


def test_a_call_whose_process_died_frees_its_key_after_the_lease(
    world: World, clock: Clock
) -> None:
    with Session(world.engine) as session:
        tenant = session.scalars(select(TenantRow.id).where(TenantRow.slug == "globex")).one()
    same = fingerprint("/v1/chat/completions", BODY, None)
    held = world.gateway.idempotency.claim(tenant, "order-6", same, "dead-call", "chat")
    assert isinstance(held, Claim)  # and its process dies now, holding the key
    assert post(world, "order-6").status_code == 409
    clock.now += timedelta(seconds=61)
    assert post(world, "order-6").status_code == 200


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("key", "body"),
    [
        ("k" * 256, BODY),  # too long
        ("two words", BODY),
        ("order-7", {**BODY, "stream": True}),  # a stream is not kept
    ],
)
def test_bad_keys_and_streams_are_refused(world: World, key: str, body: dict[str, Any]) -> None:
    response = post(world, key, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_idempotency_key"
    assert "Idempotency-Key" in error["message"]
    assert calls(world) == 0


def test_processes_share_keys_through_the_database(
    world: World, tmp_path: Path, upstreams: dict[str, FakeUpstream]
) -> None:
    first = post(world, "order-8")
    directory = tmp_path / "second"
    directory.mkdir()
    # another gateway (its own meter, limiter, caches) on the same database
    keys = Template(directory / "unused.db", world.key, world.slow_key)
    with open_world(keys, directory, upstreams, engine=world.engine) as second:
        again = post(second, "order-8")
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    assert calls(world) == 1


def test_the_time_a_key_is_kept_is_a_setting(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().idempotency_ttl_seconds == 24 * 3600
    monkeypatch.setenv("RADIANT_IDEMPOTENCY_TTL_SECONDS", "90")
    get_settings.cache_clear()
    try:
        gateway = gateway_from_settings(Registry(world.engine), world.health)
    finally:
        get_settings.cache_clear()
    try:
        assert gateway.idempotency.ttl == timedelta(seconds=90)
    finally:
        asyncio.run(gateway.aclose())


@SQLITE_ONLY
def test_without_its_database_a_keyed_call_is_503_and_nothing_is_called(
    world: World, tmp_path: Path
) -> None:
    gone = make_engine(f"sqlite:///{tmp_path / 'missing' / 'radiant.db'}")
    world.gateway.idempotency = IdempotencyStore(gone)
    try:
        response = post(world, "order-9")
    finally:
        gone.dispose()
    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    assert response.json()["error"]["code"] == "idempotency_unavailable"
    assert calls(world) == 0
    assert post(world, None).status_code == 200  # calls without the key do not need it


def test_expired_keys_are_purged(world: World, clock: Clock) -> None:
    post(world, "order-10")
    post(world, "order-11")
    store = world.gateway.idempotency
    assert store.purge() == 0
    clock.now += timedelta(seconds=3601)
    assert store.purge() == 2
    with Session(world.engine) as session:
        assert session.scalar(select(func.count()).select_from(IdempotencyKeyRow)) == 0


def test_tenants_read_only_their_own_keys(postgres_db: str) -> None:
    migrate(postgres_db)
    owner = make_engine(postgres_db)
    store = IdempotencyStore(owner)
    for tenant in ("tenant-a", "tenant-b"):
        store.claim(tenant, "same-key", "f" * 64, f"call-{tenant}", "chat")
    app_engine = make_engine(postgres_db, role="radiant_app")
    try:
        with Session(app_engine) as session, session.begin():
            tenant_scope(session, "tenant-b")
            rows = session.execute(
                select(IdempotencyKeyRow.tenant_id, IdempotencyKeyRow.request_id)
            )
            assert rows.all() == [("tenant-b", "call-tenant-b")]
        with Session(app_engine) as session, session.begin():  # no scope: nothing
            assert list(session.scalars(select(IdempotencyKeyRow.request_id))) == []
    finally:
        app_engine.dispose()
        owner.dispose()
