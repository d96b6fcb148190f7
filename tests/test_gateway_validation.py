"""Bodies are checked before routing: a malformed request is the client's 400 and never
reaches an upstream, its route's breaker or its health; what is well formed goes through
(an 800 KB image included) and comes back named as the client asked; what a tenant reads
in an answer or an error names none of our routes, platforms or upstreams' words."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx2
import pytest
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway_fakes import FakeUpstream, serving_upstreams
from gateway_world import Template, World, make_template, open_world
from local_server import serve_app
from radiant.health.breaker import CircuitState
from radiant.providers import WireAdapter, register_adapter
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.shapes.openai import ChatCompletion, ChatParams
from radiant.settings import get_settings
from radiant.store.engine import make_engine
from radiant.store.tables import PlatformRow

HI = [{"role": "user", "content": "hi"}]
ANTH = "chat-anth"  # a model whose first route speaks Anthropic Messages
CRASH = "chat-crash"  # a model whose first route's adapter has a bug


class CrashingAdapter(WireAdapter):
    """An adapter with a bug: every chat raises what no adapter should."""

    wire: ClassVar[str] = "test-crashing"
    capabilities: ClassVar[ProviderCapabilities] = ProviderCapabilities(chat=True)

    async def chat(self, body: ChatParams) -> ChatCompletion:
        raise KeyError("a bug")


register_adapter(CrashingAdapter.wire, CrashingAdapter)


class FakeAnthropic:
    """``POST /v1/messages`` answered as Anthropic does."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.app = Starlette(routes=[Route("/v1/messages", self.messages, methods=["POST"])])

    async def messages(self, request: Request) -> Response:
        body: dict[str, Any] = await request.json()
        self.calls.append(body)
        return JSONResponse(
            {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "model": body["model"],
                "content": [{"type": "text", "text": "hello from anthropic"}],
                "stop_reason": "end_turn",
                "usage": {"input_tokens": 9, "output_tokens": 3},
            }
        )


@pytest.fixture(scope="module")
def anthropic() -> Iterator[FakeAnthropic]:
    fake = FakeAnthropic()
    with serve_app(fake.app) as url:
        fake.url = f"{url}/v1"  # type: ignore[attr-defined]
        yield fake


@pytest.fixture(scope="module")
def upstreams() -> Iterator[dict[str, FakeUpstream]]:
    with serving_upstreams() as fakes:
        yield fakes


@pytest.fixture(scope="module")
def template(
    tmp_path_factory: pytest.TempPathFactory,
    upstreams: dict[str, FakeUpstream],
    anthropic: FakeAnthropic,
) -> Template:
    urls = {name: fake.url for name, fake in upstreams.items()}  # type: ignore[attr-defined]
    urls["anth"] = urls["crash"] = anthropic.url  # type: ignore[attr-defined]
    made = make_template(tmp_path_factory.mktemp("validation"), urls)
    engine = make_engine(f"sqlite:///{made.path}")
    try:
        with Session(engine) as session, session.begin():
            for platform_id, wire in (("anth", "anthropic"), ("crash", CrashingAdapter.wire)):
                platform = session.get(PlatformRow, platform_id)
                assert platform is not None
                platform.meta = {**platform.meta, "wire": wire}
    finally:
        engine.dispose()
    return made


@pytest.fixture
def world(
    template: Template,
    tmp_path: Path,
    upstreams: dict[str, FakeUpstream],
    anthropic: FakeAnthropic,
) -> Iterator[World]:
    for fake in upstreams.values():
        fake.heal()
        fake.calls.clear()
    anthropic.calls.clear()
    with open_world(template, tmp_path, upstreams) as w:
        yield w


def post(world: World, path: str, body: Any, **kw: Any) -> httpx2.Response:
    headers = {"Authorization": f"Bearer {world.key}", **kw.pop("headers", {})}
    return httpx2.post(f"{world.base}/{path}", json=body, headers=headers, timeout=30, **kw)


