"""Optimistic concurrency over HTTP: a resource's ``row_version`` is its ETag.

Reads send ``ETag: "<version>"``; PATCH and DELETE must send ``If-Match`` with it. A
missing ``If-Match`` is 428, a stale one 412 with the current version (the write
services raise :class:`~radiant.errors.PreconditionFailedError` for that).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response

from radiant.errors import RadiantError, ValidationError

__all__ = ["IfMatchDep", "PreconditionRequiredError", "etag", "if_match", "set_etag"]


class PreconditionRequiredError(RadiantError):
    status = 428
    title = "Precondition required"
    exit_code = 2


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def if_match(request: Request) -> int:
    """The version a client read, from ``If-Match``; 428 when absent, 422 when not ours."""
    header = request.headers.get("if-match")
    if header is None:
        raise PreconditionRequiredError("send If-Match with the ETag from your last read")
    value = header.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not value.isdigit():
        raise ValidationError(f"If-Match {header!r} is not an ETag this API issued")
    return int(value)


IfMatchDep = Annotated[int, Depends(if_match)]
