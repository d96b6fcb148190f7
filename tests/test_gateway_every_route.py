"""Every route of the built-in catalog, called through the gateway: each route that can be
called answers a real ``/v1`` request (against a local fake of its provider's wire) and
leaves exactly one usage event with the price its sheet gives; each one that cannot is
marked so, with a reason a user can read.

One server on 127.0.0.1 serves every fake under a prefix of its own (the provider fakes
of ``providers_fakes`` at the root); every route's endpoint is pointed at its wire's fake.
A model with several callable routes is called until each has answered: the route that
answered is taken out of service and the next call falls back to the next one.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx2
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.routing import Mount

from conftest import migrate
from fakes_media import (
    KLING_KEY,
    MediaState,
    fal_app,
    ideogram_app,
    kling_app,
    luma_app,
    meshy_app,
    replicate_app,
    runway_app,
    stability_app,
    tripo_app,
)
from fakes_retrieval import (
    RetrievalState,
    assemblyai_app,
    cohere_app,
    exa_app,
    tavily_app,
    voyage_app,
)
from fakes_sagemaker import FakeSageMaker, sagemaker_app
from gateway_world import ADMIN
from local_server import serve_app
from manage_helpers import ctx
from providers_fakes import KEY, Upstream, build_app
from radiant.api.app import create_app
from radiant.catalog import load_catalog
from radiant.domain import Task
from radiant.gateway.limits import LocalRateLimiter
from radiant.gateway.metering import Meter
from radiant.gateway.retry import RetryPolicy
from radiant.gateway.service import Gateway
from radiant.manage.registry_writes import RegistryWriter
from radiant.pricing.service import PricingService
from radiant.providers.self_hosted import route_endpoint_name
from radiant.providers.target import wire_for
from radiant.registry.service import Registry
from radiant.secrets import env_name
from radiant.store.billing_tables import UsageEventRow
from radiant.store.engine import make_engine
from radiant.store.repository import bump_version
from radiant.store.tables import RouteRow, ThermalStateRow
from radiant.sync.catalog_sync import sync_catalog
from radiant.tenants import Tenants

pytestmark = pytest.mark.slow

#: where each wire's fake is, under the one server (the adapter's base URL)
BASES = {
    "openai": "/openai/v1",
    "azure_openai": "/azure",
    "anthropic": "/anthropic/v1",
    "gemini": "/gemini/v1beta",
    "elevenlabs": "/elevenlabs/v1",
    "deepgram": "/deepgram/v1",
    "cohere": "/cohere",
    "voyage": "/voyage/v1",
    "exa": "/exa",
    "tavily": "/tavily",
    "assemblyai": "/assemblyai/v2",
    "stability": "/stability",
    "replicate": "/replicate",
    "ideogram": "/ideogram",
    "runway": "/runway/v1",
    "luma": "/luma/dream-machine/v1",
    "kling": "/kling/v1",
    "fal": "/fal",
    "meshy": "/meshy/openapi",
    "tripo": "/tripo/v2/openapi",
    "sagemaker": "/sagemaker",
}
#: the wires Radiant leaves to a plug-in (their routes are listed, not callable)
SEAMS = {"bedrock", "vertex"}

AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(64)


@dataclass
class Everything:
    url: str
    engine: Any
    registry: Registry
    meter: Meter
    key: str
    upstream: Upstream
    sagemaker: FakeSageMaker
    gateway: Gateway

    def events(self, request_id: str) -> list[UsageEventRow]:
        self.meter.flush()
        with Session(self.engine) as session:
            rows = session.scalars(select(UsageEventRow).where(UsageEventRow.id == request_id))
            return list(rows)


def _fakes(upstream: Upstream, sagemaker: FakeSageMaker) -> Starlette:
    retrieval, media = RetrievalState(), MediaState(polls=1)
    mounts = [
        Mount("/sagemaker", app=sagemaker_app(sagemaker)),
        Mount("/cohere", app=cohere_app(retrieval)),
        Mount("/voyage", app=voyage_app(retrieval)),
        Mount("/exa", app=exa_app(retrieval)),
        Mount("/tavily", app=tavily_app(retrieval)),
        Mount("/assemblyai", app=assemblyai_app(retrieval)),
        Mount("/stability", app=stability_app(media)),
        Mount("/replicate", app=replicate_app(media)),
        Mount("/ideogram", app=ideogram_app(media)),
        Mount("/runway", app=runway_app(media)),
        Mount("/luma", app=luma_app(media)),
        Mount("/kling", app=kling_app(media)),
        Mount("/fal", app=fal_app(media)),
        Mount("/meshy", app=meshy_app(media)),
        Mount("/tripo", app=tripo_app(media)),
        Mount("/", app=build_app(upstream)),
    ]
    return Starlette(routes=mounts)


def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every key the catalog names, as the fakes take them; AWS's for SageMaker."""
    catalog = load_catalog()
    refs: list[Any] = []
    for prov in catalog.providers.values():
        refs += [prov.api_key_env, prov.secret_ref]
    for plat in catalog.platforms.values():
        refs += [plat.auth_config.get("api_key_env"), plat.auth_config.get("secret_ref")]
    for ref in refs:
        if isinstance(ref, str) and ref.strip():
            monkeypatch.setenv(env_name(ref), KLING_KEY if "KLING" in ref.upper() else KEY)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")


