"""Engines and sessions for SQLite (embedded default) and PostgreSQL (psycopg 3).

On PostgreSQL, ``make_engine(url, role="radiant_app")`` runs every connection of the
engine as that role (``SET ROLE`` when the connection opens): the application's sessions
are then subject to row-level security even when the login role is the owner or a
superuser. Migrations build their own engine without a role and run as the login role.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from radiant.errors import ValidationError

__all__ = ["make_engine", "normalize_url", "session_scope"]


def normalize_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` mean psycopg 3; a URL that is none is a
    :class:`~radiant.errors.ValidationError` (the CLI prints one line, exit 2)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ValidationError(
            "the database URL is not a URL; expected e.g. sqlite:///radiant.db or"
            " postgresql://user@host/db"
        ) from None
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_dumps(value: Any) -> str:
    """JSON columns: decimals are written as numbers and read back as ``Decimal``."""
    return json.dumps(value, default=_json_default, sort_keys=True)


_DECODER = json.JSONDecoder(parse_float=Decimal)


#: decoded flat lists and mappings (of scalars only) by their text: registry rows repeat
#: the same few (capabilities, modalities, regions), and a copy of a decoded one is ten
#: times cheaper than decoding it again. Cleared when full.
_FLAT: dict[str, list[Any] | dict[str, Any]] = {}
_FLAT_KEPT = 4096


def json_loads(text: str | bytes) -> Any:
    # most list and mapping columns are empty: answered without a lookup
    if text == "[]":
        return []
    if text == "{}":
        return {}
    if isinstance(text, bytes):
        text = text.decode()
    known = _FLAT.get(text)
    if known is not None:
        return known.copy()  # shallow is whole: its items are immutable scalars
    value = _DECODER.decode(text)
    # one bracket in all: nothing nested (a bracket inside a string only means not kept)
    if isinstance(value, list | dict) and text.count("[") + text.count("{") == 1:
        if len(_FLAT) >= _FLAT_KEPT:
            _FLAT.clear()
        _FLAT[text] = value
        return value.copy()
    return value


def _set_role(role: str) -> Any:
    statement = "SET ROLE " + '"' + role.replace('"', '""') + '"'

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True  # SET ROLE must outlive the first transaction
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute(statement)
        finally:
            dbapi_connection.autocommit = autocommit

    return on_connect


def make_engine(url: str, *, role: str | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url``; on PostgreSQL, ``role`` is the role its sessions run as."""
    url = normalize_url(url)
    kwargs.setdefault("json_serializer", json_dumps)
    kwargs.setdefault("json_deserializer", json_loads)
    if url.startswith("sqlite"):
        engine = _create(url, kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    engine = _create(url, kwargs)
    if role:
        event.listen(engine, "connect", _set_role(role))
    return engine


def _create(url: str, kwargs: dict[str, Any]) -> Engine:
    try:
        return create_engine(url, **kwargs)
    except (NoSuchModuleError, ArgumentError, ImportError) as exc:
        scheme = url.partition(":")[0]
        raise ValidationError(
            f"cannot use a {scheme!r} database URL ({exc}); Radiant speaks sqlite:// and"
            " postgresql://"
        ) from None


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session, session.begin():
        yield session
