"""Image generation on the Stability, Replicate (FLUX) and Ideogram wires behind OpenAI's
``POST /images/generations``, over real HTTP fakes (tests/fakes_media.py): what each API
receives, what the adapter answers, upstream errors, and the catalog's rows."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable, Iterator

import pytest
from starlette.applications import Starlette

from fakes_media import KEY, PNG, MediaState, ideogram_app, replicate_app, stability_app
from local_server import serve_app
from providers_fakes import fail, run
from radiant.catalog.loader import load_catalog
from radiant.domain import Route
from radiant.providers import UpstreamTarget, target_for
from radiant.providers.shapes.openai import ImageParams
from radiant.secrets import EnvSecretResolver

pytestmark = pytest.mark.slow


def serve(factory: Callable[[MediaState], Starlette]) -> Iterator[tuple[str, MediaState]]:
    state = MediaState()
    with serve_app(factory(state), lifespan="off") as server:
        yield server, state


@pytest.fixture
def stability() -> Iterator[tuple[str, MediaState]]:
    yield from serve(stability_app)


@pytest.fixture
def replicate() -> Iterator[tuple[str, MediaState]]:
    yield from serve(replicate_app)


@pytest.fixture
def ideogram() -> Iterator[tuple[str, MediaState]]:
    yield from serve(ideogram_app)


def target(wire: str, base: str, model: str, **options: object) -> UpstreamTarget:
    platform = "replicate" if wire == "replicate" else "direct"
    return UpstreamTarget(
        platform_id=platform,
        provider_id=None if wire == "replicate" else wire,
        wire=wire,
        base_url=base,
        model=model,
        api_key=KEY,
        timeout=5.0,
        options=options,
    )


def test_the_catalog_rows_resolve_to_these_wires() -> None:
    catalog = load_catalog()
    secrets = EnvSecretResolver(
        {"STABILITY_API_KEY": "s", "IDEOGRAM_API_KEY": "i", "REPLICATE_API_TOKEN": "r"}
    )
    direct = catalog.platforms["direct"]
    for provider_id, base in (
        ("stability", "https://api.stability.ai"),
        ("ideogram", "https://api.ideogram.ai"),
    ):
        route = Route(model_id="m", platform_id="direct", model_string="x")
        found = target_for(direct, route, secrets, provider=catalog.providers[provider_id])
        assert (found.wire, found.base_url) == (provider_id, base)
    flux = catalog.routes["flux-schnell@replicate"]
    found = target_for(catalog.platforms["replicate"], flux, secrets)
    assert (found.wire, found.base_url, found.model) == (
        "replicate",
        "https://api.replicate.com",
        "black-forest-labs/flux-schnell",
    )
    assert catalog.routes["ideogram-v2@direct"].model_string == "V_2"
    assert catalog.routes["ideogram-v2-turbo@direct"].model_string == "V_2_TURBO"


def test_stable_image_ultra_is_a_multipart_form_answered_in_base64(
    stability: tuple[str, MediaState],
) -> None:
    server, state = stability
    body: ImageParams = {"prompt": "a lighthouse", "n": 2, "size": "1792x1024"}
    answer = run(target("stability", server, "stable-image-ultra"), lambda a: a.images(body))
    data = answer.get("data") or []
    assert [base64.b64decode(d["b64_json"]) for d in data] == [PNG + b"ultra"] * 2
    assert len(state.seen) == 2  # one image per call
    sent = state.seen[0]
    assert sent.path == "/v2beta/stable-image/generate/ultra"
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.headers["accept"] == "application/json"
    assert sent.headers["content-type"].startswith("multipart/form-data")
    assert sent.body == {"prompt": "a lighthouse", "aspect_ratio": "16:9"}


def test_sd3_models_name_their_model_and_sdxl_calls_the_v1_engine(
    stability: tuple[str, MediaState],
) -> None:
    server, state = stability
    run(target("stability", server, "sd3.5-large"), lambda a: a.images({"prompt": "a fox"}))
    assert state.seen[-1].path == "/v2beta/stable-image/generate/sd3"
    assert state.seen[-1].body == {"prompt": "a fox", "model": "sd3.5-large"}
    engine = "stable-diffusion-xl-1024-v1-0"
    body: ImageParams = {"prompt": "a fox", "n": 3, "size": "1024x1024"}
    answer = run(target("stability", server, engine), lambda a: a.images(body))
    assert len(answer.get("data") or []) == 3
    assert state.seen[-1].path == f"/v1/generation/{engine}/text-to-image"
    assert state.seen[-1].body == {
        "text_prompts": [{"text": "a fox"}],
        "samples": 3,
        "width": 1024,
        "height": 1024,
    }


def test_a_wrong_key_and_upstream_errors(stability: tuple[str, MediaState]) -> None:
    server, state = stability
    good = target("stability", server, "stable-image-core")
    error = fail(dataclasses.replace(good, api_key="wrong"), lambda a: a.images({"prompt": "x"}))
    assert error.status == 401
    state.script.append((429, "3"))
    error = fail(good, lambda a: a.images({"prompt": "x"}))
    assert (error.status, error.retry_after, error.retryable) == (429, 3.0, True)
    state.script.append((503, None))
    assert fail(good, lambda a: a.images({"prompt": "x"})).status == 503


def test_flux_on_replicate_waits_then_polls(replicate: tuple[str, MediaState]) -> None:
    server, state = replicate
    flux = target("replicate", server, "black-forest-labs/flux-schnell", poll_interval=0.01)
    body: ImageParams = {"prompt": "a cat", "n": 2, "size": "1024x1024"}
    answer = run(flux, lambda a: a.images(body))
    urls = [d["url"] for d in answer.get("data") or []]
    assert urls == [f"{server}/files/pred-1-0.webp", f"{server}/files/pred-1-1.webp"]
    created = state.seen[0]
    assert created.path == "/v1/models/black-forest-labs/flux-schnell/predictions"
    assert created.headers["prefer"] == "wait"
    assert created.headers["authorization"] == f"Bearer {KEY}"
    assert created.body == {"input": {"prompt": "a cat", "aspect_ratio": "1:1", "num_outputs": 2}}
    assert [s.path for s in state.seen[1:]] == ["/v1/predictions/pred-1"] * 2


def test_flux_pro_answers_at_once_and_a_failed_prediction(
    replicate: tuple[str, MediaState],
) -> None:
    server, state = replicate
    state.polls = 0
    pro = target("replicate", server, "black-forest-labs/flux-1.1-pro", poll_interval=0.01)
    answer = run(pro, lambda a: a.images({"prompt": "a cat"}))
    assert [d["url"] for d in answer.get("data") or []] == [f"{server}/files/pred-1-0.webp"]
    assert len(state.seen) == 1
    state.fails = True
    error = fail(pro, lambda a: a.images({"prompt": "a cat"}))
    assert "failed: NSFW content detected" in str(error) and error.provider == "replicate"
    state.script.append((500, None))
    assert fail(pro, lambda a: a.images({"prompt": "a cat"})).status == 500


def test_ideogram_generate_takes_the_api_key_header(ideogram: tuple[str, MediaState]) -> None:
    server, state = ideogram
    body: ImageParams = {"prompt": "a sign saying OPEN", "n": 2, "size": "1024x576"}
    answer = run(target("ideogram", server, "V_2_TURBO"), lambda a: a.images(body))
    assert [d["url"] for d in answer.get("data") or []] == [
        f"{server}/files/ideo-0.png",
        f"{server}/files/ideo-1.png",
    ]
    sent = state.seen[-1]
    assert sent.path == "/generate"
    assert sent.headers["api-key"] == KEY and "authorization" not in sent.headers
    assert sent.body == {
        "image_request": {
            "prompt": "a sign saying OPEN",
            "model": "V_2_TURBO",
            "aspect_ratio": "ASPECT_16_9",
            "num_images": 2,
        }
    }
    state.script.append((429, None))
    assert fail(target("ideogram", server, "V_2"), lambda a: a.images(body)).status == 429
    error = fail(
        dataclasses.replace(target("ideogram", server, "V_2"), api_key="nope"),
        lambda a: a.images(body),
    )
    assert error.status == 401 and "Invalid API key" in str(error)
