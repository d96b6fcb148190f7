"""ProviderError: what is retryable, what is a context overflow, how Retry-After reads,
and how the API answers one (502, 504 for a timeout) as problem+json."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx2
import pytest
from fastapi import FastAPI

from local_server import serve_app
from radiant.api.problems import install_problem_handlers
from radiant.errors import ProviderError, RadiantError, UnsupportedError
from radiant.http.retry_after import retry_after
from radiant.providers.errors import from_response


@pytest.mark.parametrize(
    ("kind", "status", "retryable"),
    [
        ("connect", None, True),
        ("timeout", None, True),
        ("protocol", None, True),
        ("config", None, False),
        ("http", 429, True),
        ("http", 500, True),
        ("http", 503, True),
        ("http", 529, True),
        ("http", 408, True),
        ("http", 400, False),
        ("http", 401, False),
        ("http", 404, False),
    ],
)
def test_what_is_worth_another_try(kind: str, status: int | None, retryable: bool) -> None:
    error = ProviderError("x", provider="p", kind=kind, status=status)
    assert error.retryable is retryable
    assert isinstance(error, RadiantError)


def test_retry_after_in_seconds_milliseconds_or_a_date() -> None:
    assert retry_after(httpx2.Headers({"retry-after": "7"})) == 7.0
    assert retry_after(httpx2.Headers({"retry-after-ms": "250", "retry-after": "9"})) == 0.25
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    waited = retry_after(httpx2.Headers({"retry-after": later}))
    assert waited is not None and 25 < waited <= 30
    assert retry_after(httpx2.Headers({"retry-after": "soon"})) is None
    assert retry_after(httpx2.Headers({})) is None


def test_a_vendor_body_that_is_not_json_is_kept_short() -> None:
    error = from_response("p", 502, "<html>" + "x" * 5000 + "</html>", httpx2.Headers({}))
    assert error.body is not None and len(error.body) == 2000
    assert len(str(error)) < 260 and error.code is None


def test_the_api_answers_502_or_504_as_a_problem() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/v1/limited")
    async def limited() -> None:
        raise ProviderError("openai: HTTP 429: slow down", provider="openai", status=429)

    @app.get("/v1/slow")
    async def slow() -> None:
        raise ProviderError("openai: timed out", provider="openai", kind="timeout")

    @app.get("/v1/unsupported")
    async def unsupported() -> None:
        raise UnsupportedError("anthropic", "embeddings")

    with serve_app(app, lifespan="off") as base, httpx2.Client(base_url=base) as client:
        limited_answer = client.get("/v1/limited")
        slow_answer = client.get("/v1/slow")
        unsupported_answer = client.get("/v1/unsupported")
    assert limited_answer.status_code == 502
    assert limited_answer.headers["content-type"] == "application/problem+json"
    body = limited_answer.json()
    assert body["type"] == "urn:radiant:problem:bad-gateway"
    assert body["error"]["message"] == "openai: HTTP 429: slow down"
    assert body["error"]["code"] == "upstream_error"  # a word, as the gateway's own say
    assert slow_answer.status_code == 504
    assert slow_answer.json()["error"]["code"] == "upstream_timeout"
    assert slow_answer.json()["type"] == "urn:radiant:problem:gateway-timeout"
    assert unsupported_answer.status_code == 400
    assert unsupported_answer.json()["detail"] == "provider 'anthropic' does not support embeddings"
