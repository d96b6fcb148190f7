"""Optimistic concurrency over HTTP: a resource's ``row_version`` is its ETag.

Reads send ``ETag: "<version>"``; PATCH and DELETE must send ``If-Match`` with it (the
OpenAPI document declares it, required, on every such operation). A missing ``If-Match``
is 428 (:func:`precondition_required` tells the validation handler), a stale one 412 with
the current version (the write services raise
:class:`~radiant.errors.PreconditionFailedError` for that).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Depends, Header, Response

from radiant.errors import RadiantError, ValidationError

__all__ = [
    "IfMatchDep",
    "PreconditionRequiredError",
    "etag",
    "if_match",
    "precondition_required",
    "set_etag",
]

HEADER = "If-Match"
_MISSING = "send If-Match with the ETag from your last read"


class PreconditionRequiredError(RadiantError):
    status = 428
    title = "Precondition required"
    exit_code = 2


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def precondition_required(errors: Sequence[Any]) -> PreconditionRequiredError | None:
    """The 428 for a request without ``If-Match`` (whatever else is wrong with it, as when
    the header was checked first), else ``None``."""
    for error in errors:
        if error.get("type") == "missing" and tuple(error.get("loc", ())) == ("header", HEADER):
            return PreconditionRequiredError(_MISSING)
    return None


def if_match(
    header: Annotated[
        str,
        Header(
            alias=HEADER,
            description="The ETag of your last read of the resource (428 when missing).",
            pattern=r'^\s*(W/)?"?[0-9]+"?\s*$',
            examples=['"1"'],
        ),
    ],
) -> int:
    """The version a client read, from ``If-Match``; 428 when absent, 422 when not ours."""
    value = header.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not value.isdigit():
        raise ValidationError(f"If-Match {header!r} is not an ETag this API issued")
    return int(value)


IfMatchDep = Annotated[int, Depends(if_match)]
