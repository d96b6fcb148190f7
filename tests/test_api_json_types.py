"""Every request body takes JSON types as the OpenAPI document states them.

For each integer, number and boolean field of every JSON body (nested objects included),
a request that sends the value in a look-alike type — ``"7"`` for 7, ``1`` for true,
``"true"`` for true — is rejected with a problem naming that field. Lax conversion would
store data the client did not mean to send, and break the documented contract.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from conftest import Bearer, migrate
from radiant.api.app import create_app
from radiant.registry.service import Registry
from radiant.security import Role
from radiant.store.engine import make_engine

Field = tuple[tuple[str, ...], Any]


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _types(document: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    schema = _resolve(document, schema)
    options = schema.get("anyOf") or schema.get("oneOf") or [schema]
    return [_resolve(document, option) for option in options]


_LOOK_ALIKE = {"integer": "7", "number": "7.5", "boolean": 1}


def _fields(document: dict[str, Any], schema: dict[str, Any], depth: int = 0) -> list[Field]:
    """(path, look-alike value) for every strictly typed field under ``schema``."""
    found: list[Field] = []
    for option in _types(document, schema):
        for name, prop in option.get("properties", {}).items():
            kinds = {t.get("type") for t in _types(document, prop)}
            if "string" in kinds:
                continue  # a string is a valid value here (money, for one)
            for kind in ("integer", "number", "boolean"):
                if kind in kinds:
                    found.append(((name,), _LOOK_ALIKE[kind]))
                    break
            else:
                if "object" in kinds and depth < 3:
                    found += [((name, *path), v) for path, v in _fields(document, prop, depth + 1)]
    return found


def _body(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    body: dict[str, Any] = {path[-1]: value}
    for name in reversed(path[:-1]):
        body = {name: body}
    return body


def _cases() -> list[tuple[str, str, tuple[str, ...], Any]]:
    document = create_app(Registry(make_engine("sqlite://"))).openapi()
    cases = []
    for url, item in document["paths"].items():
        for method, operation in item.items():
            if "gateway" in operation.get("tags", ()):
                # /v1 answers OpenAI's way (400, error.param) and takes tenant keys: its
                # JSON types are checked by test_openai_wire.py and test_gateway_fuzz.py
                continue
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            for path, value in _fields(document, content["application/json"]["schema"]):
                cases.append((method.upper(), url, path, value))
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    url = f"sqlite:///{tmp_path_factory.mktemp('types') / 'radiant.db'}"
    migrate(url)
    engine: Engine = make_engine(url)
    yield create_app(Registry(engine))
    engine.dispose()


def test_the_cases_cover_the_write_api() -> None:
    urls = {url for _, url, _, _ in CASES}
    assert {"/api/registry/models", "/api/registry/select", "/api/v2/admin/tenants"} <= urls
    assert any(len(path) > 1 for _, _, path, _ in CASES)  # nested objects too
    assert len(CASES) > 100


@pytest.mark.parametrize(
    ("method", "url", "path", "value"),
    CASES,
    ids=[f"{m} {u} {'.'.join(p)}" for m, u, p, _ in CASES],
)
def test_a_look_alike_value_is_rejected(
    app: FastAPI, bearer: Bearer, method: str, url: str, path: tuple[str, ...], value: Any
) -> None:
    headers = {**bearer(app, Role.SUPER_ADMIN), "If-Match": '"1"'}
    target = url.replace("{", "").replace("}", "").replace(":path", "")
    with TestClient(app) as client:
        response = client.request(method, target, json=_body(path, value), headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert ".".join(path) in {e["field"] for e in response.json()["errors"]}