#: malformed chat bodies and the parameter each 400 names
MALFORMED: list[tuple[dict[str, Any], str | None]] = [
    ({"model": ANTH, "messages": "hi"}, "messages"),
    ({"model": ANTH, "messages": ["hi"]}, "messages[0]"),
    ({"model": ANTH, "messages": [{"role": "user", "content": 5}]}, "messages[0].content"),
    ({"model": ANTH, "messages": [{"role": "wizard", "content": "hi"}]}, "messages[0].role"),
    ({"model": ANTH, "messages": [{"content": "hi"}]}, "messages[0].role"),
    (
        {"model": ANTH, "messages": [{"role": "user", "content": [{"type": "image_url"}]}]},
        "messages[0].content[0].image_url",
    ),
    (
        {
            "model": ANTH,
            "messages": [{"role": "user", "content": [{"type": "video", "url": "x"}]}],
        },
        "messages[0].content[0].type",
    ),
    ({"model": ANTH, "messages": HI, "temperature": 7}, "temperature"),
    ({"model": ANTH, "messages": HI, "top_p": -0.5}, "top_p"),
    ({"model": ANTH, "messages": HI, "max_tokens": 0}, "max_tokens"),
    ({"model": ANTH, "messages": HI, "n": "2"}, "n"),
    ({"model": ANTH, "messages": HI, "tools": "all"}, "tools"),
    ({"model": ANTH, "messages": HI, "tools": [{"type": "function"}]}, "tools[0].function"),
    ({"model": ANTH, "messages": HI, "tool_choice": {"type": "function"}}, "tool_choice.function"),
    ({"model": ANTH, "messages": HI, "response_format": "json"}, "response_format"),
    ({"model": ANTH, "messages": HI, "stop": ["a", "b", "c", "d", "e"]}, "stop"),
    (
        {"model": ANTH, "messages": HI, "stream": True, "stream_options": {"include_usage": 1}},
        "stream_options.include_usage",
    ),
    ({"model": ANTH}, "messages"),
]


def test_malformed_bodies_are_400_naming_the_parameter(world: World) -> None:
    for body, param in MALFORMED:
        response = post(world, "chat/completions", body)
        assert response.status_code == 400, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        error = response.json()["error"]
        assert (error["type"], error["code"]) == ("invalid_request_error", "invalid_request")
        assert error["param"] == param, (body, error)
        assert param is None or param in error["message"]


def test_fifty_malformed_requests_leave_the_route_and_its_breaker_alone(
    world: World, anthropic: FakeAnthropic
) -> None:
    for i in range(50):
        body, _ = MALFORMED[i % len(MALFORMED)]
        assert post(world, "chat/completions", body).status_code == 400
    assert anthropic.calls == [] and all(f.calls == [] for f in world.upstreams.values())
    route = f"{ANTH}@anth"
    breaker = world.health.breaker(route)
    assert breaker.state is CircuitState.CLOSED and breaker.failures == ()
    # the same route serves the next good request
    good = post(world, "chat/completions", {"model": ANTH, "messages": HI})
    assert good.status_code == 200, good.text
    assert good.headers["x-radiant-route"] == route
    assert good.json()["choices"][0]["message"]["content"] == "hello from anthropic"
    assert len(anthropic.calls) == 1
    assert world.health.breaker(route).state is CircuitState.CLOSED


def test_an_upstreams_invalid_request_answers_never_open_the_breaker(world: World) -> None:
    world.upstreams["a"].fail("bad", times=50)  # 400 invalid_value, fifty times
    for _ in range(50):
        response = post(world, "chat/completions", {"model": "small", "messages": HI})
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "upstream_invalid_request"
    assert world.upstreams["b"].calls == []  # the request's fault: no other route tried
    breaker = world.health.breaker("chat-small@a")
    assert breaker.state is CircuitState.CLOSED and breaker.failures == ()
    good = post(world, "chat/completions", {"model": "small", "messages": HI})
    assert good.status_code == 200 and good.headers["x-radiant-route"] == "chat-small@a"


