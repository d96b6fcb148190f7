"""Documents derived from the registry, kept beside it in an SQLite database, one per kind,
each valid for the registry version it was made at.

A command that only reads (``radiant models list``, ``show``, ``stats``...) would spend
most of its time importing SQLAlchemy and turning rows into objects; instead it reads the
document the previous read of the same version left, with the standard library's
``sqlite3``, in one statement that also reads the version (so a document is served only
while the registry is still at its version: every write bumps it). A miss reads the
registry as usual and leaves the document for the next reader.

``code`` says which code made the document (its shape can change with the code): a
document of other code is a miss too. Writing is best effort: a read-only database
file, a lock held by a writer or a database not migrated yet leave the document
unwritten, never the read failed. Only SQLite databases have documents: on PostgreSQL
the reader opens the database through SQLAlchemy as any other command.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from urllib.parse import unquote

__all__ = ["read_document", "sqlite_file", "write_document"]

log = logging.getLogger(__name__)

#: how long (s) a writer waits for a lock another connection holds before giving up
_WRITE_TIMEOUT = 0.2

_READ = """
SELECT d.version, d.body FROM registry_state AS s
JOIN registry_documents AS d ON d.kind = ? AND d.version = s.version AND d.code = ?
WHERE s.id = 1
"""

_WRITE = """
INSERT INTO registry_documents (kind, version, code, body) VALUES (?, ?, ?, ?)
ON CONFLICT (kind) DO UPDATE SET
    version = excluded.version, code = excluded.code, body = excluded.body
WHERE excluded.version >= registry_documents.version
"""


def sqlite_file(url: str) -> Path | None:
    """The database file of an SQLite URL (``sqlite:///relative.db``,
    ``sqlite:////absolute.db``, with or without ``+pysqlite``), or None: another
    database, an in-memory one, or a URL with options (read the usual way)."""
    scheme, found, rest = url.partition("://")
    if not found or scheme not in ("sqlite", "sqlite+pysqlite") or not rest.startswith("/"):
        return None
    path = unquote(rest[1:])
    if not path or path == ":memory:" or "?" in path or path.startswith("file:"):
        return None
    return Path(path)


def read_document(path: Path, kind: str, code: str) -> tuple[int, bytes] | None:
    """The document of ``kind`` made by ``code`` at the registry's current version, with
    that version; None when there is none (or no database, or no such table yet)."""
    if not path.is_file():
        return None
    try:
        # read-only: a reader never creates the file nor takes a writer's lock
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        log.debug("cannot open %s to read the %s document: %s", path, kind, exc)
        return None
    try:
        row = conn.execute(_READ, (kind, code)).fetchone()
    except sqlite3.Error as exc:  # e.g. not migrated yet: the usual read says so
        log.debug("no %s document in %s: %s", kind, path, exc)
        return None
    finally:
        conn.close()
    if row is None:
        return None
    return int(row[0]), bytes(row[1])


def write_document(path: Path, kind: str, code: str, version: int, body: bytes) -> bool:
    """Keep ``body`` as the document of ``kind`` at ``version`` (unless a newer one is
    there); False when it could not be written (the reason is logged at debug level)."""
    try:
        conn = sqlite3.connect(path, timeout=_WRITE_TIMEOUT)
    except sqlite3.Error as exc:
        log.debug("cannot open %s to keep the %s document: %s", path, kind, exc)
        return False
    try:
        with conn:
            conn.execute(_WRITE, (kind, version, code, body))
        return True
    except sqlite3.Error as exc:
        log.debug("%s document not kept in %s: %s", kind, path, exc)
        return False
    finally:
        conn.close()
