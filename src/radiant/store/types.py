"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Dialect, Numeric, String
from sqlalchemy.types import TypeDecorator, TypeEngine
from typing_extensions import override

__all__ = ["Money", "UTCDateTime", "money_from_column"]


class Money(TypeDecorator[Decimal]):
    """Exact decimal money: NUMERIC(20, 10) on PostgreSQL, text on SQLite (which has no decimal)."""

    impl = Numeric(20, 10)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        return dialect.type_descriptor(Numeric(20, 10, asdecimal=True))

    @override
    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = value if isinstance(value, Decimal) else Decimal(str(value))
        if dialect.name == "sqlite":
            return format(value.normalize(), "f")
        return value

    @override
    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return money_from_column(value)

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal


def money_from_column(value: Any) -> Decimal:
    """A :class:`Money` column's value as the database driver returns it (text on SQLite,
    a decimal on PostgreSQL) as the ``Decimal`` the column reads back: integral values
    without places, others normalised."""
    result = value if isinstance(value, Decimal) else Decimal(str(value))
    if result == result.to_integral_value():
        return result.quantize(_ONE)
    return result.normalize()


_ONE = Decimal(1)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware timestamps; SQLite's naive values are read back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @override
    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError("expected a datetime")
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    @override
    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError("expected a datetime")
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class JSONText(TypeEngine[Any]):
    """A JSON column read as SQLite returns it, its text decoded by ``decode`` in one call.

    Only for reading, through ``type_coerce``: SQLAlchemy's own SQLite JSON type runs two
    wrappers of its own around the decoder for every value, which a large registry's
    read pays a hundred thousand times. As there, a number is answered as it is (a JSON
    column has numeric affinity in SQLite: the text ``5`` is stored as the integer)."""

    cache_ok = True

    def __init__(self, decode: Any) -> None:
        self.decode = decode

    @override
    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        decode = self.decode

        def process(value: Any) -> Any:
            return decode(value) if isinstance(value, str | bytes) else value

        return process