def _point_routes_at(engine: Any, server: str) -> dict[str, str]:
    """Each route's endpoint made its wire's fake (fast polls); the wire of each route."""
    catalog = load_catalog()
    wires: dict[str, str] = {}
    with Session(engine) as session, session.begin():
        for route in catalog.routes.values():
            model = catalog.models[route.model_id]
            platform = catalog.platforms[route.platform_id]
            wire = wire_for(platform, route, catalog.providers.get(model.provider_id))
            if wire is None or wire in SEAMS:  # Midjourney; Bedrock and Vertex
                continue
            wires[route.id] = wire
            meta = dict(route.metadata)
            meta["wire_options"] = {**meta.get("wire_options", {}), "poll_interval": 0.01}
            session.execute(
                update(RouteRow)
                .where(RouteRow.model_id == route.model_id, RouteRow.platform_id == platform.id)
                .values(endpoint_override=server + BASES[wire], meta=meta)
            )
        bump_version(session)
    return wires


@pytest.fixture(scope="module")
def everything(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Everything]:
    directory = tmp_path_factory.mktemp("every-route")
    with pytest.MonkeyPatch.context() as monkeypatch:
        _credentials(monkeypatch)
        catalog = load_catalog()
        endpoints = {
            route_endpoint_name(r.model_id, r.metadata): r.metadata["wire_options"]["format"]
            for r in catalog.routes.values()
            if r.platform_id == "self_hosted"
        }
        sagemaker = FakeSageMaker(endpoints=endpoints)
        upstream = Upstream(video_polls=1)
        with serve_app(_fakes(upstream, sagemaker), lifespan="off") as server:
            upstream.base = server
            url = f"sqlite:///{directory / 'radiant.db'}"
            migrate(url)
            engine = make_engine(url)
            sync_catalog(engine, catalog)
            _point_routes_at(engine, server)
            registry = Registry(engine)
            tenants = Tenants.open(registry)
            tenants.tenants.create(ADMIN, name="Everyone", slug="everyone", tier=5)
            for model_id in catalog.models:
                tenants.access.grant(ADMIN, "everyone", model_id)
            key = tenants.keys.issue(ADMIN, "everyone", name="app").secret
            meter = Meter(engine, directory / "spool")
            gateway = Gateway(
                registry,
                meter=meter,
                limiter=LocalRateLimiter(),
                retry=RetryPolicy(attempts_per_route=1),
            )
            app = create_app(registry, gateway=gateway, expose_route=True)
            with serve_app(app) as api:
                yield Everything(api, engine, registry, meter, key, upstream, sagemaker, gateway)
            engine.dispose()


