"""AssemblyAI (upload, create, poll) behind OpenAI's transcriptions endpoint, over a
real HTTP fake (:mod:`fakes_retrieval`); polls are fast through ``wire_options``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fakes_retrieval import RetrievalState, serve_retrieval
from providers_fakes import KEY, Trouble, fail, run
from radiant.catalog.loader import load_catalog
from radiant.domain import Route
from radiant.providers import UpstreamTarget, target_for
from radiant.secrets import EnvSecretResolver

pytestmark = pytest.mark.slow
FAST = {"poll_interval": 0.01, "poll_max_interval": 0.02, "poll_deadline": 5}


@pytest.fixture
def fake() -> Iterator[RetrievalState]:
    yield from serve_retrieval(RetrievalState())


def assemblyai(fake: RetrievalState, **options: Any) -> UpstreamTarget:
    return UpstreamTarget(
        platform_id="direct",
        provider_id="assemblyai",
        wire="assemblyai",
        base_url=fake.url("assemblyai/v2"),
        model="best",
        api_key=KEY,
        options={**FAST, **options},
    )


def test_the_catalog_rows_resolve_to_this_wire() -> None:
    catalog = load_catalog()
    route = Route(model_id="m", platform_id="direct", model_string="x")
    secrets = EnvSecretResolver({"ASSEMBLYAI_API_KEY": "a"})
    provider = catalog.providers["assemblyai"]
    target = target_for(catalog.platforms["direct"], route, secrets, provider=provider)
    assert (target.wire, target.base_url) == ("assemblyai", "https://api.assemblyai.com/v2")


def test_uploads_creates_and_polls_until_completed(fake: RetrievalState) -> None:
    heard = run(assemblyai(fake), lambda a: a.transcription(b"\x01" * 42, "note.wav", {}))
    assert heard == {
        "text": "heard 42 bytes",
        "language": "en_us",
        "duration": 90.0,
        "usage": {"type": "duration", "seconds": 90.0},
    }
    upload, create, *polls = fake.seen
    assert upload.path == "/assemblyai/v2/upload" and upload.body == b"\x01" * 42
    assert upload.headers["content-type"] == "application/octet-stream"
    assert upload.headers["authorization"] == KEY
    assert create.path == "/assemblyai/v2/transcript"
    assert create.body == {
        "audio_url": "https://cdn.assemblyai.test/upload-1",
        "speech_model": "best",
        "language_detection": True,
    }
    assert [p.path for p in polls] == ["/assemblyai/v2/transcript/job-1"] * 2
    run(assemblyai(fake), lambda a: a.transcription(b"x", "a.mp3", {"language": "de"}))
    assert fake.seen[-3].body["language_code"] == "de"
    assert "language_detection" not in fake.seen[-3].body


def test_a_failed_job_is_a_provider_error(fake: RetrievalState) -> None:
    fake.transcript_error = "Transcoding failed. File does not appear to contain audio."
    error = fail(assemblyai(fake), lambda a: a.transcription(b"x", "a.wav", {}))
    assert "does not appear to contain audio" in str(error) and not error.retryable


def test_a_job_past_its_deadline_times_out(fake: RetrievalState) -> None:
    fake.transcript_polls = 1000
    error = fail(assemblyai(fake, poll_deadline=0.1), lambda a: a.transcription(b"x", "a.wav", {}))
    assert error.kind == "timeout" and error.retryable


def test_upstream_errors_are_typed(fake: RetrievalState) -> None:
    fake.script.append(Trouble(status=429, retry_after="5", body=b'{"error": "Too many"}'))
    error = fail(assemblyai(fake), lambda a: a.transcription(b"x", "a.wav", {}))
    assert error.status == 429 and error.retry_after == 5.0 and error.retryable
    assert "Too many" in str(error)
    fake.script.append(Trouble(status=400, body=b'{"error": "bad request"}'))
    error = fail(assemblyai(fake), lambda a: a.transcription(b"x", "a.wav", {}))
    assert error.status == 400 and not error.retryable
    bearer = UpstreamTarget(**{**assemblyai(fake).__dict__, "api_key": "nope"})
    error = fail(bearer, lambda a: a.transcription(b"x", "a.wav", {}))
    assert error.status == 401 and "Authentication error" in str(error)
