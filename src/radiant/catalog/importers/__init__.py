"""Importers of public model catalogs (LiteLLM, models.dev, OpenRouter) into our vocabulary.

``load_source("litellm", "path/or/url")`` reads one catalog and returns an
:class:`ImportResult`: every entry imported (:class:`ImportedEntry`) or skipped with its
reason (:class:`SkippedEntry`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from radiant.catalog.importers.base import SOURCES, ImportedEntry, ImportResult, SkippedEntry
from radiant.catalog.importers.fetch import is_url, parse_document, read_bytes, read_document
from radiant.catalog.importers.litellm import import_litellm
from radiant.catalog.importers.models_dev import import_models_dev
from radiant.catalog.importers.openrouter import import_openrouter
from radiant.errors import ValidationError

__all__ = [
    "IMPORTERS",
    "SOURCES",
    "ImportResult",
    "ImportedEntry",
    "SkippedEntry",
    "import_bytes",
    "import_document",
    "is_url",
    "load_source",
    "parse_source_option",
    "read_bytes",
]

IMPORTERS: dict[str, Callable[[Any, str], ImportResult]] = {
    "litellm": import_litellm,
    "models-dev": import_models_dev,
    "openrouter": import_openrouter,
}


def _importer(kind: str) -> Callable[[Any, str], ImportResult]:
    try:
        return IMPORTERS[kind]
    except KeyError:
        raise ValidationError(
            f"unknown catalog source {kind!r}; expected one of: {', '.join(SOURCES)}"
        ) from None


def import_document(kind: str, document: Any, location: str = "") -> ImportResult:
    """Import an already parsed document (JSON read with ``parse_float=Decimal``)."""
    return _importer(kind)(document, location)


def import_bytes(kind: str, raw: bytes, location: str = "") -> ImportResult:
    """Import a document read with :func:`read_bytes`."""
    importer = _importer(kind)
    return importer(parse_document(raw, location=location, source=kind), location)


def load_source(kind: str, location: str, *, timeout: float | None = None) -> ImportResult:
    """Read the catalog ``kind`` from a file or an http(s) URL and import it."""
    importer = _importer(kind)
    if timeout is None:
        document = read_document(location, source=kind)
    else:
        document = read_document(location, source=kind, timeout=timeout)
    return importer(document, location)


def parse_source_option(value: str) -> tuple[str, str]:
    """``litellm=FILE_OR_URL`` as ``("litellm", "FILE_OR_URL")``."""
    kind, sep, location = value.partition("=")
    kind, location = kind.strip(), location.strip()
    if not sep or not location:
        raise ValidationError(f"--source wants NAME=FILE_OR_URL, got {value!r}")
    _importer(kind)
    return kind, location
