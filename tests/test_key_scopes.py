"""API-key scopes are checked on every tenant endpoint: a key issued with ``--scope chat``
chats and does nothing else (403 naming the scope it lacks); a key issued without scopes
does everything; migration 0013 keeps the keys issued before scopes were checked working
as they did."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway_fakes import FakeUpstream, serving_upstreams
from gateway_world import ADMIN, Template, World, make_template, open_world
from radiant.errors import ValidationError
from radiant.store.engine import make_engine
from radiant.store.migrate import downgrade, upgrade
from radiant.store.tenant_tables import TenantApiKeyRow, TenantRow
from radiant.tenants import Tenants, admin_scope

HI = [{"role": "user", "content": "hi"}]
#: a call of each tenant endpoint: (scope it needs, method, path, JSON body or form)
CALLS: list[tuple[str, str, str, Any]] = [
    ("chat", "POST", "chat/completions", {"model": "small", "messages": HI}),
    ("embeddings", "POST", "embeddings", {"model": "embed", "input": "x"}),
    ("images", "POST", "images/generations", {"model": "paint", "prompt": "a cat"}),
    ("audio", "POST", "audio/speech", {"model": "voice", "input": "hi", "voice": "alloy"}),
    ("audio", "POST", "audio/transcriptions", {"model": "ears"}),
    ("models", "GET", "models", None),
    ("models", "GET", "models/chat-small", None),
]


@pytest.fixture(scope="module")
def upstreams() -> Iterator[dict[str, FakeUpstream]]:
    with serving_upstreams() as fakes:
        yield fakes


@pytest.fixture(scope="module")
def template(
    tmp_path_factory: pytest.TempPathFactory, upstreams: dict[str, FakeUpstream]
) -> Template:
    urls = {name: fake.url for name, fake in upstreams.items()}  # type: ignore[attr-defined]
    return make_template(tmp_path_factory.mktemp("scopes"), urls)


@pytest.fixture
def world(
    template: Template, tmp_path: Path, upstreams: dict[str, FakeUpstream]
) -> Iterator[World]:
    with open_world(template, tmp_path, upstreams) as w:
        yield w


def call(world: World, key: str, method: str, path: str, body: Any) -> httpx2.Response:
    headers = {"Authorization": f"Bearer {key}"}
    url = f"{world.base}/{path}"
    if path == "audio/transcriptions":
        files = {"file": ("a.mp3", b"\x00" * 64)}
        return httpx2.post(url, data=body, files=files, headers=headers, timeout=30)
    return httpx2.request(method, url, json=body, headers=headers, timeout=30)


def issue(world: World, *scopes: str) -> str:
    keys = Tenants.open(world.registry).keys
    return keys.issue(ADMIN, "globex", name=f"k-{'-'.join(scopes)}", scopes=list(scopes)).secret


@pytest.mark.parametrize("held", ["chat", "embeddings", "images", "audio", "models"])
def test_a_key_calls_the_endpoints_of_its_scopes_only(world: World, held: str) -> None:
    key = issue(world, held)
    for scope, method, path, body in CALLS:
        response = call(world, key, method, path, body)
        if scope == held:
            assert response.status_code == 200, (path, response.text)
            continue
        assert response.status_code == 403, (path, response.text)
        problem = response.json()
        assert f"lacks the scope '{scope}'" in problem["detail"], problem
        if method == "POST":  # the gateway answers OpenAI's way
            assert problem["error"]["code"] == "missing_scope"
            assert problem["error"]["type"] == "permission_error"


def test_a_key_without_scopes_may_do_everything(world: World) -> None:
    keys = Tenants.open(world.registry).keys
    [default] = [k for k in keys.list(ADMIN, "globex") if k.name == "app"]
    assert default.scopes == ()  # issued without --scope: stored with none, meaning all
    for _, method, path, body in CALLS:
        assert call(world, world.key, method, path, body).status_code == 200, path


def test_the_registry_reads_of_a_tenant_key_need_its_models_scope(world: World) -> None:
    chat_only = issue(world, "chat")
    url = f"{world.url}/api/registry/models"
    refused = httpx2.get(url, headers={"Authorization": f"Bearer {chat_only}"})
    assert refused.status_code == 403 and "'models'" in refused.json()["detail"]
    reader = issue(world, "models")
    assert httpx2.get(url, headers={"Authorization": f"Bearer {reader}"}).status_code == 200


def test_a_refused_call_is_recorded_and_reaches_no_upstream(
    world: World, upstreams: dict[str, FakeUpstream]
) -> None:
    for fake in upstreams.values():
        fake.calls.clear()
    key = issue(world, "embeddings")
    assert call(world, key, *CALLS[0][1:]).status_code == 403
    assert all(fake.calls == [] for fake in upstreams.values())
    [event] = world.events()
    assert (event.status, event.error_code) == ("error", "missing_scope")


def test_an_unknown_scope_is_refused_when_the_key_is_issued(world: World) -> None:
    keys = Tenants.open(world.registry).keys
    with pytest.raises(ValidationError, match="unknown scope.*'everything'.*known: 3d, audio"):
        keys.issue(ADMIN, "globex", name="x", scopes=["chat", "everything"])


def _tenant_with_keys(url: str) -> None:
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():
            admin_scope(session)
            session.add(TenantRow(id="t1", name="T", slug="t"))
            session.flush()
            for key_id, scopes in (
                ("old", ["chat", "models", "embeddings"]),  # issued without --scope
                ("chat", ["chat"]),
                ("none", []),
            ):
                session.add(
                    TenantApiKeyRow(
                        id=key_id,
                        tenant_id="t1",
                        name=key_id,
                        key_prefix="rtk_x",
                        key_hash=key_id * 8,
                        scopes=scopes,
                    )
                )
    finally:
        engine.dispose()


def _scopes(url: str) -> dict[str, list[str]]:
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():
            admin_scope(session)
            rows = session.execute(sa.select(TenantApiKeyRow.id, TenantApiKeyRow.scopes))
            return {key_id: list(scopes or []) for key_id, scopes in rows}
    finally:
        engine.dispose()


def test_migration_0013_gives_keys_issued_without_scopes_every_scope(db_url: str) -> None:
    upgrade(db_url, "0010")
    _tenant_with_keys(db_url)
    upgrade(db_url, "0013")
    assert _scopes(db_url) == {"old": [], "chat": ["chat"], "none": []}
    downgrade(db_url, "-1")  # back before 0013: keys without scopes get the old default
    assert _scopes(db_url) == {
        "old": ["chat", "models", "embeddings"],
        "chat": ["chat"],
        "none": ["chat", "models", "embeddings"],
    }
