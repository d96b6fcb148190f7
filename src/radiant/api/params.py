"""Parameter types whose OpenAPI schema says exactly what the API accepts."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Path
from pydantic import BeforeValidator, Field, WithJsonSchema

__all__ = ["DateTimeParam", "DecimalParam", "RowId"]

#: A non-negative decimal in a query string, e.g. ``0.5`` (USD amounts, never floats).
DecimalParam = Annotated[
    Decimal,
    Field(ge=0, max_digits=20, decimal_places=10),
    WithJsonSchema(
        {"type": "string", "pattern": r"^[0-9]{1,10}(\.[0-9]{1,10})?$", "examples": ["0.5"]}
    ),
]


def _iso_only(value: Any) -> Any:
    if isinstance(value, int | float) or (
        isinstance(value, str) and value.strip().lstrip("-").replace(".", "", 1).isdigit()
    ):
        raise ValueError("expected an ISO 8601 date-time such as 2026-01-31T00:00:00Z")
    return value


#: An ISO 8601 date-time in a query string (pydantic alone would also take a Unix time).
DateTimeParam = Annotated[
    datetime,
    BeforeValidator(_iso_only),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


#: A numeric row id in a path: positive and within a 64-bit integer column.
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]
