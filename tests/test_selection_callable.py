"""Only callable routes are chosen: a route on a wire no adapter serves, or whose
credential is not set in this process, is never selected, recommended, ranked cheapest,
optimised, put in a fallback chain or tried by the gateway; explain and the read API say
why; setting the credential makes the route callable from the next snapshot on."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from cli_in_process import run_radiant
from gateway_fakes import FakeUpstream, serving_upstreams
from gateway_world import Template, make_template, open_world
from radiant.api.app import create_app
from radiant.catalog import load_catalog
from radiant.domain import Task
from radiant.providers.callability import CallabilityCheck
from radiant.registry import Snapshot
from radiant.registry.service import Registry
from radiant.secrets import EnvSecretResolver
from radiant.selection import SelectionCriteria, select
from radiant.selection.routes import cheapest_routes, rank_routes
from radiant.store.engine import make_engine
from radiant.store.repository import bump_version
from radiant.store.tables import PlatformRow
from radiant.sync import sync_catalog

KEY = "HOSTCO_TEST_KEY"
BIN = Path(sys.executable).parent


def _token(inp: str, out: str) -> dict[str, Any]:
    return {"pricing_type": "per_token", "input_per_1m": inp, "output_per_1m": out}


def write_catalog(directory: Path) -> Path:
    """Four chat models: the two cheapest only on routes that cannot be called here."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "catalog.yaml").write_text("name: callable-test\nas_of: 2025-01-01\n")
    platforms = [
        # speaks OpenAI's wire, but its key is named and not set
        {
            "id": "hostco",
            "name": "HostCo",
            "kind": "host",
            "base_url": "http://127.0.0.1:9/v1",
            "openai_compatible": True,
            "auth_type": "api_key",
            "auth_config": {"api_key_env": KEY},
        },
        # declares a wire no adapter serves
        {
            "id": "pigeon",
            "name": "Pigeon",
            "kind": "host",
            "base_url": "http://127.0.0.1:9",
            "auth_type": "none",
            "metadata": {"wire": "carrier-pigeon"},
        },
        # needs no key
        {
            "id": "open",
            "name": "Open",
            "kind": "host",
            "base_url": "http://127.0.0.1:9/v1",
            "openai_compatible": True,
            "auth_type": "none",
        },
    ]
    (directory / "platforms.yaml").write_text(yaml.safe_dump({"platforms": platforms}))
    providers = [{"id": "acme", "name": "acme", "display_name": "Acme", "category": "llm"}]
    (directory / "providers.yaml").write_text(yaml.safe_dump({"providers": providers}))

    def chat(mid: str, routes: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "id": mid,
            "provider_id": "acme",
            "name": mid,
            "display_name": mid,
            "category": "text_generation",
            "capabilities": ["chat"],
            "input_modalities": ["text"],
            "output_modalities": ["text"],
            "routes": routes,
        }

    def route(pid: str, inp: str, priority: int = 1) -> dict[str, Any]:
        price = _token(inp, inp)
        return {"platform_id": pid, "model_string": "m", "priority": priority, "price": price}

    models = [
        chat("keyless", [route("hostco", "0.10")]),
        chat("wireless", [route("pigeon", "0.05")]),
        chat("dear", [route("open", "5.00")]),
        chat("both", [route("pigeon", "0.01"), route("open", "9.00", priority=2)]),
    ]
    (directory / "models").mkdir(exist_ok=True)
    (directory / "models" / "chat.yaml").write_text(yaml.safe_dump({"models": models}))
    return directory


@pytest.fixture(scope="module")
def catalog_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_catalog(tmp_path_factory.mktemp("callable") / "catalog")


def _snapshot(catalog_dir: Path, environ: dict[str, str]) -> Snapshot:
    c = load_catalog(catalog_dir)
    check = CallabilityCheck(EnvSecretResolver(environ))
    return Snapshot.build(
        1,
        c.platforms.values(),
        c.providers.values(),
        c.models.values(),
        c.routes.values(),
        route_check=check,
    )


CHAT = SelectionCriteria(task=Task.CHAT, limit=10)


def test_the_check_names_why_a_route_cannot_be_called(catalog_dir: Path) -> None:
    snapshot = _snapshot(catalog_dir, {})
    assert snapshot.uncallable == {
        "keyless@hostco": f"no credential ({KEY} is not set)",
        "wireless@pigeon": "no adapter for wire 'carrier-pigeon'",
        "both@pigeon": "no adapter for wire 'carrier-pigeon'",
    }
    assert _snapshot(catalog_dir, {KEY: "k"}).uncallable.keys() == {
        "wireless@pigeon",
        "both@pigeon",
    }


