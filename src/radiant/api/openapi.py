"""The OpenAPI document: every operation's errors are RFC 9457 problems.

FastAPI documents only its own 422 body. Radiant answers every client error as
``application/problem+json``, so each operation gets one ``4XX`` response with the
``Problem`` schema instead (and the 422 entry becomes that problem too). The ``/v1``
gateway's operations, which FastAPI does not route, are added by
:func:`radiant.api.openapi_gateway.document_gateway`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from radiant.api.openapi_gateway import document_gateway
from radiant.api.problems import MEDIA_TYPE

__all__ = ["PROBLEM_SCHEMA", "install_openapi"]

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details; extension members vary by error.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
        "suggestions": {"type": "array", "items": {"type": "string"}},
        "current_version": {"type": "string"},
    },
    "additionalProperties": True,
}

_PROBLEM_RESPONSE = {
    "description": "A client error, as problem details",
    "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                routes=app.routes,
            )
            _document_problems(schema)
            document_gateway(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _document_problems(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            responses["4XX"] = _PROBLEM_RESPONSE
