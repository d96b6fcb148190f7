"""The provider categories over real HTTP fakes: text resolved through the registry,
image and video by pattern (video as a polled long-running job), text-to-speech voice
first, speech-to-text, realtime by override map, semantic as a cached singleton; every
optional call checks the declared capabilities first."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest

from providers_fakes import KEY, Upstream, serve
from radiant.catalog.loader import Catalog
from radiant.domain import AuthType, Model, Platform, PlatformKind, Provider, Route
from radiant.errors import ModelNotFoundError, ProviderError, UnsupportedError
from radiant.http.client import HttpClient
from radiant.providers import (
    BaseRealtimeProvider,
    CatalogLookup,
    RealtimeEvent,
    SnapshotLookup,
    TranscriptionRequest,
    TTSRequest,
    UpstreamTarget,
    clear_semantic_cache,
    get_audio_provider,
    get_image_provider,
    get_realtime_provider,
    get_semantic_provider,
    get_text_provider,
    get_tts_provider,
    get_video_provider,
)
from radiant.providers.resolvers import REALTIME_PROVIDERS
from radiant.registry.snapshot import Snapshot
from radiant.secrets import EnvSecretResolver

pytestmark = pytest.mark.slow
T = TypeVar("T")


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    yield from serve(Upstream())


def run(call: Callable[[HttpClient], Awaitable[T]]) -> T:
    async def go() -> T:
        async with HttpClient() as client:
            return await call(client)

    return asyncio.run(go())


def openai_target(upstream: Upstream, model: str = "gpt-4o") -> UpstreamTarget:
    return UpstreamTarget(
        platform_id="direct",
        provider_id="openai",
        wire="openai",
        base_url=upstream.url("openai/v1"),
        model=model,
        api_key=KEY,
        timeout=2.0,
    )


def small_registry(
    upstream: Upstream,
) -> tuple[list[Platform], list[Provider], list[Model], list[Route]]:
    platform = Platform(
        id="together",
        name="Together",
        kind=PlatformKind.HOST,
        base_url=upstream.url("openai/v1"),
        auth_config={"api_key_env": "TOGETHER_API_KEY"},
        openai_compatible=True,
    )
    anthropic = Platform(
        id="claude_api",
        name="Claude",
        kind=PlatformKind.HOST,
        base_url=upstream.url("anthropic/v1"),
        metadata={"wire": "anthropic"},
        auth_config={"api_key_env": "ANTHROPIC_API_KEY"},
    )
    meta = Provider(id="meta", name="meta", display_name="Meta", category="text_generation")
    acme = Provider(id="acme", name="acme", display_name="Acme", category="text_generation")
    llama = Model(
        id="llama-3-70b",
        aliases=["llama3"],
        provider_id="meta",
        name="Llama 3 70B",
        display_name="Llama 3 70B",
        category="text_generation",
        capabilities=["chat", "streaming"],
    )
    claude = Model(
        id="claude-x",
        provider_id="acme",
        name="Claude X",
        display_name="Claude X",
        category="text_generation",
        capabilities=["chat", "extended_thinking"],
    )
    routes = [
        Route(model_id="llama-3-70b", platform_id="together", model_string="meta/llama-3-70b"),
        Route(model_id="claude-x", platform_id="claude_api", model_string="claude-x-2025"),
    ]
    return [platform, anthropic], [meta, acme], [llama, claude], routes


SECRETS = EnvSecretResolver({"TOGETHER_API_KEY": KEY, "ANTHROPIC_API_KEY": KEY})


def catalog_lookup(upstream: Upstream) -> CatalogLookup:
    platforms, providers, models, routes = small_registry(upstream)
    catalog = Catalog(
        name="t",
        as_of=datetime.now(UTC),
        platforms={p.id: p for p in platforms},
        providers={p.id: p for p in providers},
        models={m.id: m for m in models},
        routes={r.id: r for r in routes},
    )
    return CatalogLookup(catalog)


# ----------------------------------------------------------------------------- text


def test_text_resolves_a_model_alias_through_the_registry(upstream: Upstream) -> None:
    lookup = catalog_lookup(upstream)

    async def call(client: HttpClient) -> Any:
        provider = get_text_provider("LLAMA3", lookup, client, SECRETS)
        answer = await provider.generate(
            "Say hello", temperature=0.1, max_tokens=20, system="Be kind"
        )
        streamed = [t async for t in provider.stream("Say hello")]
        return provider, answer, streamed

    provider, answer, streamed = run(call)
    assert provider.provider_name == "together:meta" and provider.capabilities.streaming
    assert answer.content == "Hello there" and answer.usage["total_tokens"] == 15
    assert answer.model == "meta/llama-3-70b" and answer.finish_reason == "stop"
    assert "".join(streamed) == "Hello there"
    first = upstream.seen[0].body
    assert first["messages"][0] == {"role": "system", "content": "Be kind"}
    assert (first["temperature"], first["max_tokens"]) == (0.1, 20)


def test_the_snapshot_is_a_registry_too(upstream: Upstream) -> None:
    platforms, providers, models, routes = small_registry(upstream)
    lookup = SnapshotLookup(Snapshot.build(1, platforms, providers, models, routes))

    async def call(client: HttpClient) -> Any:
        provider = get_text_provider("claude-x", lookup, client, SECRETS)
        return await provider.generate_with_reasoning("Think", reasoning_effort="low")

    answer = run(call)
    assert (
        answer.content == "Hello there"
        and answer.usage["prompt_tokens_details"]["cached_tokens"] == 100
    )
    assert upstream.last.body["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    assert upstream.last.body["model"] == "claude-x-2025"


def test_a_model_that_cannot_reason_is_refused_before_any_request(upstream: Upstream) -> None:
    async def call(client: HttpClient) -> Any:
        provider = get_text_provider("llama3", catalog_lookup(upstream), client, SECRETS)
        return await provider.generate_with_reasoning("Think")

    with pytest.raises(UnsupportedError, match="'together:meta' does not support reasoning"):
        run(call)
    assert upstream.seen == []


def test_an_unknown_model_suggests_names(upstream: Upstream) -> None:
    with pytest.raises(ModelNotFoundError, match="did you mean 'llama3'") as info:
        run(
            lambda c: asyncio.sleep(
                0, get_text_provider("llama", catalog_lookup(upstream), c, SECRETS)
            )
        )
    assert info.value.status == 404


def test_an_optional_call_checks_capabilities_before_any_request(upstream: Upstream) -> None:
    seam = UpstreamTarget(platform_id="bedrock", wire="bedrock", base_url=upstream.base, model="m")
    platform = Platform(
        id="bedrock",
        name="Bedrock",
        kind=PlatformKind.CLOUD,
        base_url=upstream.base,
        auth_type=AuthType.NONE,
    )
    model = Model(id="m", provider_id="p", name="M", display_name="M", category="text_generation")
    provider = Provider(id="p", name="p", display_name="P", category="text_generation")
    catalog = Catalog(
        name="t",
        as_of=datetime.now(UTC),
        platforms={"bedrock": platform},
        providers={"p": provider},
        models={"m": model},
        routes={"m@bedrock": Route(model_id="m", platform_id="bedrock", model_string=seam.model)},
    )

    async def call(client: HttpClient) -> None:
        text = get_text_provider("m", CatalogLookup(catalog), client)
        await text.generate_with_reasoning("Think")

    with pytest.raises(UnsupportedError, match="does not support reasoning"):
        run(call)
    assert upstream.seen == []


# ----------------------------------------------------------------------------- image, video


def test_images_by_pattern(upstream: Upstream) -> None:
    async def call(client: HttpClient) -> bytes:
        provider = get_image_provider(
            "dall-e-3", {"openai": openai_target(upstream, "dall-e-3")}, client
        )
        return await provider.generate("a cat", width=512, height=512)

    assert run(call).startswith(b"\x89PNG")
    assert upstream.last.body["size"] == "512x512"
    assert upstream.last.body["response_format"] == "b64_json"
    with pytest.raises(UnsupportedError, match="no image provider registered for 'flux'"):
        run(
            lambda c: asyncio.sleep(
                0, get_image_provider("flux-1.1-pro", {"openai": openai_target(upstream)}, c)
            )
        )


def test_video_is_a_polled_job(upstream: Upstream) -> None:
    seen: list[str] = []

    async def progress(job: Any) -> None:
        seen.append(job.status)

    async def call(client: HttpClient) -> bytes:
        provider = get_video_provider(
            "sora-2", {"openai": openai_target(upstream, "sora-2")}, client
        )
        provider.poll_interval = 0.01
        return await provider.generate(
            "a wave", duration_seconds=4, size="1280x720", on_progress=progress
        )

    assert b"ftypmp4" in run(call)
    assert seen == ["in_progress", "completed"]
    created = next(s for s in upstream.seen if s.path == "/openai/v1/videos")
    assert created.body == {
        "model": "sora-2",
        "prompt": "a wave",
        "seconds": "4",
        "size": "1280x720",
    }


def test_video_from_an_image_and_failed_jobs(upstream: Upstream) -> None:
    async def from_image(client: HttpClient) -> bytes:
        provider = get_video_provider(
            "sora-2", {"openai": openai_target(upstream, "sora-2")}, client
        )
        provider.poll_interval = 0.01
        return await provider.generate_from_image("move", "data:image/png;base64,iVBORw0KGgo=")

    assert run(from_image)
    created = next(s for s in upstream.seen if s.path == "/openai/v1/videos")
    assert created.body["input_reference"] == {"filename": "reference", "size": 8}

    upstream.video_fails = True
    with pytest.raises(ProviderError, match="moderation blocked"):
        run(from_image)
    upstream.video_fails, upstream.video_polls = False, 1000

    async def slow(client: HttpClient) -> bytes:
        provider = get_video_provider(
            "sora-2", {"openai": openai_target(upstream, "sora-2")}, client
        )
        provider.poll_interval, provider.deadline = 0.01, 0.05
        return await provider.generate("a wave")

    with pytest.raises(ProviderError, match="not done after") as info:
        run(slow)
    assert info.value.kind == "timeout"
    with pytest.raises(UnsupportedError, match="no video upstream configured for 'gemini'"):
        run(
            lambda c: asyncio.sleep(
                0, get_video_provider("veo-3", {"openai": openai_target(upstream)}, c)
            )
        )


# ----------------------------------------------------------------------------- speech


def test_tts_resolves_by_voice_and_streams(upstream: Upstream) -> None:
    request = TTSRequest(text="Hi", voice="alloy", model="gpt-4o-mini-tts", speed=1.2)

    async def call(client: HttpClient) -> Any:
        provider = get_tts_provider("alloy", {"openai": openai_target(upstream, "tts-1")}, client)
        whole = await provider.generate(request)
        pieces = [p async for p in provider.stream(request)]
        return whole, pieces

    whole, pieces = run(call)
    assert whole.audio == b"ID3fake-mp3-bytes" and whole.content_type == "audio/mpeg"
    assert b"".join(pieces) == whole.audio
    assert upstream.last.body == {
        "input": "Hi",
        "voice": "alloy",
        "response_format": "mp3",
        "speed": 1.2,
        "model": "gpt-4o-mini-tts",
    }
    with pytest.raises(UnsupportedError, match="upstream configured for .elevenlabs."):
        run(
            lambda c: asyncio.sleep(
                0, get_tts_provider("21m00Tcm4TlvDq8ikWAM", {"openai": openai_target(upstream)}, c)
            )
        )


def test_stt_transcribes_files_and_refuses_live_streams(upstream: Upstream) -> None:
    async def call(client: HttpClient) -> Any:
        provider = get_audio_provider({"openai": openai_target(upstream, "whisper-1")}, client)
        return await provider.transcribe_file(
            TranscriptionRequest(b"\x00" * 10, "a.wav", language="de")
        )

    result = run(call)
    assert result.text == "heard 10 bytes" and result.duration_seconds == 3.0
    assert result.language == "de" and upstream.last.body["language"] == "de"

    async def live(client: HttpClient) -> str:
        async def audio() -> AsyncIterator[bytes]:
            yield b"\x00"

        provider = get_audio_provider({"openai": openai_target(upstream, "whisper-1")}, client)
        return await provider.transcribe_stream(audio())

    with pytest.raises(UnsupportedError, match="does not support streaming"):
        run(live)
    with pytest.raises(UnsupportedError, match="does not support streaming"):
        run(
            lambda c: asyncio.sleep(
                0, get_audio_provider({"openai": openai_target(upstream)}, c, streaming=True)
            )
        )


# ----------------------------------------------------------------------------- realtime, semantic


class EchoRealtime(BaseRealtimeProvider):
    """A plug-in realtime provider (no WebSocket client ships with Radiant)."""

    provider_name = "echo"

    def __init__(self, target: UpstreamTarget, client: HttpClient) -> None:
        self.queue: asyncio.Queue[RealtimeEvent | None] = asyncio.Queue()

    async def open_session(self, settings: dict[str, Any]) -> None:
        await self.queue.put(RealtimeEvent("session.created", settings))

    async def receive_events(self) -> AsyncIterator[RealtimeEvent]:
        while (event := await self.queue.get()) is not None:
            yield event

    async def send_user_event(self, payload: dict[str, Any]) -> None:
        await self.queue.put(RealtimeEvent("echo", payload))
        await self.queue.put(None)


def test_realtime_by_override_map(upstream: Upstream) -> None:
    target = openai_target(upstream, "gpt-realtime")
    with pytest.raises(UnsupportedError, match="no realtime provider registered for 'openai'"):
        run(
            lambda c: asyncio.sleep(0, get_realtime_provider("gpt-realtime", {"openai": target}, c))
        )
    REALTIME_PROVIDERS.register("openai", EchoRealtime)
    try:

        async def call(client: HttpClient) -> list[str]:
            session = get_realtime_provider("gpt-4o-realtime-preview", {"openai": target}, client)
            await session.open_session({"voice": "alloy"})
            await session.send_user_event({"text": "hi"})
            return [e.type async for e in session.receive_events()]

        assert run(call) == ["session.created", "echo"]
        with pytest.raises(UnsupportedError, match="registered for 'google'"):
            run(
                lambda c: asyncio.sleep(
                    0, get_realtime_provider("gemini-2.0-flash-live-001", {"openai": target}, c)
                )
            )
    finally:
        REALTIME_PROVIDERS._factories.pop("openai")


def test_semantic_is_a_cached_singleton(upstream: Upstream) -> None:
    clear_semantic_cache()
    try:

        async def call(client: HttpClient) -> Any:
            first = get_semantic_provider(
                "docs", openai_target(upstream, "text-embedding-3-small"), client
            )
            again = get_semantic_provider("docs")
            return first, again, await again.embed(["a", "b", "c"])

        first, again, vectors = run(call)
        assert first is again and vectors == [[0.1, 0.2, 0.3]] * 3
    finally:
        clear_semantic_cache()
    with pytest.raises(UnsupportedError, match="not set up"):
        get_semantic_provider("docs")
