"""The gateway through the official ``openai`` client: chat (streamed and not),
embeddings, images, speech, transcriptions and the model list, against fake
OpenAI-compatible upstreams on 127.0.0.1; headers, prices, usage events, bad input."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx2
import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway_fakes import FakeUpstream, serving_upstreams
from gateway_world import ADMIN, Template, World, make_template, open_world
from local_server import serve_app
from radiant.api.app import create_app
from radiant.pricing.service import PricingService
from radiant.pricing.usage import Usage
from radiant.registry.service import Registry
from radiant.store.billing_tables import UsageEventRow
from radiant.store.engine import make_engine
from radiant.tenants import Tenants

HI: list[ChatCompletionMessageParam] = [{"role": "user", "content": "hi"}]


@pytest.fixture(scope="module")
def upstreams() -> Iterator[dict[str, FakeUpstream]]:
    with serving_upstreams() as fakes:
        yield fakes


@pytest.fixture(scope="module")
def template(
    tmp_path_factory: pytest.TempPathFactory, upstreams: dict[str, FakeUpstream]
) -> Template:
    urls = {name: fake.url for name, fake in upstreams.items()}  # type: ignore[attr-defined]
    return make_template(tmp_path_factory.mktemp("gateway"), urls)


@pytest.fixture
def world(
    template: Template, tmp_path: Path, upstreams: dict[str, FakeUpstream]
) -> Iterator[World]:
    for fake in upstreams.values():
        fake.heal()
        fake.calls.clear()
    with open_world(template, tmp_path, upstreams) as w:
        yield w


def quoted(world: World, model: str, platform: str, usage: Usage) -> Decimal:
    pricing = PricingService(world.registry)
    return pricing.quote(model, usage, platform=platform, tenant="globex").priced.total_price


def test_chat_through_the_openai_client(world: World) -> None:
    raw = world.client().chat.completions.with_raw_response.create(
        model="small", messages=[{"role": "user", "content": "hi"}]
    )
    completion = raw.parse()
    assert completion.choices[0].message.content == "hello from a"
    assert completion.usage is not None and completion.usage.prompt_tokens == 12
    assert raw.headers["x-radiant-route"] == "chat-small@a"
    # the alias reached the upstream as the route's own model string
    assert world.upstreams["a"].calls[-1]["model"] == "small-a"
    expected = quoted(
        world, "chat-small", "a", Usage(input_tokens=10, cached_input_tokens=2, output_tokens=5)
    )
    assert Decimal(raw.headers["x-radiant-price"]) == expected > 0
    [event] = world.events()
    assert event.request_id == raw.headers["x-request-id"]
    assert (event.model_id, event.route_id, event.status) == (
        "chat-small",
        "chat-small@a",
        "success",
    )
    assert (event.input_tokens, event.output_tokens, event.cached_tokens) == (12, 5, 2)
    assert event.billed_price == expected
    assert event.base_cost < event.billed_price  # the markup


def test_streamed_chat_passes_chunks_through_with_usage(world: World) -> None:
    stream = world.client().chat.completions.create(
        model="chat-small",
        messages=[{"role": "user", "content": "hi"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "hello from a"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 5
    [event] = world.events()
    assert (event.status, event.input_tokens, event.output_tokens) == ("success", 12, 5)
    assert event.billed_price == quoted(
        world, "chat-small", "a", Usage(input_tokens=12, output_tokens=5)
    )


def test_stream_without_usage_asked_still_bills_the_upstream_usage(world: World) -> None:
    with httpx2.stream(
        "POST",
        f"{world.base}/chat/completions",
        headers={"Authorization": f"Bearer {world.key}"},
        json={"model": "small", "stream": True, "messages": [{"role": "user", "content": "x"}]},
    ) as response:
        assert response.headers["x-radiant-route"] == "chat-small@a"
        body = response.read().decode()
    assert '"usage"' not in body  # the client did not ask for it
    assert body.rstrip().endswith("data: [DONE]")
    price = next(line for line in body.splitlines() if line.startswith(": x-radiant-price"))
    [event] = world.events()
    assert Decimal(price.split()[-1]) == event.billed_price > 0
    assert (event.input_tokens, event.output_tokens) == (12, 5)


def test_embeddings_images_speech_and_transcriptions(world: World, tmp_path: Path) -> None:
    api = world.client()
    vectors = api.embeddings.create(model="embed", input=["a", "b"])
    assert len(vectors.data) == 2 and vectors.data[0].embedding == [0.1, 0.2, 0.3]
    images = api.images.with_raw_response.generate(model="paint", prompt="a cat", n=2)
    assert len(images.parse().data or []) == 2
    assert Decimal(images.headers["x-radiant-price"]) == quoted(
        world, "paint", "a", Usage(images=2)
    )
    speech = api.audio.speech.create(model="voice", voice="alloy", input="Hello there")
    assert speech.content == b"ID3fake-mp3"
    audio = tmp_path / "a.mp3"
    audio.write_bytes(b"\x00" * 2048)
    with audio.open("rb") as file:
        text = api.audio.transcriptions.create(model="ears", file=file)
    assert text.text == "hello world"
    assert world.upstreams["a"].calls[-1] == {"model": "ears-a", "bytes": 2048}
    events = {e.endpoint: e for e in world.events()}
    assert set(events) == {"embeddings", "images", "speech", "transcriptions"}
    assert events["embeddings"].input_tokens == 8
    assert events["images"].images == 2
    assert events["speech"].input_tokens == len("Hello there")
    assert events["transcriptions"].seconds == 90
    assert events["transcriptions"].billed_price == quoted(
        world, "ears", "a", Usage(minutes=Decimal("1.5"))
    )


def test_model_list_shows_the_tenants_models(world: World) -> None:
    names = {m.id for m in world.client().models.list()}
    assert names == {"chat-small", "chat-big", "embed", "paint", "voice", "ears"}


def test_auto_selects_with_criteria_from_the_body(world: World) -> None:
    raw = world.client().chat.completions.with_raw_response.create(
        model="auto",
        messages=[{"role": "user", "content": "hi"}],
        extra_body={"selection": {"min_context_window": 100000}},
    )
    assert raw.headers["x-radiant-route"] == "chat-big@b"


def test_models_list_falls_back_to_the_next_model(world: World) -> None:
    world.upstreams["a"].fail("500")
    world.upstreams["b"].fail("500", times=2)  # chat-small's second route fails too
    raw = world.client().chat.completions.with_raw_response.create(
        model="chat-small",
        messages=[{"role": "user", "content": "hi"}],
        extra_body={"models": ["chat-big"]},
    )
    assert raw.headers["x-radiant-route"] == "chat-big@b"
    assert raw.parse().choices[0].message.content == "hello from b"


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"model": "nope"}, 404, "model_not_found"),
        ({"model": "chat-secret"}, 404, "model_not_found"),  # not granted
        ({"model": "embed"}, 400, "model_not_supported"),
        ({"model": "small", "extra_body": {"models": "x"}}, 400, "invalid_request"),
        ({"model": "auto", "extra_body": {"selection": {"tier": 9}}}, 400, "invalid_request"),
    ],
)
def test_bad_requests_get_openai_errors(
    world: World, kwargs: dict[str, object], status: int, code: str
) -> None:
    with pytest.raises(openai.APIStatusError) as caught:
        world.client().chat.completions.create(
            messages=[{"role": "user", "content": "hi"}],
            **kwargs,
        )  # type: ignore[call-overload]
    assert caught.value.status_code == status
    body = caught.value.body
    assert isinstance(body, dict) and body["code"] == code  # openai unwraps "error"
    assert world.upstreams["a"].calls == []
    [event] = world.events()  # a bad request of a known key is recorded too
    assert (event.status, event.error_code, event.billed_price) == ("error", code, Decimal(0))


def test_raw_bad_input_and_keys(world: World) -> None:
    url = f"{world.base}/chat/completions"
    auth = {"Authorization": f"Bearer {world.key}"}
    response = httpx2.post(url, content=b"{not json", headers=auth)
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]["message"]
    response = httpx2.post(url, json=[1], headers=auth)
    assert response.status_code == 400
    response = httpx2.post(url, json={"model": "small", "stream": "yes"}, headers=auth)
    assert response.status_code == 400 and response.json()["error"]["param"] == "stream"
    response = httpx2.post(url, json={"model": "small"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    response = httpx2.post(url, json={"model": "small"}, headers={"Authorization": "Bearer x"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    # one format of request id on /v1 and on the API: ours, 32 hex digits
    api = httpx2.get(world.base.removesuffix("/v1") + "/api/registry/platforms")
    ours = re.compile(r"[0-9a-f]{32}")
    assert ours.fullmatch(response.headers["x-request-id"])
    assert ours.fullmatch(api.headers["x-request-id"])
    assert api.headers["x-request-id"] != response.headers["x-request-id"]


def test_upstream_client_errors_pass_through_and_do_not_fall_back(world: World) -> None:
    world.upstreams["a"].fail("bad")  # 400 to a body the gateway found well formed
    with pytest.raises(openai.BadRequestError) as caught:
        world.client().chat.completions.create(model="small", messages=HI)
    assert caught.value.code == "upstream_invalid_request"
    assert "messages must not be empty" not in str(caught.value)  # the upstream's words
    assert world.upstreams["b"].calls == []
    assert world.health.breaker("chat-small@a").failures == ()  # not the route's fault
    [event] = world.events()
    assert (event.status, event.route_id) == ("error", None)


def test_rate_limit_answers_429_with_retry_after(world: World) -> None:
    api = world.client(world.slow_key)
    for _ in range(2):
        api.chat.completions.create(model="small", messages=[{"role": "user", "content": "x"}])
    with pytest.raises(openai.RateLimitError) as caught:
        api.chat.completions.create(model="small", messages=[{"role": "user", "content": "x"}])
    assert int(caught.value.response.headers["retry-after"]) >= 1
    assert len(world.upstreams["a"].calls) == 2
    events = world.events()
    assert [e.status for e in events] == ["success", "success", "error"]
    assert events[-1].error_code == "rate_limit_exceeded"


def test_a_tenants_custom_price_is_what_it_is_billed(world: World) -> None:
    tenants = Tenants.open(world.registry)
    standard = quoted(
        world, "chat-small", "a", Usage(input_tokens=10, cached_input_tokens=2, output_tokens=5)
    )
    tenants.access.update(ADMIN, "globex", "chat-small", {"custom_input_price_per_1m": "9.00"})
    raw = world.client().chat.completions.with_raw_response.create(model="small", messages=HI)
    billed = Decimal(raw.headers["x-radiant-price"])
    usage = Usage(input_tokens=10, cached_input_tokens=2, output_tokens=5)
    assert billed == quoted(world, "chat-small", "a", usage) != standard
    [event] = world.events()
    assert event.billed_price == billed


def test_chat_and_its_usage_event_on_postgresql(
    postgres_db: str, tmp_path: Path, upstreams: dict[str, FakeUpstream]
) -> None:
    urls = {name: fake.url for name, fake in upstreams.items()}  # type: ignore[attr-defined]
    template = make_template(tmp_path / "pg", urls, db_url=postgres_db)
    engine = make_engine(postgres_db)
    try:
        with open_world(template, tmp_path, upstreams, engine=engine) as world:
            raw = world.client().chat.completions.with_raw_response.create(
                model="small", messages=HI
            )
            assert raw.headers["x-radiant-route"] == "chat-small@a"
            [event] = world.events()
            assert event.request_id == raw.headers["x-request-id"]
            assert event.billed_price == Decimal(raw.headers["x-radiant-price"]) > 0
    finally:
        engine.dispose()


def test_the_api_builds_its_gateway_from_the_settings(
    template: Template, tmp_path: Path, upstreams: dict[str, FakeUpstream]
) -> None:
    db = tmp_path / "radiant.db"
    shutil.copyfile(template.path, db)
    engine = make_engine(f"sqlite:///{db}")
    try:
        app = create_app(Registry(engine))
        with (
            serve_app(app) as url,
            openai.OpenAI(base_url=f"{url}/v1", api_key=template.key, max_retries=0) as api,
        ):
            raw = api.chat.completions.with_raw_response.create(model="small", messages=HI)
            assert raw.headers["x-radiant-model"] == "chat-small"
            assert "x-radiant-route" not in raw.headers  # off by default: it names our routes
            assert raw.parse().model == "small"  # the name asked for, not "small-a"
        # the app closed its gateway: the meter wrote what it held
        with Session(engine) as session:
            ids = list(session.execute(select(UsageEventRow.request_id)).scalars())
        assert ids == [raw.headers["x-request-id"]]
    finally:
        engine.dispose()
