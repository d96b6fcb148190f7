"""Schemathesis over the whole OpenAPI document, with every check on.

For every operation, schema-valid and schema-invalid requests are generated and sent, as
a super administrator, to the app over a synced SQLite registry. Every built-in check
runs: no 5xx, documented status codes, content types and headers, responses that match
their schema, schema-invalid data rejected with a 4xx, a missing required header or an
undeclared method refused. ``positive_data_acceptance`` takes 412 and 422 besides its
defaults: a schema-valid write may still break a rule of the domain the schema cannot
state (a dangling reference, a tier above the tenant's), and a well-formed ``If-Match``
may name a version that is not the current one.

Two budgets:

* ``make test`` (this module as it is): derandomized, ``EXAMPLES`` (30) examples per
  operation and mode, the same run every time: every operation, mode and check, on a
  slice of the inputs;
* ``make fuzz`` (``RADIANT_FUZZ_SECONDS=300``): randomized, each operation and mode
  gets its share of the seconds, spent in rounds of ``EXAMPLES`` (100) fresh random
  examples (at least one round), with Hypothesis' example database off so every run
  explores afresh.

Operations this module cannot drive meaningfully are named in ``EXCLUDED`` (by path
prefix) or ``EXCLUDED_TAGS`` (by OpenAPI tag), each with the reason, and ``FEWER`` names
those with a smaller budget; a test checks each entry, so nothing is left out silently.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from jsonschema import Draft202012Validator
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import negative_data_rejection

from conftest import Bearer, migrate
from radiant.api.app import create_app
from radiant.catalog import load_catalog
from radiant.registry.service import Registry
from radiant.security import Role
from radiant.store.engine import make_engine
from radiant.sync import sync_catalog

#: ``make fuzz``: the seconds of the whole run (0: the bounded run of ``make test``)
FUZZ_SECONDS = float(os.environ.get("RADIANT_FUZZ_SECONDS", "0") or 0)
#: examples per operation and mode (``make fuzz``: per round)
EXAMPLES = 100 if FUZZ_SECONDS else 30

#: path prefix -> why this module does not fuzz the operations under it
EXCLUDED: dict[str, str] = {
    "/v1/": "the OpenAI-compatible gateway: it needs fake providers behind it, and its own"
    " fuzz module drives it",
}
#: OpenAPI tag -> why this module does not fuzz the operations tagged with it
EXCLUDED_TAGS: dict[str, str] = {}
#: (method, path) -> (examples, why fewer)
FEWER: dict[tuple[str, str], tuple[int, str]] = {
    ("POST", "/api/v2/admin/registry/sync/{sync_type}"): (
        4,
        "each accepted request starts a whole catalog sync in the background",
    ),
}
_METHODS = {"get", "post", "put", "patch", "delete"}
_CONFIG = {
    "checks": {
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "401", "403", "404", "409", "412", "422"],
        },
    },
}


@functools.cache
def _document() -> dict[str, Any]:
    document: dict[str, Any] = create_app(Registry(make_engine("sqlite://"))).openapi()
    return document


def _all_operations() -> list[tuple[str, str, frozenset[str]]]:
    return [
        (method.upper(), path, frozenset(operation.get("tags", ())))
        for path, item in _document()["paths"].items()
        for method, operation in item.items()
        if method in _METHODS
    ]


def _excluded(path: str, tags: frozenset[str]) -> bool:
    return any(path.startswith(prefix) for prefix in EXCLUDED) or bool(tags & set(EXCLUDED_TAGS))


OPERATIONS = [(m, p) for m, p, tags in _all_operations() if not _excluded(p, tags)]


def test_every_exclusion_is_explicit_and_current() -> None:
    operations = _all_operations()
    assert all(prefix.startswith("/") and reason for prefix, reason in EXCLUDED.items())
    tags = {tag for _, _, t in operations for tag in t}
    for tag, reason in EXCLUDED_TAGS.items():
        assert tag in tags and reason, tag  # a tag no operation has excludes nothing
    for operation, (examples, reason) in FEWER.items():
        assert operation in OPERATIONS and reason and examples > 0, operation
    assert len(OPERATIONS) >= 100  # the document is fuzzed, not a corner of it


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'radiant.db'}"
    migrate(url)
    engine = make_engine(url)
    sync_catalog(engine, load_catalog())
    yield create_app(Registry(engine))
    engine.dispose()


@pytest.fixture(scope="module")
def schema(app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi(
        "/openapi.json", app, config=SchemathesisConfig.from_dict(_CONFIG)
    )


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[Any]:
    """One in-process client for the module: the app starts once, not once a request."""
    with asgi.get_client(app) as session:  # type: ignore[arg-type]  # its ASGI alias is narrower
        yield session


def _wire_forms(text: str) -> list[Any]:
    """What one query-string value may stand for: itself, a number, a boolean."""
    forms: list[Any] = [text]
    for number in (int, float):
        with contextlib.suppress(ValueError):
            forms.append(number(text))
    if text in ("true", "false"):
        forms.append(text == "true")
    return forms


def _query_fits_on_the_wire(
    parameters: list[dict[str, Any]], components: dict[str, Any], url: str
) -> bool:
    """Whether the query the server received, read as the strings it is, is valid.

    Schemathesis mutates a query value's *type* (an integer for a string, an object for a
    null), but a query string carries only strings: ``exclude_capability=5`` is the
    capability named "5", ``q={}`` goes out as ``q=``. An operation that accepts such a
    request accepts valid data; this tells those cases from real acceptance of bad input
    (a value out of range, outside an enum, a missing required parameter), which still
    fail."""
    sent = parse_qs(urlsplit(url).query, keep_blank_values=True)
    for parameter in parameters:
        if parameter.get("in") != "query":
            continue
        values = sent.get(parameter["name"])
        if values is None:
            if parameter.get("required"):
                return False
            continue
        # the schema's "#/components/..." references resolve inside the wrapper
        validator = Draft202012Validator({**parameter.get("schema", {}), "components": components})
        scalars = _wire_forms(values[0]) if len(values) == 1 else []
        lists = itertools.islice(itertools.product(*map(_wire_forms, values)), 64)
        if not any(validator.is_valid(c) for c in [*scalars, *map(list, lists)]):
            return False
    return True


def _examples(method: str, path: str) -> int:
    return FEWER.get((method, path), (EXAMPLES, ""))[0]


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_operation_keeps_its_contract(
    app: FastAPI,
    schema: Any,
    client: Any,
    bearer: Bearer,
    method: str,
    path: str,
    mode: GenerationMode,
) -> None:
    operation = schema[path][method]
    headers = bearer(app, Role.SUPER_ADMIN)
    document = _document()
    parameters = document["paths"][path][method.lower()].get("parameters", [])

    @settings(
        max_examples=_examples(method, path),
        derandomize=not FUZZ_SECONDS,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        response = case.call(session=client, headers=headers)
        negative = {
            location for location, info in case.meta.components.items() if info.mode.is_negative
        }
        only_query = negative == {ParameterLocation.QUERY}
        wire_valid = only_query and _query_fits_on_the_wire(
            parameters, document.get("components", {}), response.request.url
        )
        case.validate_response(
            response,
            headers=headers,
            excluded_checks=[negative_data_rejection] if wire_valid else [],
            transport_kwargs={"session": client, "headers": dict(headers)},
        )

    deadline = time.monotonic() + FUZZ_SECONDS / (2 * len(OPERATIONS))
    while True:
        try:
            check()
        except Unsatisfiable:
            # nothing invalid can be written for this operation (e.g. one free-form path
            # parameter): there is nothing to check in this mode
            assert mode is GenerationMode.NEGATIVE
            return
        if time.monotonic() >= deadline:
            return
