"""Parameter types whose OpenAPI schema says exactly what the API accepts."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, WithJsonSchema

__all__ = ["DecimalParam"]

#: A non-negative decimal in a query string, e.g. ``0.5`` (USD amounts, never floats).
DecimalParam = Annotated[
    Decimal,
    Field(ge=0, max_digits=20, decimal_places=10),
    WithJsonSchema(
        {"type": "string", "pattern": r"^[0-9]{1,10}(\.[0-9]{1,10})?$", "examples": ["0.5"]}
    ),
]
