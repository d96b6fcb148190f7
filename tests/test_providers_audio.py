"""ElevenLabs (text to speech, also streamed) and Deepgram (speech to text) behind
OpenAI's audio endpoints, over real HTTP fakes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import aclosing

import pytest

from providers_fakes import KEY, Trouble, Upstream, fail, run, serve
from radiant.catalog.loader import Catalog, load_catalog
from radiant.domain import Route
from radiant.providers import UpstreamTarget, WireAdapter, target_for
from radiant.providers.shapes.openai import SpeechParams
from radiant.secrets import EnvSecretResolver

pytestmark = pytest.mark.slow
VOICE = "21m00Tcm4TlvDq8ikWAM"  # an ElevenLabs voice id


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    yield from serve(Upstream())


def elevenlabs(upstream: Upstream) -> UpstreamTarget:
    return UpstreamTarget(
        platform_id="direct",
        provider_id="elevenlabs",
        wire="elevenlabs",
        base_url=upstream.url("elevenlabs/v1"),
        model="eleven_multilingual_v2",
        api_key=KEY,
    )


def deepgram(upstream: Upstream) -> UpstreamTarget:
    return UpstreamTarget(
        platform_id="direct",
        provider_id="deepgram",
        wire="deepgram",
        base_url=upstream.url("deepgram/v1"),
        model="nova-3",
        api_key=KEY,
    )


def test_the_catalog_rows_resolve_to_these_wires() -> None:
    catalog: Catalog = load_catalog()
    secrets = EnvSecretResolver({"ELEVENLABS_API_KEY": "e", "DEEPGRAM_API_KEY": "d"})
    direct = catalog.platforms["direct"]
    for provider_id, base in (
        ("elevenlabs", "https://api.elevenlabs.io/v1"),
        ("deepgram", "https://api.deepgram.com/v1"),
    ):
        route = Route(model_id="m", platform_id="direct", model_string="x")
        target = target_for(direct, route, secrets, provider=catalog.providers[provider_id])
        assert (target.wire, target.base_url) == (provider_id, base)


def test_openai_speech_bodies_become_elevenlabs_calls(upstream: Upstream) -> None:
    body: SpeechParams = {"input": "Hello", "voice": VOICE, "response_format": "pcm", "speed": 1.1}
    audio, content_type = run(elevenlabs(upstream), lambda a: a.speech(body))
    assert audio == f"mp3:{VOICE}:Hello".encode() and content_type == "audio/mpeg"
    sent = upstream.last
    assert sent.path == f"/elevenlabs/v1/text-to-speech/{VOICE}"
    assert sent.query == {"output_format": "pcm_24000"}
    assert sent.body == {
        "text": "Hello",
        "model_id": "eleven_multilingual_v2",
        "voice_settings": {"speed": 1.1},
    }
    assert sent.headers["xi-api-key"] == KEY


def test_elevenlabs_streams_speech(upstream: Upstream) -> None:
    async def call(adapter: WireAdapter) -> bytes:
        pieces = adapter.speech_stream({"input": "Hello there", "voice": VOICE})
        async with aclosing(pieces):
            return b"".join([p async for p in pieces])

    assert run(elevenlabs(upstream), call) == f"mp3:{VOICE}:Hello there".encode()
    assert upstream.last.path.endswith("/stream")


def test_deepgram_transcribes_to_openai_shape(upstream: Upstream) -> None:
    heard = run(deepgram(upstream), lambda a: a.transcription(b"\x01" * 42, "note.wav", {}))
    assert heard == {
        "text": "heard 42 bytes",
        "language": "en",
        "duration": 2.5,
        "usage": {"type": "duration", "seconds": 2.5},
    }
    sent = upstream.last
    assert sent.headers["content-type"] == "audio/x-wav"
    assert sent.headers["authorization"] == f"Token {KEY}"
    assert sent.query == {"model": "nova-3", "smart_format": "true", "detect_language": "true"}

    fields = {"language": "de", "prompt": "Radiant"}
    heard = run(deepgram(upstream), lambda a: a.transcription(b"\x01" * 5, "a.mp3", fields))
    assert heard["text"] == "heard 5 bytes" and heard["usage"]["seconds"] == 2.5
    assert upstream.last.query == {
        "model": "nova-3",
        "smart_format": "true",
        "language": "de",
        "keyterm": "Radiant",
    }


def test_vendor_errors_are_typed(upstream: Upstream) -> None:
    upstream.script.append(Trouble(status=429, retry_after="4"))
    error = fail(deepgram(upstream), lambda a: a.transcription(b"x", "a.wav", {}))
    assert error.status == 429 and error.retry_after == 4.0 and error.retryable
    wrong_key = UpstreamTarget(**{**deepgram(upstream).__dict__, "api_key": "nope"})
    error = fail(wrong_key, lambda a: a.transcription(b"x", "a.wav", {}))
    assert error.code == "INVALID_AUTH" and str(error).endswith("Invalid credentials.")
    wrong = UpstreamTarget(**{**elevenlabs(upstream).__dict__, "api_key": "nope"})
    error = fail(wrong, lambda a: a.speech({"input": "x", "voice": VOICE}))
    assert error.status == 401 and "bad key" in str(error) and not error.retryable
    assert error.code == "invalid_api_key"
