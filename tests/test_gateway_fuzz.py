"""A derandomized schemathesis run over the ``/v1`` gateway, every check on.

The OpenAPI document's ``/v1`` operations are exercised against the real gateway served
on 127.0.0.1, in front of real fake upstreams on 127.0.0.1, with a real tenant key: for
each operation 100 schema-valid and 100 schema-invalid requests (derandomized, no example
database). Schema-valid requests name one of the tenant's models (the only part of a
valid body the schema cannot know), so they reach the upstream and must come back 200
in the documented shape; schema-invalid ones must be refused with a 4xx before any
upstream hears of them. Every check runs: no 5xx, documented statuses, content types and
headers, answers that match their schemas (server-sent events included), valid data
accepted, invalid data rejected, authentication enforced.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from gateway_fakes import FakeUpstream
from gateway_world import make_template
from local_server import serve_app
from radiant.api.app import create_app
from radiant.gateway.metering import Meter
from radiant.gateway.retry import RetryPolicy
from radiant.gateway.service import Gateway
from radiant.health import HealthMonitor
from radiant.health.monitor import open_health_store
from radiant.registry.service import Registry
from radiant.store.engine import make_engine

#: a model of the tenant's for each operation (the valid name a generated body lacks)
MODELS = {
    "/v1/chat/completions": "chat-small",
    "/v1/embeddings": "embed",
    "/v1/images/generations": "paint",
    "/v1/audio/speech": "voice",
    "/v1/audio/transcriptions": "ears",
}
OPERATIONS = [("POST", path) for path in MODELS] + [("GET", "/v1/models")]
#: ``make fuzz`` (``RADIANT_FUZZ_SECONDS`` set): randomized runs of more examples
FUZZING = bool(os.environ.get("RADIANT_FUZZ_SECONDS"))
#: examples per operation and mode: a derandomized slice in ``make test``
EXAMPLES = 100 if FUZZING else 30
#: how every operation's examples run
RUN = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=not FUZZING,
    suppress_health_check=list(HealthCheck),
)


@dataclass
class Served:
    url: str
    key: str
    schema: Any
    upstreams: dict[str, FakeUpstream]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    directory = tmp_path_factory.mktemp("gateway-fuzz")
    fakes = {name: FakeUpstream(name) for name in ("a", "b")}
    with ExitStack() as stack:
        urls = {name: f"{stack.enter_context(serve_app(f.app))}/v1" for name, f in fakes.items()}
        template = make_template(directory, urls)
        db = directory / "gateway.db"
        shutil.copyfile(template.path, db)
        engine = make_engine(f"sqlite:///{db}")
        stack.callback(engine.dispose)
        registry = Registry(engine)
        health = HealthMonitor(open_health_store(engine), refresh_interval=0.0)
        # no rate limiter: the run is about shapes, and a few hundred requests a minute
        # would otherwise be refused by the tier's limits
        gateway = Gateway(
            registry,
            meter=Meter(engine, Path(directory) / "spool"),
            health=health,
            retry=RetryPolicy(attempts_per_route=1),
        )
        app = create_app(registry, health=health, gateway=gateway)
        url = stack.enter_context(serve_app(app))
        yield Served(url, template.key, schemathesis.openapi.from_dict(app.openapi()), fakes)


def _named(case: Any, path: str) -> None:
    """Give a schema-valid body one of the tenant's models."""
    body = case.body
    if not isinstance(body, dict) or path not in MODELS:
        return
    body["model"] = MODELS[path]
    if "models" in body:
        body["models"] = [MODELS[path]]


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_gateway_operation_keeps_its_contract(
    served: Served, method: str, path: str, mode: GenerationMode
) -> None:
    operation = served.schema[path][method]
    headers = {"Authorization": f"Bearer {served.key}"}
    calls = {name: len(fake.calls) for name, fake in served.upstreams.items()}

    @RUN
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        if mode is GenerationMode.POSITIVE:
            _named(case, path)
        case.call_and_validate(base_url=served.url, headers=headers)

    try:
        check()
    except Unsatisfiable:
        # nothing invalid can be written for this operation: nothing to check in this mode
        assert mode is GenerationMode.NEGATIVE
        return
    reached = sum(len(f.calls) - calls[n] for n, f in served.upstreams.items())
    if mode is GenerationMode.NEGATIVE and method == "POST":
        assert reached == 0, "an invalid body reached an upstream"
    elif method == "POST":
        assert reached > 0, "no valid body reached an upstream"


#: the doors OpenAI has no shape for: bad bodies (refused before any upstream) and job
#: reads of ids nobody started (404s), every check on
RADIANT_OPERATIONS = [
    *(("POST", p, GenerationMode.NEGATIVE) for p in ("/v1/rerank", "/v1/search", "/v1/videos")),
    *(("POST", p, GenerationMode.NEGATIVE) for p in ("/v1/3d", "/v1/inference")),
    ("GET", "/v1/videos/{id}", GenerationMode.POSITIVE),
    ("GET", "/v1/videos/{id}/content", GenerationMode.POSITIVE),
    ("GET", "/v1/3d/{id}", GenerationMode.POSITIVE),
]


@pytest.mark.slow
@pytest.mark.parametrize(("method", "path", "mode"), RADIANT_OPERATIONS)
def test_radiant_operation_keeps_its_contract(
    served: Served, method: str, path: str, mode: GenerationMode
) -> None:
    operation = served.schema[path][method]
    headers = {"Authorization": f"Bearer {served.key}"}
    calls = {name: len(fake.calls) for name, fake in served.upstreams.items()}

    @RUN
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        answer = case.call_and_validate(base_url=served.url, headers=headers)
        assert 400 <= answer.status_code < 500, (answer.status_code, answer.text)

    check()
    assert sum(len(f.calls) - calls[n] for n, f in served.upstreams.items()) == 0
