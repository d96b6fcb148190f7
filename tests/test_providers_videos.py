"""Video generation as a job on the wire adapters, over real HTTP fakes: Sora (OpenAI's
Videos API, passed through) and Veo (a Gemini long-running operation, translated to
OpenAI's ``video`` object); polling with progress, image-to-video, failed and slow jobs,
ids that cannot leave their path, and wires without videos refused before any request."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from functools import partial

import pytest

from providers_fakes import KEY, Upstream, fail, run, serve
from radiant.errors import UnsupportedError, ValidationError
from radiant.providers import UpstreamTarget, WireAdapter
from radiant.providers.shapes.openai import Video, VideoParams

pytestmark = pytest.mark.slow
PIXEL = "data:image/png;base64,iVBORw0KGgo="


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    yield from serve(Upstream())


def sora(upstream: Upstream) -> UpstreamTarget:
    return UpstreamTarget(
        platform_id="direct",
        provider_id="openai",
        wire="openai",
        base_url=upstream.url("openai/v1"),
        model="sora-2",
        api_key=KEY,
        timeout=2.0,
    )


def veo(upstream: Upstream) -> UpstreamTarget:
    return UpstreamTarget(
        platform_id="direct",
        provider_id="google",
        wire="gemini",
        base_url=upstream.url("gemini/v1beta"),
        model="veo-3.0-generate-001",
        api_key=KEY,
        timeout=2.0,
    )


async def generate(
    adapter: WireAdapter, body: VideoParams, seen: list[str] | None = None
) -> tuple[Video, Video, bytes, str]:
    async def progress(video: Video) -> None:
        if seen is not None:
            seen.append(video["status"])

    created = await adapter.video_create(body)
    done = await adapter.video_wait(created["id"], poll_interval=0.01, on_progress=progress)
    content, content_type = await adapter.video_content(done["id"])
    return created, done, content, content_type


def test_sora_is_a_polled_job(upstream: Upstream) -> None:
    seen: list[str] = []
    body: VideoParams = {"prompt": "a wave", "seconds": "4", "size": "1280x720"}
    created, done, content, content_type = run(sora(upstream), lambda a: generate(a, body, seen))
    assert created["status"] == "queued" and done["status"] == "completed"
    assert seen == ["in_progress", "completed"]
    assert b"ftypmp4" in content and content_type == "video/mp4"
    posted = next(s for s in upstream.seen if s.path == "/openai/v1/videos")
    assert posted.body == {**body, "model": "sora-2"}
    assert posted.headers["authorization"] == f"Bearer {KEY}"
    assert upstream.last.path == f"/openai/v1/videos/{created['id']}/content"


def test_sora_from_an_image_failed_and_slow_jobs(upstream: Upstream) -> None:
    body: VideoParams = {"prompt": "move", "input_reference": {"image_url": PIXEL}}
    run(sora(upstream), lambda a: generate(a, body))
    posted = next(s for s in upstream.seen if s.path == "/openai/v1/videos")
    assert posted.body["input_reference"] == {"image_url": PIXEL}

    upstream.video_fails = True
    error = fail(sora(upstream), lambda a: generate(a, body))
    assert "moderation blocked" in str(error) and error.provider == "direct:openai"

    upstream.video_fails, upstream.video_polls = False, 1000

    async def slow(adapter: WireAdapter) -> Video:
        created = await adapter.video_create({"prompt": "a wave"})
        return await adapter.video_wait(created["id"], poll_interval=0.01, deadline=0.05)

    error = fail(sora(upstream), slow)
    assert error.kind == "timeout" and "not done after 0.05 s" in str(error)


def test_veo_is_a_long_running_operation_in_openai_shape(upstream: Upstream) -> None:
    body: VideoParams = {
        "prompt": "waves",
        "seconds": "8",
        "size": "720x1280",
        "input_reference": {"image_url": PIXEL},
    }
    seen: list[str] = []
    created, done, content, content_type = run(veo(upstream), lambda a: generate(a, body, seen))
    name = "models/veo-3.0-generate-001/operations/op1"
    assert (created["id"], created["object"], created["status"]) == (name, "video", "in_progress")
    assert done["status"] == "completed" and seen == ["in_progress", "completed"]
    assert (content, content_type) == (b"\x00\x00\x00\x18ftypveo", "video/mp4")
    started = next(s for s in upstream.seen if s.path.endswith(":predictLongRunning"))
    assert started.body == {
        "instances": [
            {
                "prompt": "waves",
                "image": {"mimeType": "image/png", "bytesBase64Encoded": "iVBORw0KGgo="},
            }
        ],
        "parameters": {"durationSeconds": 8, "aspectRatio": "9:16"},
    }
    polls = [s.path for s in upstream.seen if "/operations/" in s.path]
    assert polls == [f"/gemini/v1beta/{name}"] * 3  # two polls, one to find the file
    assert upstream.last.path == "/gemini/v1beta/files/op1:download"
    assert upstream.last.headers["x-goog-api-key"] == KEY


def test_a_failed_veo_operation(upstream: Upstream) -> None:
    upstream.video_fails = True
    error = fail(veo(upstream), lambda a: generate(a, {"prompt": "waves"}))
    assert "blocked by safety filters" in str(error)


async def status_of(adapter: WireAdapter, video_id: str) -> Video:
    return await adapter.video_status(video_id)


def test_job_ids_stay_in_their_path_and_other_wires_refuse(upstream: Upstream) -> None:
    for bad in ("../chat/completions", "a/../b", "http://elsewhere/x", ""):
        with pytest.raises(ValidationError, match="not a job id"):
            run(sora(upstream), partial(status_of, video_id=bad))
    claude = dataclasses.replace(sora(upstream), wire="anthropic", model="claude")
    with pytest.raises(UnsupportedError, match="does not support video generation"):
        run(claude, lambda a: a.video_create({"prompt": "a wave"}))
    with pytest.raises(UnsupportedError, match="does not support realtime"):
        run(claude, lambda a: a.realtime({}))
    assert upstream.seen == []
