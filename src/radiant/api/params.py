"""Parameter types whose OpenAPI schema says exactly what the API accepts."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import BeforeValidator, WithJsonSchema

from radiant.api.strict import strict_annotation
from radiant.domain.numbers import DECIMAL_DIGITS, DECIMAL_PLACES, INT64_MAX, Count, Money

__all__ = ["DateTimeParam", "DecimalParam", "Offset", "RowId", "StrictCount"]

_WHOLE = DECIMAL_DIGITS - DECIMAL_PLACES
#: A non-negative decimal in a query string, e.g. ``0.5`` (USD amounts, never floats).
DecimalParam = Annotated[
    Money,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": rf"^[0-9]{{1,{_WHOLE}}}(\.[0-9]{{1,{DECIMAL_PLACES}}})?$",
            "examples": ["0.5"],
        }
    ),
]

#: How many rows of a list to skip: within a 64-bit integer (SQLite, PostgreSQL bigint).
Offset = Annotated[int, Query(ge=0, le=INT64_MAX)]

#: A count in a request body (tokens, requests, images): a JSON integer, bounded.
StrictCount = strict_annotation(Count)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_only(value: Any) -> Any:
    """Only text that starts as an ISO 8601 date (pydantic alone also takes a Unix time,
    ``"1.5e-166"`` included)."""
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        raise ValueError("expected an ISO 8601 date-time such as 2026-01-31T00:00:00Z")
    return value


#: An ISO 8601 date-time in a query string (pydantic alone would also take a Unix time).
DateTimeParam = Annotated[
    datetime,
    BeforeValidator(_iso_only),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


#: A numeric row id in a path: positive and within a 64-bit integer column.
RowId = Annotated[int, Path(ge=1, le=INT64_MAX)]