def test_the_bedrock_and_vertex_seams_are_not_callable() -> None:
    c = load_catalog()
    check = CallabilityCheck(EnvSecretResolver({"AWS_REGION": "us-east-1"}))
    for pid, wire in (("bedrock", "bedrock"), ("vertex_ai", "vertex")):
        route = next(r for r in c.routes.values() if r.platform_id == pid)
        provider = c.providers[c.models[route.model_id].provider_id]
        reason = check(c.platforms[pid], route, provider)
        assert reason is not None and f"no adapter for wire {wire!r}" in reason


def test_selection_recommend_cheapest_and_fallbacks_skip_uncallable_routes(
    catalog_dir: Path,
) -> None:
    snapshot = _snapshot(catalog_dir, {})
    chosen = [(c.entry.id, c.route.platform_id) for c in select(snapshot, CHAT).candidates]
    assert chosen == [("dear", "open"), ("both", "open")]  # the two dearest, the callable
    explained = select(snapshot, CHAT, explain=True)
    assert [(c.entry.id, c.route.platform_id) for c in explained.candidates] == chosen
    why = {(e.model_id, e.code): e.reason for e in explained.excluded}
    assert why == {
        ("keyless", "callable"): f"route keyless@hostco is not callable: no credential ({KEY} "
        "is not set)",
        ("wireless", "callable"): "route wireless@pigeon is not callable: no adapter for wire "
        "'carrier-pigeon'",
    }
    cheap = cheapest_routes(snapshot, CHAT)
    assert [r.route.id for r in cheap] == ["dear@open", "both@open"]
    ranked = rank_routes(snapshot, snapshot.resolve("both"))
    assert [(r.route.platform_id, r.usable) for r in ranked] == [("open", True), ("pigeon", False)]
    assert ranked[1].reason == "not callable: no adapter for wire 'carrier-pigeon'"
    # an administrator can still see and rank every route
    everything = CHAT.model_copy(update={"include_uncallable": True})
    assert [c.entry.id for c in select(snapshot, everything).candidates] == [
        "both",
        "wireless",
        "keyless",
        "dear",
    ]
    assert len(cheapest_routes(snapshot, everything)) == 5


def test_setting_the_credential_makes_the_route_callable(catalog_dir: Path) -> None:
    snapshot = _snapshot(catalog_dir, {KEY: "set-now"})
    chosen = [c.entry.id for c in select(snapshot, CHAT).candidates]
    assert chosen == ["keyless", "dear", "both"]


# ---------------------------------------------------------------------- the API


@pytest.fixture
def synced(migrated: Engine, catalog_dir: Path) -> Engine:
    sync_catalog(migrated, load_catalog(catalog_dir))
    return migrated


