"""Numbers that come from users, bounded before they reach arithmetic or a column.

Every number a user gives (an API body or query, a CLI option) is one of three kinds,
each with one type here that the API schemas, the domain and the CLI share:

* **decimals** (prices, percents, amounts of time): finite, at most
  ``DECIMAL_DIGITS`` digits of which ``DECIMAL_PLACES`` after the point, which is what
  the ``NUMERIC(20, 10)`` money columns hold on SQLite and PostgreSQL alike
  (:data:`BoundedDecimal`; :data:`NonNegativeDecimal` and :data:`Money` where
  negative makes no sense);
* **counts** (tokens, requests, images): whole, from 0 to ``COUNT_MAX`` (a quadrillion).
  A count times the largest price stays far inside ``Decimal``'s 28 digits, so no
  cost, price or rounding of one overflows (:data:`Count`);
* **positions** (offsets, row ids): whole, within a signed 64-bit integer, SQLite's
  ``INTEGER`` and PostgreSQL's ``bigint`` (``INT64_MAX``).

:func:`to_decimal` and :func:`to_count` turn text (a CLI option) into those types, with
one clear :class:`~radiant.errors.ValidationError` for anything else.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from radiant.bounds import COUNT_MAX, INT64_MAX
from radiant.errors import ValidationError

__all__ = [
    "percent_of",
    "COUNT_MAX",
    "DECIMAL_DIGITS",
    "DECIMAL_MAX",
    "DECIMAL_PLACES",
    "INT64_MAX",
    "BoundedDecimal",
    "Count",
    "Money",
    "NonNegativeDecimal",
    "to_count",
    "to_decimal",
]

DECIMAL_DIGITS = 20
DECIMAL_PLACES = 10
_LIMIT = Decimal(10) ** (DECIMAL_DIGITS - DECIMAL_PLACES)
#: the largest decimal a ``NUMERIC(20, 10)`` column holds
DECIMAL_MAX = _LIMIT - Decimal(10) ** -DECIMAL_PLACES

#: A finite decimal that fits the money columns, of either sign.
BoundedDecimal = Annotated[
    Decimal,
    Field(
        allow_inf_nan=False,
        max_digits=DECIMAL_DIGITS,
        decimal_places=DECIMAL_PLACES,
        gt=-_LIMIT,
        lt=_LIMIT,
    ),
]
#: A non-negative bounded decimal: an amount of time, a percent.
NonNegativeDecimal = Annotated[BoundedDecimal, Field(ge=0)]
#: An amount of USD (token prices are per 1M tokens).
Money = NonNegativeDecimal
#: How many of something a usage has.
Count = Annotated[int, Field(ge=0, le=COUNT_MAX)]

_MONEY: TypeAdapter[Decimal] = TypeAdapter(Money)
_COUNT: TypeAdapter[int] = TypeAdapter(Count)
_DECIMAL_RULE = (
    f"a number >= 0 with at most {DECIMAL_DIGITS - DECIMAL_PLACES} digits before the point"
    f" and {DECIMAL_PLACES} after"
)


def to_decimal(name: str, value: Any) -> Decimal:
    """``value`` (text, an int or a ``Decimal``) as a :data:`Money` decimal; ``name``
    says which input it was in the error."""
    if isinstance(value, float | bool):
        raise ValidationError(f"{name} must be {_DECIMAL_RULE}, not {value!r}")
    text = value.strip() if isinstance(value, str) else value
    try:
        return _MONEY.validate_python(Decimal(text) if isinstance(text, str | int) else text)
    except (ArithmeticError, ValueError, TypeError, PydanticValidationError):
        raise ValidationError(f"{name} must be {_DECIMAL_RULE}, not {value!r}") from None


def to_count(name: str, value: Any) -> int:
    """``value`` as a :data:`Count`; ``name`` says which input it was in the error."""
    try:
        return _COUNT.validate_python(value, strict=not isinstance(value, str))
    except PydanticValidationError:
        raise ValidationError(
            f"{name} must be a whole number from 0 to {COUNT_MAX}, not {value!r}"
        ) from None


_CENTS = Decimal("0.01")
_BASIS = Decimal("0.0001")


def percent_of(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole`` for people to read: two decimals, four below
    1 % (a one-token difference does not read 0 %); None when ``whole`` is zero. Money is
    never rounded: only this ratio of it is."""
    if not whole:
        return None
    percent = part * 100 / whole
    return percent.quantize(_CENTS if abs(percent) >= 1 else _BASIS)