def _request(task: Task, model: str, provider: str) -> tuple[str, dict[str, Any]]:
    """The ``/v1`` path and body that call a model of ``task``."""
    if task in (Task.CHAT, Task.COMPLETION):
        return "/v1/chat/completions", {"messages": [{"role": "user", "content": "Hi"}]}
    if task is Task.EMBEDDING:
        return "/v1/embeddings", {"input": "a sentence to embed"}
    if task is Task.IMAGE:
        return "/v1/images/generations", {"prompt": "a lighthouse at dusk"}
    if task is Task.AUDIO:
        voice = "21m00Tcm4TlvDq8ikWAM" if provider == "elevenlabs" else "alloy"
        return "/v1/audio/speech", {"input": "Hello there", "voice": voice}
    if task is Task.TRANSCRIPTION:
        return "/v1/audio/transcriptions", {}
    if task is Task.RERANK:
        return "/v1/rerank", {"query": "capital of France", "documents": ["Paris", "Rome", "Oslo"]}
    if task is Task.SEARCH:
        return "/v1/search", {"query": "latest AI model prices", "max_results": 3}
    if task is Task.VIDEO:
        body: dict[str, Any] = {"prompt": "waves on a beach", "seconds": "5"}
        if provider == "runway":  # Runway's turbo models make video from an image only
            body["input_reference"] = {"image_url": "https://example.test/frame.png"}
        return "/v1/videos", body
    if task is Task.THREE_D:
        return "/v1/3d", {"prompt": "a wooden chair"}
    assert task is Task.INFERENCE, task
    return "/v1/inference", {"input": {"inputs": [[0.1, 0.2, 0.3]]}}


def _call(world: Everything, client: httpx2.Client, path: str, body: dict[str, Any]) -> Any:
    if path == "/v1/audio/transcriptions":
        return client.post(
            path,
            data={"model": body["model"]},
            files={"file": ("hello.wav", AUDIO, "audio/wav")},
        )
    return client.post(path, json=body)


