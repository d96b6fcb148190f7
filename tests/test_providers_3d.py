"""3D model jobs on the Meshy and Tripo wires as Radiant ``3d_model`` objects, over real
HTTP fakes (tests/fakes_media.py): text and image tasks, polling to the end, failed jobs,
upstream errors, ids that cannot leave their path, and the catalog's rows."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterator
from functools import partial

import pytest
from starlette.applications import Starlette

from fakes_media import KEY, MediaState, meshy_app, tripo_app
from local_server import serve_app
from providers_fakes import fail, run
from radiant.catalog.loader import load_catalog
from radiant.domain import Route
from radiant.errors import UnsupportedError, ValidationError
from radiant.providers import UpstreamTarget, WireAdapter, target_for
from radiant.providers.shapes.radiant import Model3D, Model3DParams
from radiant.secrets import EnvSecretResolver

pytestmark = pytest.mark.slow
IMAGE = "https://example.com/chair.png"

Served = tuple[str, MediaState]


def serve(factory: Callable[[MediaState], Starlette]) -> Iterator[Served]:
    state = MediaState()
    with serve_app(factory(state), lifespan="off") as server:
        yield server, state


@pytest.fixture
def meshy() -> Iterator[Served]:
    yield from serve(meshy_app)


@pytest.fixture
def tripo() -> Iterator[Served]:
    yield from serve(tripo_app)


def target(wire: str, base: str, model: str) -> UpstreamTarget:
    return UpstreamTarget(
        platform_id="direct",
        provider_id=wire,
        wire=wire,
        base_url=base,
        model=model,
        api_key=KEY,
        timeout=5.0,
    )


async def make(adapter: WireAdapter, body: Model3DParams) -> tuple[Model3D, list[Model3D]]:
    created = await adapter.model3d_create(body)
    polled = [await adapter.model3d_status(created["id"])]
    while polled[-1]["status"] not in ("completed", "failed"):
        await asyncio.sleep(0.01)
        polled.append(await adapter.model3d_status(created["id"]))
    return created, polled


async def status_of(adapter: WireAdapter, job_id: str) -> Model3D:
    return await adapter.model3d_status(job_id)


def test_the_catalog_rows_resolve_to_these_wires() -> None:
    catalog = load_catalog()
    secrets = EnvSecretResolver({"MESHY_API_KEY": "m", "TRIPO_API_KEY": "t"})
    direct = catalog.platforms["direct"]
    for provider_id, base in (
        ("meshy", "https://api.meshy.ai/openapi"),
        ("tripo", "https://api.tripo3d.ai/v2/openapi"),
    ):
        route = Route(model_id="m", platform_id="direct", model_string="x")
        found = target_for(direct, route, secrets, provider=catalog.providers[provider_id])
        assert (found.wire, found.base_url) == (provider_id, base)
    assert catalog.routes["tripo-v2@direct"].model_string == "v2.0-20240919"
    assert catalog.routes["meshy-v3@direct"].model_string == "meshy-3"


def test_meshy_text_to_3d_is_a_preview_task(meshy: Served) -> None:
    server, state = meshy
    created, polled = run(
        target("meshy", f"{server}/openapi", "meshy-4"),
        lambda a: make(a, {"prompt": "a wooden chair", "format": "fbx"}),
    )
    assert (created["id"], created["object"], created["status"]) == (
        "text-to-3d/mesh-1/fbx",
        "3d_model",
        "queued",
    )
    assert [(m["status"], m.get("progress")) for m in polled] == [
        ("in_progress", 50),
        ("completed", 100),
    ]
    done = polled[-1]
    files = {f: f"{server}/files/mesh-1.{f}" for f in ("glb", "fbx", "obj", "usdz")}
    assert done.get("files") == files  # the .mtl is no model
    assert (done.get("url"), done.get("format")) == (files["fbx"], "fbx")
    posted = state.posted("/openapi/v2/text-to-3d")
    assert posted.headers["authorization"] == f"Bearer {KEY}"
    assert posted.body == {"mode": "preview", "prompt": "a wooden chair", "ai_model": "meshy-4"}
    assert state.seen[-1].path == "/openapi/v2/text-to-3d/mesh-1"


def test_meshy_image_to_3d_failed_tasks_and_errors(meshy: Served) -> None:
    server, state = meshy
    meshy4 = target("meshy", f"{server}/openapi", "meshy-4")
    created, polled = run(meshy4, lambda a: make(a, {"image_url": IMAGE}))
    assert created["id"] == "image-to-3d/mesh-1" and polled[-1]["status"] == "completed"
    assert state.posted("/openapi/v1/image-to-3d").body == {
        "image_url": IMAGE,
        "ai_model": "meshy-4",
    }
    assert state.seen[-1].path == "/openapi/v1/image-to-3d/mesh-1"
    state.fails = True
    _, polled = run(meshy4, lambda a: make(a, {"prompt": "x"}))
    assert polled[-1]["status"] == "failed"
    assert polled[-1].get("error") == {"code": "upstream_failed", "message": "bad input"}
    with pytest.raises(ValidationError, match="prompt or an image_url"):
        run(meshy4, lambda a: a.model3d_create({}))
    for bad in ("mesh-1", "text-to-3d/../x", "video/mesh-1", "text-to-3d/a/b/c"):
        with pytest.raises(ValidationError):
            run(meshy4, partial(status_of, job_id=bad))
    state.script.append((429, "1"))
    assert fail(meshy4, lambda a: a.model3d_create({"prompt": "x"})).status == 429
    error = fail(
        dataclasses.replace(meshy4, api_key="x"), lambda a: a.model3d_create({"prompt": "x"})
    )
    assert error.status == 401


def test_tripo_tasks_in_envelopes(tripo: Served) -> None:
    server, state = tripo
    v2 = target("tripo", f"{server}/v2/openapi", "v2.0-20240919")
    created, polled = run(v2, lambda a: make(a, {"prompt": "a robot"}))
    assert (created["id"], created["status"]) == ("tr-1", "queued")
    done = polled[-1]
    assert (done["status"], done.get("url"), done.get("format")) == (
        "completed",
        f"{server}/files/tr-1-pbr.glb",
        "glb",
    )
    posted = state.posted("/v2/openapi/task")
    assert posted.headers["authorization"] == f"Bearer {KEY}"
    assert posted.body == {
        "type": "text_to_model",
        "prompt": "a robot",
        "model_version": "v2.0-20240919",
    }
    run(v2, lambda a: a.model3d_create({"image_url": "https://example.com/a.webp"}))
    assert state.seen[-1].body == {
        "type": "image_to_model",
        "file": {"type": "webp", "url": "https://example.com/a.webp"},
        "model_version": "v2.0-20240919",
    }


def test_tripo_failures_and_other_wires_refuse(tripo: Served) -> None:
    server, state = tripo
    v2 = target("tripo", f"{server}/v2/openapi", "v2.0-20240919")
    state.fails = True
    _, polled = run(v2, lambda a: make(a, {"prompt": "x"}))
    assert polled[-1]["status"] == "failed" and "banned" in str(polled[-1].get("error"))
    state.script.append((503, None))
    assert fail(v2, lambda a: a.model3d_create({"prompt": "x"})).status == 503
    error = fail(dataclasses.replace(v2, api_key="x"), lambda a: a.model3d_status("tr-1"))
    assert error.status == 401 and "Authentication failed" in str(error)
    seen = len(state.seen)
    with pytest.raises(UnsupportedError, match="does not support video generation"):
        run(v2, lambda a: a.video_create({"prompt": "x"}))
    with pytest.raises(UnsupportedError, match="does not support model 3d"):
        run(dataclasses.replace(v2, wire="runway"), lambda a: a.model3d_create({"prompt": "x"}))
    assert len(state.seen) == seen
