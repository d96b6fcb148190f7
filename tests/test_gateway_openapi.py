"""The OpenAPI document describes the ``/v1`` gateway with the shapes it checks, and the
README lists every error code a ``/v1`` answer can carry."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from radiant.api.app import create_app
from radiant.gateway.errors import CODES
from radiant.gateway.requests import SHAPES, Endpoint
from radiant.registry.service import Registry
from radiant.store.engine import make_engine

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    engine = make_engine("sqlite://")
    try:
        return create_app(Registry(engine)).openapi()
    finally:
        engine.dispose()


def test_every_gateway_endpoint_is_an_operation_with_its_shapes(document: dict[str, Any]) -> None:
    paths = document["paths"]
    schemas = document["components"]["schemas"]
    for endpoint in Endpoint:
        operation = paths[endpoint.path]["post"]
        assert operation["security"] == [{"TenantKey": []}]
        assert endpoint.scope.value in operation["description"]
        content = operation["requestBody"]["content"]
        if endpoint is Endpoint.TRANSCRIPTION:
            form = content["multipart/form-data"]["schema"]
            assert form["required"] == ["file", "model"]
            assert form["properties"]["file"]["format"] == "binary"
        else:
            name = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            assert name == SHAPES[endpoint].__name__ and name in schemas
        assert set(operation["responses"]) == {"200", "4XX", "5XX"}
    chat = schemas["ChatBody"]["properties"]
    assert {"messages", "tools", "tool_choice", "response_format", "models", "selection"} <= set(
        chat
    )
    streamed = paths["/v1/chat/completions"]["post"]["responses"]["200"]["content"]
    assert set(streamed) == {"application/json", "text/event-stream"}
    assert paths["/v1/models"]["get"]["responses"]["200"]["content"]["application/json"]
    assert document["components"]["securitySchemes"]["TenantKey"]["scheme"] == "bearer"


def test_the_readme_lists_every_error_code() -> None:
    section = README.split("## The gateway (OpenAI-compatible)", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`([a-z_]+)`", section.split("`code` is", 1)[1].split("\n- ")[0]))
    assert listed == set(CODES)
