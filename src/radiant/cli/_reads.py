"""What the read commands (``models list``/``show``/``search``, ``providers list``,
``platforms list``, ``stats``) read: the registry's snapshot and the markup book in force.

On SQLite both come from the document the previous read at the same registry version left
(:mod:`radiant.store.documents`): one ``sqlite3`` statement and one pydantic validation,
no SQLAlchemy, so a read command takes a fraction of a second however the registry grew.
When there is none (the registry was written since, or the code changed, or the
database is PostgreSQL) the registry is read the usual way and, on SQLite, the
document left for the next read. Health and thermal state are in the document too: their
writes bump the registry version as every other write does.

Which routes are callable is decided afresh by every command (it depends on this
process's environment, e.g. which provider keys are set), never kept in the document.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
from pydantic import TypeAdapter

import radiant
from radiant.pricing.markup import MarkupBook, MarkupOverride
from radiant.providers.callability import CallabilityCheck
from radiant.registry import Snapshot
from radiant.store.documents import read_document, sqlite_file, write_document
from radiant.store.registry_data import RegistryData

if TYPE_CHECKING:
    from radiant.settings import Settings

__all__ = ["KIND", "ReadDocument", "code_fingerprint", "decode", "encode", "read_view"]

#: the kind of document read commands keep (:mod:`radiant.store.documents`)
KIND = "cli-read"

#: the sources whose code shapes the document: the domain objects, how rows become them,
#: the markup overrides, and this module
_SHAPERS = (
    "domain",
    "store/mapping.py",
    "store/registry_data.py",
    "store/repository.py",
    "store/types.py",
    "pricing/markup.py",
    "cli/_reads.py",
)


@dataclass
class ReadDocument:
    """Everything a read command needs, as one JSON document."""

    registry: RegistryData
    markups: list[MarkupOverride] = field(default_factory=list)


_DOCUMENT = TypeAdapter(ReadDocument)


def _exact(value: object) -> object:
    """Decimals as JSON numbers of their own digits (read back as ``Decimal``, as the
    store's JSON columns are: a number in a model's free-form metadata stays a number);
    sets as lists."""
    if isinstance(value, Decimal):
        return orjson.Fragment(str(value))
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not part of a registry document")


def encode(document: ReadDocument) -> bytes:
    """The document as JSON; a field at its default is left out (a quarter less to read
    back: most fields of most models and sheets are)."""
    return orjson.dumps(_DOCUMENT.dump_python(document, exclude_defaults=True), default=_exact)


def decode(body: bytes) -> ReadDocument:
    """Raises ``ValueError`` (``pydantic.ValidationError`` among them) for a body that
    is no document."""
    return _DOCUMENT.validate_python(json.loads(body, parse_float=Decimal))


@cache
def code_fingerprint() -> str:
    """A digest of the code that shapes the document: a document another version of it
    wrote is not read back (its fields may mean other things)."""
    root = Path(radiant.__file__).parent
    digest = hashlib.blake2b(digest_size=16)
    digest.update(radiant.__version__.encode())
    for name in _SHAPERS:
        path = root / name
        for source in sorted(path.glob("*.py")) if path.is_dir() else [path]:
            digest.update(source.name.encode())
            digest.update(source.read_bytes() if source.is_file() else b"-")
    return digest.hexdigest()


def read_view(settings: Settings) -> tuple[Snapshot, MarkupBook]:
    """The registry's snapshot (routes checked against this environment) and the markup
    book, at the registry's current version."""
    path = sqlite_file(settings.database_url)
    document = _cached(path) if path is not None else None
    if document is None:
        document = _read_store(settings)
        if path is not None:
            body = encode(document)
            write_document(path, KIND, code_fingerprint(), document.registry.version, body)
    snapshot = Snapshot.of(document.registry, CallabilityCheck())
    return snapshot, MarkupBook.from_overrides(document.markups)


def _cached(path: Path) -> ReadDocument | None:
    found = read_document(path, KIND, code_fingerprint())
    if found is None:
        return None
    version, body = found
    try:
        document = decode(body)
    except ValueError:  # damaged, or of code the fingerprint did not tell apart
        return None
    return document if document.registry.version == version else None


def _read_store(settings: Settings) -> ReadDocument:
    """The registry and its markups read from the database, through SQLAlchemy."""
    # only a miss pays for SQLAlchemy (see the module's docstring)
    from radiant.pricing.store import list_markup_overrides
    from radiant.store.engine import make_engine
    from radiant.store.repository import read_registry

    engine = make_engine(settings.database_url, role=settings.database_role or None)
    try:
        return ReadDocument(read_registry(engine), list_markup_overrides(engine))
    finally:
        engine.dispose()