@pytest.fixture
def client(synced: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.delenv(KEY, raising=False)
    with TestClient(create_app(Registry(synced))) as test_client:
        yield test_client


def test_the_read_api_shows_callability_per_route(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    routes = client.get("/api/registry/models/keyless/routes").json()["data"]
    assert [(r["callable"], r["not_callable_reason"]) for r in routes] == [
        (False, f"no credential ({KEY} is not set)")
    ]
    detail = client.get("/api/registry/models/both").json()["routes"]
    assert {r["platform"]: r["callable"] for r in detail} == {"pigeon": False, "open": True}
    best = client.get("/api/registry/models/keyless/routes/best")
    assert best.status_code == 404 and "not callable here" in best.json()["detail"]
    admin = client.get("/api/registry/models/keyless/routes/best?include_uncallable=true")
    assert admin.status_code == 200 and admin.json()["callable"] is False

    monkeypatch.setenv(KEY, "set-now")  # the next snapshot sees it
    client.app.state.registry.refresh()  # type: ignore[attr-defined]
    routes = client.get("/api/registry/models/keyless/routes").json()["data"]
    assert [(r["callable"], r["not_callable_reason"]) for r in routes] == [(True, None)]
    assert client.get("/api/registry/models/keyless/routes/best").status_code == 200


def test_select_recommend_cheapest_and_optimize_over_http(client: TestClient) -> None:
    body = {"task": "chat", "explain": True}
    result = client.post("/api/registry/select", json=body).json()
    assert [c["route_id"] for c in result["data"]] == ["dear@open", "both@open"]
    codes = {e["model_id"]: (e["code"], e["reason"]) for e in result["excluded"]}
    assert codes["keyless"][0] == "callable" and "no credential" in codes["keyless"][1]
    assert "no adapter for wire 'carrier-pigeon'" in codes["wireless"][1]
    recommended = client.post("/api/registry/recommend", json={"task": "chat"}).json()
    assert [c["model_id"] for c in recommended["data"]] == ["dear", "both"]
    cheapest = client.post("/api/registry/routes/cheapest", json={"prompt_tokens": 100}).json()
    assert [c["route_id"] for c in cheapest["data"]] == ["dear@open", "both@open"]
    shape = {"estimated_input_tokens": 1000, "estimated_output_tokens": 100}
    optimized = client.post("/api/registry/pricing/optimize", json={"request": shape}).json()
    assert optimized["selected_model"]["route_id"] == "dear@open"
    assert {c["route_id"] for c in optimized["all_candidates"]} == {"dear@open", "both@open"}
    everything = {"request": shape, "include_uncallable": True}
    admin = client.post("/api/registry/pricing/optimize", json=everything).json()
    assert admin["selected_model"]["route_id"] == "both@pigeon"
    assert admin["selected_model"]["flags"]["is_callable"] is False


# ---------------------------------------------------------------------- the CLI


def test_the_cli_lists_callability_and_recommends_callable_routes_only(
    synced: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = synced.url.render_as_string(hide_password=False)
    env = {"PATH": str(BIN), "RADIANT_DATABASE_URL": url, "XDG_DATA_HOME": str(tmp_path)}

    def radiant(*args: str, **extra: str) -> str:
        done = run_radiant(args, env={**env, **extra})
        assert done.returncode == 0, done.stderr
        return done.stdout

    listed = radiant("routes", "list", "keyless")
    assert f"no: no credential ({KEY} is not set)" in listed
    recommended = radiant("recommend", "--task", "chat", "--json")
    assert '"model_id": "keyless"' not in recommended and '"model_id": "dear"' in recommended
    with_key = radiant("recommend", "--task", "chat", "--json", **{KEY: "set"})
    assert '"model_id": "keyless"' in with_key
    admin = radiant("recommend", "--task", "chat", "--json", "--include-uncallable")
    assert '"model_id": "wireless"' in admin


# ---------------------------------------------------------------------- the gateway

GATEWAY_KEY = "GATEWAY_TEST_A_KEY"


@pytest.fixture(scope="module")
def upstreams() -> Iterator[dict[str, FakeUpstream]]:
    with serving_upstreams() as fakes:
        yield fakes


@pytest.fixture(scope="module")
def template(
    tmp_path_factory: pytest.TempPathFactory, upstreams: dict[str, FakeUpstream]
) -> Template:
    urls = {name: fake.url for name, fake in upstreams.items()}  # type: ignore[attr-defined]
    made = make_template(tmp_path_factory.mktemp("gateway"), urls)
    # platform a now needs a key, named and not set: its routes cannot be called
    engine = make_engine(f"sqlite:///{made.path}")
    try:
        with Session(engine) as session, session.begin():
            session.execute(
                update(PlatformRow)
                .where(PlatformRow.id == "a")
                .values(auth_type="api_key", auth_config={"api_key_env": GATEWAY_KEY})
            )
            bump_version(session)
    finally:
        engine.dispose()
    return made


def test_the_gateway_never_spends_a_hop_on_a_route_it_cannot_call(
    template: Template,
    tmp_path: Path,
    upstreams: dict[str, FakeUpstream],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(GATEWAY_KEY, raising=False)
    with open_world(template, tmp_path, upstreams) as world:
        world.gateway.chains.max_hops = 1  # one try: it must be a route that can be called
        hi: Any = [{"role": "user", "content": "hi"}]
        # chat-small is cheapest on a (no key): its route on b is the one to call
        raw = world.client().chat.completions.with_raw_response.create(model="auto", messages=hi)
        assert raw.headers["x-radiant-route"] == "chat-small@b"
        named = world.client().chat.completions.with_raw_response.create(
            model="chat-small", messages=hi
        )
        assert named.headers["x-radiant-route"] == "chat-small@b"
        assert upstreams["a"].calls == []

        monkeypatch.setenv(GATEWAY_KEY, "set-now")  # from the next snapshot on
        world.registry.refresh()
        raw = world.client().chat.completions.with_raw_response.create(model="auto", messages=hi)
        assert raw.headers["x-radiant-route"] == "chat-small@a"