def test_an_adapter_bug_skips_the_route_without_blaming_it(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(5):  # more than the breaker's allowed failures
        response = post(world, "chat/completions", {"model": CRASH, "messages": HI})
        assert response.status_code == 200  # the next route (on b) answered
        assert response.headers["x-radiant-route"] == f"{CRASH}@b"
    breaker = world.health.breaker(f"{CRASH}@crash")
    assert breaker.state is CircuitState.CLOSED and breaker.failures == ()
    assert "KeyError" in caplog.text  # the bug is in the log, with its traceback


def test_a_bad_streamed_request_is_a_plain_400_before_any_event(world: World) -> None:
    body = {"model": "small", "stream": True, "messages": [{"role": "user"}]}
    response = post(world, "chat/completions", body)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["error"]["param"] == "messages[0].content"
    assert world.upstreams["a"].calls == []


def test_other_endpoints_check_their_bodies_too(world: World) -> None:
    cases = [
        ("embeddings", {"model": "embed", "input": []}, "input"),
        ("embeddings", {"model": "embed", "input": "x", "dimensions": 0}, "dimensions"),
        ("images/generations", {"model": "paint", "prompt": "a cat", "n": 11}, "n"),
        ("images/generations", {"model": "paint"}, "prompt"),
        ("audio/speech", {"model": "voice", "input": "hi", "voice": "x", "speed": 9}, "speed"),
        ("audio/speech", {"model": "voice", "input": "hi"}, "voice"),
    ]
    for path, body, param in cases:
        response = post(world, path, body)
        assert response.status_code == 400, (path, response.text)
        assert response.json()["error"]["param"] == param
    form = {"model": "ears", "temperature": "hot"}
    response = httpx2.post(
        f"{world.base}/audio/transcriptions",
        data=form,
        files={"file": ("a.mp3", b"\x00" * 64)},
        headers={"Authorization": f"Bearer {world.key}"},
    )
    assert response.status_code == 400 and response.json()["error"]["param"] == "temperature"
    for content_type, raw in (
        ("multipart/form-data; boundary=x", b"not a multipart body"),
        ("multipart/form-data", b"--x\r\n"),  # no boundary given
        ("application/json", b'{"model": "ears"}'),
    ):
        response = httpx2.post(
            f"{world.base}/audio/transcriptions",
            content=raw,
            headers={"Authorization": f"Bearer {world.key}", "Content-Type": content_type},
        )
        assert response.status_code == 400, (content_type, response.text)
        assert "multipart/form-data" in response.json()["error"]["message"]
    assert all(fake.calls == [] for fake in world.upstreams.values())


def test_an_800_kb_image_goes_through_to_the_upstream(world: World) -> None:
    image = base64.b64encode(bytes(range(256)) * 3200).decode()  # 800 KB of image data
    url = f"data:image/png;base64,{image}"
    content = [
        {"type": "text", "text": "what is this?"},
        {"type": "image_url", "image_url": {"url": url}},
    ]
    body = {"model": "small", "messages": [{"role": "user", "content": content}]}
    assert len(json.dumps(body)) > 1024 * 1024  # over the old 1 MB limit
    response = post(world, "chat/completions", body)
    assert response.status_code == 200, response.text[:300]
    sent = world.upstreams["a"].calls[-1]["messages"][0]["content"][1]["image_url"]["url"]
    assert sent == url


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("RADIANT_GATEWAY_MAX_BODY_BYTES", "65536")
    monkeypatch.setenv("RADIANT_MAX_BODY_BYTES", "4096")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_body_limits_come_from_the_settings_and_413_names_them(
    small_limits: None, template: Template, tmp_path: Path, upstreams: dict[str, FakeUpstream]
) -> None:
    with open_world(template, tmp_path, upstreams) as world:
        big = {"model": "small", "messages": [{"role": "user", "content": "x" * 70_000}]}
        response = post(world, "chat/completions", big)
        assert response.status_code == 413
        error = response.json()["error"]
        assert error["code"] == "payload_too_large" and "65536 bytes" in error["message"]

        def chunks() -> Iterator[bytes]:  # no content-length: counted as it comes
            for _ in range(20):
                yield b" " * 4096
            yield json.dumps(big).encode()

        streamed = httpx2.post(
            f"{world.base}/chat/completions",
            content=chunks(),
            headers={"Authorization": f"Bearer {world.key}"},
        )
        assert streamed.status_code == 413 and "65536" in streamed.json()["error"]["message"]
        fine = post(world, "chat/completions", {"model": "small", "messages": HI})
        assert fine.status_code == 200
        # the admin API has its own limit, from RADIANT_MAX_BODY_BYTES
        admin = httpx2.post(f"{world.url}/api/registry/pricing/estimate", json={"x": "y" * 5000})
        assert admin.status_code == 413
        assert admin.headers["content-type"] == "application/problem+json"
        assert "4096 bytes" in admin.json()["detail"]


def test_answers_carry_the_name_the_client_asked_for(world: World) -> None:
    chat = post(world, "chat/completions", {"model": "acme/small", "messages": HI})
    assert chat.json()["model"] == "acme/small"  # not the upstream's "small-a"
    assert chat.headers["x-radiant-model"] == "chat-small"
    listed = {"model": "nope-not-a-model", "models": ["small"], "messages": HI}
    assert post(world, "chat/completions", listed).status_code == 404  # the first must exist
    fallback = {"models": ["chat-big", "small"], "messages": HI}
    world.upstreams["b"].fail("500")  # chat-big (on b only) fails: small answers on a
    answered = post(world, "chat/completions", fallback)
    assert answered.status_code == 200 and answered.json()["model"] == "small"
    world.upstreams["b"].heal()
    embedded = post(world, "embeddings", {"model": "embed", "input": "x"})
    assert embedded.json()["model"] == "embed"
    body = {"model": "small", "messages": HI, "stream": True}
    with httpx2.stream(
        "POST",
        f"{world.base}/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {world.key}"},
    ) as streamed:
        events = [
            json.loads(line[6:]) for line in streamed.iter_lines() if line.startswith("data: {")
        ]
    assert events and {e["model"] for e in events} == {"small"}


def test_a_stream_that_breaks_says_so_without_the_upstreams_words(world: World) -> None:
    world.upstreams["a"].fail("cut")
    with httpx2.stream(
        "POST",
        f"{world.base}/chat/completions",
        json={"model": "small", "messages": HI, "stream": True},
        headers={"Authorization": f"Bearer {world.key}"},
    ) as streamed:
        text = streamed.read().decode()
    error = json.loads(next(line for line in text.splitlines() if '"error"' in line)[6:])
    message = error["error"]["message"]
    assert message == "the upstream provider's stream broke off after it started"
    assert "chat-small@" not in text and "a:acme" not in text
