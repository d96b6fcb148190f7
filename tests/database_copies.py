"""A database built once per module, and a throwaway copy of it for each test.

Migrating and syncing the built-in catalog takes seconds; copying the result takes
milliseconds (SQLite's backup API) or a fraction of a second (PostgreSQL's ``CREATE
DATABASE ... TEMPLATE``). Each test still gets a database of its own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import make_url

from conftest import postgres_copy, sqlite_url

__all__ = ["built_once", "copy_of"]


def built_once(request: pytest.FixtureRequest, build: Callable[[str], None]) -> str:
    """For a module-scoped fixture parametrized by backend (``request.param``: ``sqlite``
    or ``postgres``): an empty database of that backend, after ``build(url)`` ran on it.
    Nobody may stay connected to it: it is the template of :func:`copy_of`."""
    if request.param == "sqlite":
        directory = request.getfixturevalue("tmp_path_factory").mktemp("template")
        url = sqlite_url(directory)
    else:
        url = request.getfixturevalue("module_postgres_db")
    build(url)
    return url


@contextmanager
def copy_of(template_url: str, directory: Path) -> Iterator[str]:
    """A throwaway copy of the database at ``template_url``; a SQLite copy is the file
    ``copy.db`` in ``directory``."""
    if not template_url.startswith("sqlite"):
        with postgres_copy(template_url) as url:
            yield url
        return
    source = make_url(template_url).database
    assert source, template_url
    target = directory / "copy.db"
    with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(target)) as copy:
        original.backup(copy)
    yield f"sqlite:///{target}"
