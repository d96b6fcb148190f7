"""A bounded schemathesis run over the whole OpenAPI document.

For every operation, schema-valid and schema-invalid requests are generated (30 of each
at most, 8 for the sync trigger; no example database) and sent, as a super
administrator, to the app over a synced SQLite registry. The checks: no 5xx, documented
status codes and content types, responses that match their schema, and schema-invalid
data rejected with a 4xx. Not checked: that every schema-valid request succeeds — a
valid-looking write may still break a rule of the domain (a dangling reference, a tier
above the tenant's) and get 422.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from conftest import Bearer
from radiant.api.app import create_app
from radiant.catalog import load_catalog
from radiant.registry import Registry
from radiant.security import Role
from radiant.store.engine import make_engine
from radiant.store.migrate import upgrade
from radiant.sync import sync_catalog


def _operations() -> list[tuple[str, str]]:
    document = create_app(Registry(make_engine("sqlite://"))).openapi()
    return [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'radiant.db'}"
    upgrade(url)
    engine = make_engine(url)
    sync_catalog(engine, load_catalog())
    yield create_app(Registry(engine))
    engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("method", "path"), _operations())
def test_operation_keeps_its_contract(
    app: FastAPI, bearer: Bearer, method: str, path: str, mode: GenerationMode
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operation = schema[path][method]
    headers = bearer(app, Role.SUPER_ADMIN)

    @settings(
        # a sync request starts a whole catalog sync in the background: fewer of those
        max_examples=8 if path.endswith("/sync") else 30,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        case.call_and_validate(
            headers=headers, excluded_checks=[schemathesis.checks.positive_data_acceptance]
        )

    try:
        check()
    except Unsatisfiable:
        # nothing invalid can be written for this operation (e.g. one free-form path
        # parameter): there is nothing to check in this mode
        assert mode is GenerationMode.NEGATIVE
