"""Webhooks get every finished sync: signed JSON, retried with backoff, off the sync's thread.

The receivers are real HTTP servers on 127.0.0.1.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import Engine

from conftest import migrate
from radiant.settings import Settings
from radiant.store.engine import make_engine
from radiant.sync.jobs import JOBS, JobResult, register_job
from radiant.sync.runner import run_job
from radiant.sync.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    redact,
    sign,
    verify,
)

SECRET = "s3cret-for-tests-only"


@dataclass
class Receiver:
    """A webhook receiver: answers each request with the next status of ``answers``
    (the last one repeats); ``hang`` makes it wait until released instead."""

    answers: list[int]
    hang: bool = False
    requests: list[tuple[float, dict[str, str], bytes]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers["Content-Length"]))
        self.requests.append((time.monotonic(), dict(handler.headers.items()), body))
        self.arrived.set()
        if self.hang:
            self.release.wait(30)
        status = self.answers[min(len(self.requests), len(self.answers)) - 1]
        handler.send_response(status)
        handler.send_header("Content-Length", "0")
        handler.end_headers()


@pytest.fixture
def serve() -> Iterator[Callable[..., Receiver]]:
    servers: list[tuple[ThreadingHTTPServer, Receiver]] = []

    def start(answers: list[int], hang: bool = False) -> Receiver:
        receiver = Receiver(answers, hang)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver.handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/radiant?token=abc"
        servers.append((server, receiver))
        return receiver

    yield start
    for server, receiver in servers:
        receiver.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def engine(sqlite_db: str) -> Iterator[Engine]:
    migrate(sqlite_db)
    engine = make_engine(sqlite_db)
    register_job("t-hooked")(lambda engine, context: JobResult(counts={"models_added": 7}))
    yield engine
    JOBS.pop("t-hooked", None)
    engine.dispose()


def _settings(*urls: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": "sqlite://",
        "webhook_urls": list(urls),
        "webhook_secret": SECRET,
        "webhook_backoff_seconds": 0.2,
        "webhook_timeout_seconds": 2.0,
        "webhook_attempts": 4,
        **extra,
    }
    return Settings(**values)


def _wait(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting")
        time.sleep(0.02)


@pytest.mark.slow
def test_a_failing_receiver_gets_the_signed_event_after_two_retries(
    engine: Engine, serve: Callable[..., Receiver]
) -> None:
    receiver = serve([500, 503, 204])
    run = run_job(engine, "t-hooked", settings=_settings(receiver.url))
    _wait(lambda: len(receiver.requests) == 3)
    time.sleep(0.5)
    assert len(receiver.requests) == 3  # a 2xx ends it

    deliveries = {headers[DELIVERY_HEADER] for _, headers, _ in receiver.requests}
    assert len(deliveries) == 1  # one event, retried: receivers can drop duplicates
    for _, headers, body in receiver.requests:
        assert headers[EVENT_HEADER] == "RegistrySyncCompleted"
        assert headers["Content-Type"] == "application/json"
        assert verify(SECRET, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
        assert not verify(
            "another secret", headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER]
        )
        assert not verify(SECRET, headers[TIMESTAMP_HEADER], body + b" ", headers[SIGNATURE_HEADER])
    event = json.loads(receiver.requests[-1][2])
    assert event["type"] == "RegistrySyncCompleted" and event["id"] in deliveries
    assert event["data"]["sync_id"] == run.id and event["data"]["status"] == "completed"
    assert event["data"]["counts"] == {"models_added": 7}

    # exponential backoff: 0.2 s, then 0.4 s
    times = [at for at, _, _ in receiver.requests]
    first, second = times[1] - times[0], times[2] - times[1]
    assert first >= 0.15 and second >= 0.3 and second > first


@pytest.mark.slow
def test_a_hanging_receiver_neither_blocks_the_sync_nor_other_receivers(
    engine: Engine, serve: Callable[..., Receiver], caplog: pytest.LogCaptureFixture
) -> None:
    hanging = serve([200], hang=True)
    healthy = serve([200])
    settings = _settings(hanging.url, healthy.url, webhook_timeout_seconds=0.5, webhook_attempts=2)
    caplog.set_level(logging.WARNING, logger="radiant.sync.webhooks")

    run = run_job(engine, "t-hooked", settings=settings)
    assert run.ok  # returned while the hanging receiver still holds its first request
    assert not hanging.release.is_set()
    _wait(lambda: len(healthy.requests) == 1)  # the other receiver was not held up
    _wait(lambda: len(hanging.requests) == 2)  # timed out, tried again
    _wait(lambda: "failed after 2 attempts" in caplog.text)
    assert redact(hanging.url) in caplog.text
    assert "token=abc" not in caplog.text and SECRET not in caplog.text


@pytest.mark.slow
def test_a_refusing_receiver_is_not_retried_and_no_secret_means_no_signature(
    engine: Engine, serve: Callable[..., Receiver], caplog: pytest.LogCaptureFixture
) -> None:
    receiver = serve([410])
    caplog.set_level(logging.WARNING, logger="radiant.sync.webhooks")
    run_job(engine, "t-hooked", settings=_settings(receiver.url, webhook_secret=None))
    _wait(lambda: "not retried" in caplog.text)
    assert len(receiver.requests) == 1
    assert SIGNATURE_HEADER not in receiver.requests[0][1]


def test_the_signature_scheme_as_documented() -> None:
    body = b'{"type":"RegistrySyncCompleted"}'
    signature = sign("k", "1700000000", body)
    # HMAC-SHA256 of "<timestamp>.<body>" keyed with the secret, hex, "sha256=" first
    import hashlib
    import hmac

    expected = hmac.new(b"k", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signature == f"sha256={expected}"
    assert verify("k", "1700000000", body, signature, now=1700000100)
    assert not verify("k", "1700000000", body, signature, now=1700000000 + 301)  # replayed
    assert not verify("k", "not-a-time", body, signature)