def _follow_job(
    client: httpx2.Client, path: str, job: dict[str, Any], headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """Read a job back until it is done (the fakes finish one after a poll or two)."""
    deadline = time.monotonic() + 20
    while job["status"] not in ("completed", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.02)
        read = client.get(f"{path}/{job['id']}", headers=headers)
        assert read.status_code == 200, read.text
        job = read.json()
    return job


def _expected_price(world: Everything, event: UsageEventRow, route_id: str) -> Decimal:
    """The price of the event's recorded units on the route, marked up as the book says:
    the cost the event records, re-derived from its units and the route's sheet."""
    snapshot = world.registry.snapshot()
    entry = snapshot.resolve(event.model_id)
    route = next(r for r in entry.routes if r.id == route_id)
    platform = snapshot.platforms[route.platform_id]
    book = PricingService(world.registry).book(snapshot)
    markup = book.resolve(route, entry.model.provider_id, route.hosting_type(platform.kind))
    return event.base_cost * (1 + markup.percent / 100)


def _check_answer(path: str, answer: Any) -> None:
    if path == "/v1/audio/speech":
        assert answer.content, "no audio"
        return
    data = answer.json()
    if path == "/v1/chat/completions":
        assert data["choices"][0]["message"]["content"]
    elif path == "/v1/embeddings":
        assert data["data"][0]["embedding"]
    elif path == "/v1/images/generations":
        assert data["data"] and set(data["data"][0]) & {"url", "b64_json"}
    elif path == "/v1/audio/transcriptions":
        assert isinstance(data["text"], str)
    elif path == "/v1/rerank":
        assert sorted(r["index"] for r in data["results"]) == [0, 1, 2]
    elif path == "/v1/search":
        assert data["results"] and data["results"][0]["url"]
    elif path == "/v1/inference":
        assert data["object"] == "inference" and isinstance(data["output"], dict)


def test_every_route_is_called_through_the_gateway_or_says_why_not(
    everything: Everything,
) -> None:
    world = everything
    snapshot = world.registry.refresh()
    catalog = load_catalog()
    uncallable: dict[str, str] = {}
    for e in snapshot.entries:
        for r in e.routes:
            reason = snapshot.not_callable(r)
            if reason is not None:
                uncallable[r.id] = reason
    # the routes that cannot be called say why, in words: no adapter (Bedrock, Vertex) or
    # no public API (Midjourney)
    assert uncallable and all(reason for reason in uncallable.values())
    assert {r.split("@")[1] for r in uncallable} <= {"bedrock", "vertex_ai", "direct"}
    assert uncallable.get("midjourney-v6@direct", "").startswith("no public API")
    answered: dict[str, str] = {}
    writer = RegistryWriter(world.engine, world.registry)
    headers = {"Authorization": f"Bearer {world.key}"}
    with httpx2.Client(base_url=world.url, headers=headers, timeout=30) as client:
        for entry in world.registry.snapshot().entries:
            callable_routes = {r.id for r in entry.routes if r.id not in uncallable}
            if not callable_routes:
                continue
            model = entry.model
            path, body = _request(entry.task, entry.id, model.provider_id)
            body = {"model": entry.id, **body}
            for _ in callable_routes:
                answer = _call(world, client, path, body)
                assert answer.status_code == 200, (entry.id, answer.text)
                route_id = answer.headers["x-radiant-route"]
                assert route_id in callable_routes and route_id not in answered
                request_id = answer.headers["x-radiant-request-id"]
                if path in ("/v1/videos", "/v1/3d"):
                    job = _follow_job(client, path, answer.json())
                    assert job["status"] == "completed", job
                    assert job["model"] == entry.id
                else:
                    _check_answer(path, answer)
                events = world.events(request_id)
                assert len(events) == 1, (route_id, events)
                event = events[0]
                assert (event.route_id, event.status) == (route_id, "success")
                price = event.billed_price
                assert price > 0, (route_id, "billed nothing")
                assert price == Decimal(answer.headers["x-radiant-price"]), route_id
                expected = _expected_price(world, event, route_id)
                assert abs(price - expected) < Decimal("1e-20"), (route_id, price, expected)
                answered[route_id] = path
                if len(callable_routes) > 1:  # the next call falls back to the next route
                    record = writer.get("route", route_id)
                    writer.set_status(
                        "route", route_id, {"status": "inactive"}, record.row_version, ctx()
                    )
                    world.registry.refresh()
    every = set(catalog.routes)
    assert set(answered) | set(uncallable) == every
    assert not set(answered) & set(uncallable)
    by_path = {p: sum(1 for v in answered.values() if v == p) for p in set(answered.values())}
    # every door was used: what each route is for, it was called through
    assert set(by_path) == {
        "/v1/chat/completions",
        "/v1/embeddings",
        "/v1/images/generations",
        "/v1/audio/speech",
        "/v1/audio/transcriptions",
        "/v1/rerank",
        "/v1/search",
        "/v1/videos",
        "/v1/3d",
        "/v1/inference",
    }
    assert len(answered) == len(every) - len(uncallable)


def test_routes_list_names_what_cannot_be_called(everything: Everything) -> None:
    """``GET /api/registry/routes?callable=false``: the same routes, the same reasons."""
    with httpx2.Client(base_url=everything.url, timeout=30) as client:
        listed = client.get("/api/registry/routes", params={"callable": "false"}).json()
        callable_ = client.get("/api/registry/routes", params={"callable": "true"}).json()
    assert listed["count"] == 11 and callable_["count"] == len(load_catalog().routes) - 11
    reasons = {r["id"]: r["not_callable_reason"] for r in listed["data"]}
    assert all(not r["callable"] for r in listed["data"])
    assert reasons["midjourney-v6@direct"].startswith("no public API")
    assert "bedrock" in reasons["anthropic-claude-opus-4-5@bedrock"]
    assert all(r["callable"] and r["not_callable_reason"] is None for r in callable_["data"])


def test_a_job_is_its_tenants_alone(everything: Everything, tmp_path: Path) -> None:
    """Another tenant's key reads no job of this one's (404, as for no job at all)."""
    tenants = Tenants.open(everything.registry)
    tenants.tenants.create(ADMIN, name="Other", slug="other", tier=5)
    tenants.access.grant(ADMIN, "other", "luma-ray-2")
    other = tenants.keys.issue(ADMIN, "other", name="app").secret
    body = {"model": "luma-ray-2", "prompt": "a red kite", "seconds": 5}
    mine = {"Authorization": f"Bearer {everything.key}"}
    theirs = {"Authorization": f"Bearer {other}"}
    with httpx2.Client(base_url=everything.url, timeout=30) as client:
        started = client.post("/v1/videos", json=body, headers=mine)
        assert started.status_code == 200, started.text
        job = started.json()
        assert job["id"].startswith("video_") and job["object"] == "video"
        assert job["model"] == "luma-ray-2"
        refused = client.get(f"/v1/videos/{job['id']}", headers=theirs)
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
        assert client.get("/v1/videos/video_nonesuch", headers=mine).status_code == 404
        early = client.get(f"/v1/videos/{job['id']}/content", headers=mine)
        if early.status_code != 200:  # not finished yet: says so
            assert early.status_code == 409
            assert early.json()["error"]["code"] == "job_not_completed"
        done = _follow_job(client, "/v1/videos", job, mine)
        assert done["status"] == "completed" and done["id"] == job["id"]
        video = client.get(f"/v1/videos/{job['id']}/content", headers=mine)
        assert video.status_code == 200 and video.content.startswith(b"\x00\x00\x00\x18ftyp")
        refused = client.get(f"/v1/videos/{job['id']}/content", headers=theirs)
        assert refused.status_code == 404
    # the job was billed once, when it started, for the seconds asked: reads bill nothing
    events = everything.events(started.headers["x-radiant-request-id"])
    assert len(events) == 1 and events[0].seconds == Decimal(5)
    assert events[0].billed_price > 0


@pytest.mark.parametrize(
    ("cold_start", "answers"), [("fallback", "together"), ("wait", "self_hosted")]
)
def test_a_cold_endpoint_is_warmed_and_the_ready_route_answers_meanwhile(
    everything: Everything, cold_start: str, answers: str
) -> None:
    """Seed 002's rule: the primary route's endpoint is COLD, so its warm-up is asked for
    and the request goes to a ready route; with ``wait`` it goes to the cold one all the
    same (the warm-up is asked for too)."""
    writer = RegistryWriter(everything.engine, everything.registry)
    for route_id, priority in (("llama-3.3-70b@self_hosted", 1), ("llama-3.3-70b@together", 2)):
        record = writer.get("route", route_id)
        changes = {"status": "active", "priority": priority}
        writer.update("route", route_id, changes, record.row_version, ctx())
    with Session(everything.engine) as session, session.begin():
        session.execute(
            update(ThermalStateRow)
            .where(ThermalStateRow.model_id == "llama-3.3-70b")
            .values(current_state="COLD", target_state=None, is_transitioning=False)
        )
        bump_version(session)
    everything.registry.refresh()
    gateway = everything.gateway
    gateway.cold_start = cold_start
    body = {"model": "llama-3.3-70b", "messages": [{"role": "user", "content": "Hi"}]}
    headers = {"Authorization": f"Bearer {everything.key}"}
    try:
        with httpx2.Client(base_url=everything.url, headers=headers, timeout=30) as client:
            answer = client.post("/v1/chat/completions", json=body)
    finally:
        gateway.cold_start = "fallback"
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-radiant-route"] == f"llama-3.3-70b@{answers}"
    deadline = time.monotonic() + 5
    while True:  # the warm-up is asked for in the background
        with Session(everything.engine) as session:
            row = session.scalars(
                select(ThermalStateRow).where(ThermalStateRow.model_id == "llama-3.3-70b")
            ).one()
        if row.target_state == "WARM" or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert (row.target_state, row.is_transitioning) == ("WARM", True)
