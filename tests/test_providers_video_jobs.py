"""Video jobs on the Runway, Luma, Kling and fal.ai (Pika) wires in the shape of OpenAI's
Videos API, over real HTTP fakes (tests/fakes_media.py): the calls each API receives,
polling to the end, the finished file downloaded, failed jobs, upstream errors, the fakes
mounted under prefixes of one server, and the catalog's rows."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from fakes_media import (
    KEY,
    KLING_KEY,
    VIDEO,
    MediaState,
    fal_app,
    kling_app,
    luma_app,
    runway_app,
)
from local_server import serve_app
from providers_fakes import fail, run
from radiant.catalog.loader import load_catalog
from radiant.domain import Route
from radiant.errors import ProviderError, ValidationError
from radiant.providers import UpstreamTarget, WireAdapter, target_for
from radiant.providers.kling import kling_token
from radiant.providers.shapes.openai import Video, VideoParams
from radiant.secrets import EnvSecretResolver

pytestmark = pytest.mark.slow
PIXEL = "data:image/png;base64,iVBORw0KGgo="
IMAGE = "https://example.com/first-frame.png"

Served = tuple[str, MediaState]


def serve(factory: Callable[[MediaState], Starlette]) -> Iterator[Served]:
    state = MediaState()
    with serve_app(factory(state), lifespan="off") as server:
        yield server, state


@pytest.fixture
def runway() -> Iterator[Served]:
    yield from serve(runway_app)


@pytest.fixture
def luma() -> Iterator[Served]:
    yield from serve(luma_app)


@pytest.fixture
def kling() -> Iterator[Served]:
    yield from serve(kling_app)


@pytest.fixture
def fal() -> Iterator[Served]:
    yield from serve(fal_app)


def target(wire: str, base: str, model: str, key: str = KEY, **options: Any) -> UpstreamTarget:
    return UpstreamTarget(
        platform_id="fal" if wire == "fal" else "direct",
        provider_id="pika" if wire == "fal" else wire,
        wire=wire,
        base_url=base,
        model=model,
        api_key=key,
        timeout=5.0,
        options=options,
    )


async def generate(
    adapter: WireAdapter, body: VideoParams, seen: list[Video] | None = None
) -> tuple[Video, Video, bytes, str]:
    async def progress(video: Video) -> None:
        if seen is not None:
            seen.append(video)

    created = await adapter.video_create(body)
    done = await adapter.video_wait(created["id"], poll_interval=0.01, on_progress=progress)
    content, content_type = await adapter.video_content(done["id"])
    return created, done, content, content_type


def test_the_catalog_rows_resolve_to_these_wires() -> None:
    catalog = load_catalog()
    secrets = EnvSecretResolver(
        {"RUNWAY_API_KEY": "r", "LUMA_API_KEY": "l", "KLING_API_KEY": "a:s", "FAL_KEY": "f"}
    )
    direct = catalog.platforms["direct"]
    for provider_id, base in (
        ("runway", "https://api.dev.runwayml.com/v1"),
        ("luma", "https://api.lumalabs.ai/dream-machine/v1"),
        ("kling", "https://api.klingai.com/v1"),
    ):
        route = Route(model_id="m", platform_id="direct", model_string="x")
        found = target_for(direct, route, secrets, provider=catalog.providers[provider_id])
        assert (found.wire, found.base_url) == (provider_id, base)
    pika = catalog.routes["pika-v2@fal"]
    found = target_for(catalog.platforms["fal"], pika, secrets)
    assert (found.wire, found.base_url, found.model, found.api_key) == (
        "fal",
        "https://queue.fal.run",
        "fal-ai/pika/v2/turbo/text-to-video",
        "f",
    )
    kling_route = catalog.routes["kling-v15-pro@direct"]
    found = target_for(direct, kling_route, secrets, provider=catalog.providers["kling"])
    assert (found.model, dict(found.options)) == ("kling-v1-5", {"mode": "pro"})
    assert catalog.routes["luma-dream-machine@direct"].model_string == "ray-1-6"


def test_runway_image_to_video_is_a_polled_task(runway: Served) -> None:
    server, state = runway
    body: VideoParams = {
        "prompt": "the sea moves",
        "seconds": "5",
        "size": "1280x720",
        "input_reference": {"image_url": PIXEL},
    }
    seen: list[Video] = []
    created, done, content, content_type = run(
        target("runway", f"{server}/v1", "gen3a_turbo"), lambda a: generate(a, body, seen)
    )
    assert (created["id"], created["status"], created.get("seconds")) == ("task-1", "queued", "5")
    assert [v["status"] for v in seen] == ["in_progress", "completed"]
    assert seen[0].get("progress") == 50
    assert done.get("url") == f"{server}/files/task-1.mp4" and done.get("progress") == 100
    assert (content, content_type) == (VIDEO, "video/mp4")
    posted = state.posted("/v1/image_to_video")
    assert posted.headers["authorization"] == f"Bearer {KEY}"
    assert posted.headers["x-runway-version"] == "2024-11-06"
    assert posted.body == {
        "model": "gen3a_turbo",
        "promptText": "the sea moves",
        "promptImage": PIXEL,
        "ratio": "1280:768",
        "duration": 5,
    }
    assert state.seen[-1].path == "/files/task-1.mp4"
    assert "authorization" not in state.seen[-1].headers  # the signed link goes bare


def test_runway_text_to_video_only_where_the_model_allows(runway: Served) -> None:
    server, state = runway
    with pytest.raises(ValidationError, match="from an image only"):
        run(
            target("runway", f"{server}/v1", "gen4_turbo"),
            lambda a: a.video_create({"prompt": "x"}),
        )
    assert state.seen == []
    run(target("runway", f"{server}/v1", "gen4.5"), lambda a: generate(a, {"prompt": "a wave"}))
    assert state.posted("/v1/text_to_video").body == {"model": "gen4.5", "promptText": "a wave"}


def test_a_failed_runway_task_and_upstream_errors(runway: Served) -> None:
    server, state = runway
    gen3 = target("runway", f"{server}/v1", "gen3a_turbo")
    body: VideoParams = {"prompt": "x", "input_reference": {"image_url": IMAGE}}
    state.fails = True
    error = fail(gen3, lambda a: generate(a, body))
    assert "flagged by content moderation" in str(error) and error.provider == "direct:runway"
    state.script.append((429, "7"))
    error = fail(gen3, lambda a: a.video_create(body))
    assert (error.status, error.retry_after) == (429, 7.0)
    state.script.append((502, None))
    assert fail(gen3, lambda a: a.video_status("task-1")).status == 502
    assert (
        fail(dataclasses.replace(gen3, api_key="bad"), lambda a: a.video_create(body)).status == 401
    )


def test_luma_generations_with_a_keyframe(luma: Served) -> None:
    server, state = luma
    body: VideoParams = {
        "prompt": "a fox runs",
        "seconds": 5,
        "size": "720x1280",
        "input_reference": {"image_url": IMAGE},
    }
    ray = target("luma", f"{server}/dream-machine/v1", "ray-2", resolution="720p")
    created, done, content, _ = run(ray, lambda a: generate(a, body))
    assert (created["id"], created["status"], created.get("seconds")) == ("gen-1", "queued", "5")
    assert done["status"] == "completed" and done.get("url") == f"{server}/files/gen-1.mp4"
    assert content == VIDEO
    posted = state.posted("/dream-machine/v1/generations")
    assert posted.headers["authorization"] == f"Bearer {KEY}"
    assert posted.body == {
        "prompt": "a fox runs",
        "model": "ray-2",
        "aspect_ratio": "9:16",
        "duration": "5s",
        "resolution": "720p",
        "keyframes": {"frame0": {"type": "image", "url": IMAGE}},
    }
    assert [s.path for s in state.seen if s.path.endswith("gen-1")] == [
        "/dream-machine/v1/generations/gen-1"
    ] * 3  # two polls, one to find the file
    state.fails = True
    assert "prompt not allowed" in str(fail(ray, lambda a: generate(a, {"prompt": "x"})))


def test_kling_signs_a_jwt_and_keeps_the_task_kind_in_the_id(kling: Served) -> None:
    server, state = kling
    pro = target("kling", f"{server}/v1", "kling-v1-5", key=KLING_KEY, mode="pro")
    body: VideoParams = {"prompt": "a dragon", "seconds": "10", "size": "1920x1080"}
    created, done, content, _ = run(pro, lambda a: generate(a, body))
    assert created["id"] == "text2video/text2video-1"
    assert (done["status"], done.get("seconds"), content) == ("completed", "10", VIDEO)
    posted = state.posted("/v1/videos/text2video")
    assert posted.body == {
        "model_name": "kling-v1-5",
        "prompt": "a dragon",
        "mode": "pro",
        "duration": "10",
        "aspect_ratio": "16:9",
    }
    token = posted.headers["authorization"].removeprefix("Bearer ")
    access, _, secret = KLING_KEY.partition(":")
    claims = jwt.decode(token, secret, algorithms=["HS256"])
    assert claims["iss"] == access and claims["exp"] - claims["nbf"] == 1805
    assert jwt.get_unverified_header(token)["typ"] == "JWT"
    polled = [s.path for s in state.seen if s.path.startswith("/v1/videos/text2video/")]
    assert set(polled) == {"/v1/videos/text2video/text2video-1"}

    image: VideoParams = {"prompt": "fly", "input_reference": {"image_url": PIXEL}}
    created = run(pro, lambda a: a.video_create(image))
    assert created["id"] == "image2video/image2video-2"
    assert state.posted("/v1/videos/image2video").body["image"] == "iVBORw0KGgo="


def test_kling_failures_and_bad_credentials(kling: Served) -> None:
    server, state = kling
    v1 = target("kling", f"{server}/v1", "kling-v1", key=KLING_KEY)
    state.fails = True
    assert "risk control" in str(fail(v1, lambda a: generate(a, {"prompt": "x"})))
    wrong = dataclasses.replace(v1, api_key="ak-test:not-the-secret-but-just-as-long-a-key")
    error = fail(wrong, lambda a: a.video_create({"prompt": "x"}))
    assert error.status == 401 and "Authorization failed" in str(error)
    error = fail(
        dataclasses.replace(v1, api_key="no-colon"), lambda a: a.video_create({"prompt": "x"})
    )
    assert error.kind == "config"
    with pytest.raises(ValidationError, match="not a Kling video id"):
        run(v1, lambda a: a.video_status("other/kind-1"))
    state.script.append((500, None))
    assert fail(v1, lambda a: a.video_create({"prompt": "x"})).status == 500


def test_kling_tokens_expire_in_half_an_hour() -> None:
    secret = "SK" * 16  # Kling's secret keys are 32 characters
    token = kling_token(f"AK:{secret}", now=1_700_000_000)
    claims = jwt.decode(token, secret, algorithms=["HS256"], options={"verify_exp": False})
    assert claims == {"iss": "AK", "exp": 1_700_001_800, "nbf": 1_699_999_995}
    with pytest.raises(ProviderError, match="ACCESS_KEY:SECRET_KEY"):
        kling_token("just-a-key")


def test_pika_on_fal_is_a_queued_request(fal: Served) -> None:
    server, state = fal
    pika = target("fal", server, "fal-ai/pika/v2/turbo/text-to-video")
    body: VideoParams = {"prompt": "a cat dances", "seconds": "5", "size": "1080x1080"}
    created, done, content, _ = run(pika, lambda a: generate(a, body))
    assert (created["id"], created.get("seconds")) == ("req-1", "5")
    assert done.get("url") == f"{server}/files/req-1.mp4" and content == VIDEO
    posted = state.posted("/fal-ai/pika/v2/turbo/text-to-video")
    assert posted.headers["authorization"] == f"Key {KEY}"
    assert posted.body == {"prompt": "a cat dances", "duration": 5, "aspect_ratio": "1:1"}
    paths = [s.path for s in state.seen[1:]]
    assert paths[0] == "/fal-ai/pika/requests/req-1/status"
    assert "/fal-ai/pika/requests/req-1" in paths

    image: VideoParams = {"prompt": "move", "input_reference": {"image_url": IMAGE}}
    run(pika, lambda a: a.video_create(image))
    posted = state.posted("/fal-ai/pika/v2/turbo/image-to-video")
    assert posted.body == {"prompt": "move", "image_url": IMAGE}


def test_a_failed_fal_request_and_upstream_errors(fal: Served) -> None:
    server, state = fal
    pika = target("fal", server, "fal-ai/pika/v2/turbo/text-to-video")
    state.fails = True
    error = fail(pika, lambda a: generate(a, {"prompt": "x"}))
    assert "content policy violation" in str(error) and error.provider == "fal:pika"
    state.script.append((429, None))
    assert fail(pika, lambda a: a.video_create({"prompt": "x"})).status == 429
    bad = dataclasses.replace(pika, api_key="nope")
    assert fail(bad, lambda a: a.video_create({"prompt": "x"})).status == 401


def test_the_fakes_mounted_under_prefixes_of_one_server() -> None:
    runway_state, luma_state = MediaState(), MediaState()
    app = Starlette(
        routes=[
            Mount("/runway", runway_app(runway_state)),
            Mount("/luma", luma_app(luma_state)),
        ]
    )
    with serve_app(app, lifespan="off") as server:
        gen4 = target("runway", f"{server}/runway/v1", "gen4.5")
        _, done, content, _ = run(gen4, lambda a: generate(a, {"prompt": "a wave"}))
        assert done.get("url") == f"{server}/runway/files/task-1.mp4" and content == VIDEO
        ray = target("luma", f"{server}/luma/dream-machine/v1", "ray-2")
        _, done, content, _ = run(ray, lambda a: generate(a, {"prompt": "a wave"}))
        assert done.get("url") == f"{server}/luma/files/gen-1.mp4" and content == VIDEO
    assert runway_state.seen[0].path == "/runway/v1/text_to_video"
    assert luma_state.seen[0].path == "/luma/dream-machine/v1/generations"
