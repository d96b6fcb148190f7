"""RFC 9457 problem details for every error the API returns."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError as PydanticValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from radiant.api.etag import precondition_required
from radiant.errors import (
    AuthenticationError,
    CatalogError,
    ModelNotFoundError,
    PreconditionFailedError,
    ProviderError,
    RadiantError,
)
from radiant.gateway.errors import OPENAI_ERROR_TYPES, error_code

__all__ = ["allowed_methods", "install_problem_handlers", "problem"]

MEDIA_TYPE = "application/problem+json"

_SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    412: "precondition-failed",
    428: "precondition-required",
    422: "invalid-input",
    500: "internal-error",
    502: "bad-gateway",
    503: "unavailable",
    504: "gateway-timeout",
}


def problem(
    request: Request,
    status: int,
    title: str,
    detail: str,
    *,
    code: str | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem+json answer; on ``/v1`` also with the ``error`` member OpenAI clients
    read, shaped as the gateway's own errors are (``code``: a word, by default the
    status's)."""
    body: dict[str, Any] = {
        "type": f"urn:radiant:problem:{_SLUGS.get(status, 'error')}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    if request.url.path.startswith("/v1/"):
        # OpenAI clients read `error`; problem+json readers read the rest.
        body["error"] = {
            "message": detail,
            "type": OPENAI_ERROR_TYPES.get(status, "api_error"),
            "code": code or _SLUGS.get(status, "error").replace("-", "_"),
            "param": None,
        }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers on the request's path (RFC 9110: a 405
    says them in ``Allow``), not just those of the first route that matched the path."""
    routes = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]


def _field_errors(errors: list[Any]) -> list[dict[str, str]]:
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        out.append({"field": ".".join(loc), "message": str(err.get("msg", ""))})
    return out


def _not_json(request: Request, errors: list[Any]) -> str | None:
    """What to say about a body that was not read as JSON: sent without a JSON
    ``Content-Type`` (FastAPI then validates the raw text, and its message says nothing of
    the cause), or JSON that does not parse; None for any other error."""
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    is_json = media == "application/json" or media.endswith("+json")
    for err in errors:
        loc = tuple(err.get("loc", ()))
        if err.get("type") == "json_invalid":
            return "the body is not valid JSON: " + str(err.get("ctx", {}).get("error", "")).strip()
        if loc == ("body",) and not is_json and err.get("type") != "missing":
            sent = f"it was sent as {media!r}" if media else "it was sent without one"
            return f"the body must be JSON, sent with Content-Type: application/json ({sent})"
    return None


def _extension_members(exc: RadiantError) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if isinstance(exc, ModelNotFoundError):
        extra["suggestions"] = exc.suggestions
    if isinstance(exc, CatalogError):
        extra.update(file=exc.file, entry=exc.entry, field=exc.field)
    if isinstance(exc, PreconditionFailedError) and exc.current_version is not None:
        extra["current_version"] = exc.current_version
    return extra


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(RadiantError)
    async def _radiant(request: Request, exc: RadiantError) -> JSONResponse:
        extra = _extension_members(exc)
        status = exc.problem_status if isinstance(exc, ProviderError) else exc.status
        response = problem(request, status, exc.title, exc.message, code=error_code(exc), **extra)
        if isinstance(exc, PreconditionFailedError) and exc.current_version is not None:
            response.headers["ETag"] = f'"{exc.current_version}"'
        if isinstance(exc, AuthenticationError):
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        required = precondition_required(list(exc.errors()))
        if required is not None:
            return problem(request, required.status, required.title, required.message)
        not_json = _not_json(request, list(exc.errors()))
        if not_json is not None:
            return problem(
                request, 422, "Invalid input", not_json, errors=[{"field": "", "message": not_json}]
            )
        errors = _field_errors(list(exc.errors()))
        detail = "; ".join(f"{e['field'] or 'request'}: {e['message']}" for e in errors)
        return problem(request, 422, "Invalid input", detail, errors=errors)

    @app.exception_handler(PydanticValidationError)
    async def _invalid_model(request: Request, exc: PydanticValidationError) -> JSONResponse:
        errors = _field_errors(list(exc.errors()))
        detail = "; ".join(f"{e['field'] or 'request'}: {e['message']}" for e in errors)
        return problem(request, 422, "Invalid input", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "Error")
        response = problem(request, exc.status_code, title, str(exc.detail))
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:
            response.headers["Allow"] = ", ".join(allowed_methods(request))
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, _exc: Exception) -> JSONResponse:
        return problem(request, 500, "Internal error", "an unexpected error occurred")
