"""The read commands' registry document (``radiant.cli._reads``): on SQLite a read command
reads the document the previous read at the same registry version left, and shows exactly
what reading the database would; any write makes the next read read the database again."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from cli_in_process import run_radiant
from conftest import migrate
from database_copies import built_once, copy_of
from radiant.catalog import load_catalog
from radiant.cli._reads import KIND, ReadDocument, code_fingerprint, decode, encode, read_view
from radiant.domain import HealthStatus
from radiant.health.probes import ProbeResult
from radiant.health.provider_health import record_probes
from radiant.manage.administrators import AdminService
from radiant.pricing.store import list_markup_overrides
from radiant.providers.callability import CallabilityCheck
from radiant.registry.service import build_snapshot
from radiant.settings import Settings
from radiant.store.documents import read_document, sqlite_file, write_document
from radiant.store.engine import make_engine
from radiant.store.repository import read_registry
from radiant.sync import sync_catalog
from radiant.sync.discovery.targets import Target

#: database URL -> the token of its super administrator
TOKENS: dict[str, str] = {}


def _load(url: str) -> None:
    migrate(url)
    engine = make_engine(url)
    sync_catalog(engine, load_catalog())
    _, TOKENS[url] = AdminService(engine).create_admin(None, "root@example.test", "super_admin")
    engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def template(request: pytest.FixtureRequest) -> str:
    return built_once(request, _load)


@pytest.fixture(scope="module", params=["sqlite"])
def sqlite_template(request: pytest.FixtureRequest) -> str:
    return built_once(request, _load)


def _copy(template: str, directory: Path) -> Iterator[str]:
    with copy_of(template, directory) as copy:
        TOKENS[copy] = TOKENS[template]
        yield copy


@pytest.fixture
def url(template: str, tmp_path: Path) -> Iterator[str]:
    """The built-in catalog synced, on each backend."""
    yield from _copy(template, tmp_path)


@pytest.fixture
def sqlite_url(sqlite_template: str, tmp_path: Path) -> Iterator[str]:
    yield from _copy(sqlite_template, tmp_path)


def radiant(url: str, *args: str) -> str:
    result = run_radiant(["--database-url", url, "--token", TOKENS[url], *args])
    assert result.returncode == 0, (args, result.stderr)
    return result.stdout


def show(url: str, name: str) -> Any:
    return json.loads(radiant(url, "models", "show", name, "--json"))


def _documents(url: str) -> list[tuple[str, int]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT kind, version FROM registry_documents"))
            return [(kind, int(version)) for kind, version in rows]
    finally:
        engine.dispose()


def _version(url: str) -> int:
    engine = make_engine(url)
    try:
        return read_registry(engine).version
    finally:
        engine.dispose()


def _tamper(path: Path, model_id: str, display_name: str) -> None:
    """Rewrite the kept document as if the registry said ``display_name`` for the model:
    what a read shows then can only have come from the document."""
    found = read_document(path, KIND, code_fingerprint())
    assert found is not None
    version, body = found
    document = decode(body)
    document.registry.models = [
        m.model_copy(update={"display_name": display_name}) if m.id == model_id else m
        for m in document.registry.models
    ]
    assert write_document(path, KIND, code_fingerprint(), version, encode(document))


def test_a_read_keeps_the_document_the_next_read_shows_until_a_write(url: str) -> None:
    first = show(url, "gpt-4o")
    path = sqlite_file(url)
    if path is None:  # PostgreSQL: read the usual way every time, nothing kept
        assert _documents(url) == []
        assert show(url, "gpt-4o") == first
        return
    assert _documents(url) == [(KIND, _version(url))]
    assert show(url, "gpt-4o") == first  # read back from the document, the same answer

    _tamper(path, "openai-gpt-4o", "From The Document")
    assert show(url, "gpt-4o")["display_name"] == "From The Document"

    # a write (a markup, which is no row of the snapshot) bumps the version: the next read
    # reads the database, with the new price, and keeps the document of the new version
    radiant(url, "pricing", "markup", "model", "gpt-4o", "25", "--reason", "pilot")
    after = show(url, "gpt-4o")
    assert after["display_name"] == first["display_name"]
    assert after["routes"][0]["price"]["input_per_1m"] == "3.125"  # 2.50 cost + 25 %
    assert _documents(url) == [(KIND, _version(url))]
    assert show(url, "gpt-4o") == after


def test_the_document_holds_what_the_database_does(url: str) -> None:
    """Every model, route, price sheet, platform, provider, health and thermal state and
    markup, read back from the document, equals what the database says."""
    engine = make_engine(url)
    try:
        # a provider's health as a probe leaves it, and a markup of a provider's own
        target = Target("direct", "direct", "openai", "x", provider_ids=frozenset({"openai"}))
        probe = ProbeResult(target, "global", HealthStatus.UNHEALTHY, 42.0, time.time(), 500)
        assert record_probes(engine, [probe]) == (1, True)
        radiant(url, "pricing", "markup", "provider", "anthropic", "12.5", "--reason", "x")
        data = read_registry(engine)
        markups = list_markup_overrides(engine)
        expected = build_snapshot(engine, CallabilityCheck())
    finally:
        engine.dispose()
    assert data.health and data.thermal and markups

    back = decode(encode(ReadDocument(data, markups)))
    assert back.registry == data and back.markups == markups

    snapshot, book = read_view(Settings(database_url=url))
    read_again, _ = read_view(Settings(database_url=url))  # from the document on SQLite
    for seen in (snapshot, read_again):
        assert seen.version == expected.version
        assert seen.stats() == expected.stats()
        assert [e.model for e in seen.entries] == [e.model for e in expected.entries]
        assert [e.routes for e in seen.entries] == [e.routes for e in expected.entries]
        assert seen.platforms == expected.platforms and seen.providers == expected.providers
        assert seen.uncallable == expected.uncallable
    assert book.provider_overrides["anthropic"].percent == Decimal("12.5")


def test_a_document_of_other_code_or_version_is_not_read(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'radiant.db'}"
    migrate(url)
    path = sqlite_file(url)
    assert path is not None
    assert write_document(path, KIND, "other code", 0, b"{}")
    assert read_document(path, KIND, code_fingerprint()) is None
    assert read_document(path, KIND, "other code") == (0, b"{}")
    assert write_document(path, KIND, code_fingerprint(), 7, b"{}")  # ahead of the registry
    assert read_document(path, KIND, code_fingerprint()) is None
    # an older document never replaces a newer one
    assert write_document(path, KIND, code_fingerprint(), 3, b"[]")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version, body FROM registry_documents").fetchall() == [
            (7, b"{}")
        ]


def test_a_damaged_document_is_read_past(sqlite_url: str) -> None:
    url = sqlite_url
    path = sqlite_file(url)
    assert path is not None
    expected = show(url, "gpt-4o")
    assert write_document(path, KIND, code_fingerprint(), _version(url), b'{"registry": 1}')
    assert show(url, "gpt-4o") == expected
    assert read_document(path, KIND, code_fingerprint()) != (_version(url), b'{"registry": 1}')


def test_a_database_not_migrated_yet_still_says_so(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'radiant.db'}"
    migrate(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE registry_documents"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0015'"))
    engine.dispose()
    result = run_radiant(["--database-url", url, "stats", "--json"])
    assert result.returncode == 0, result.stderr  # the read works without the table
    assert json.loads(result.stdout)["models"] == 0
    missing = run_radiant(["--database-url", f"sqlite:///{tmp_path / 'none.db'}", "stats"])
    assert missing.returncode != 0 and "radiant db upgrade" in missing.stderr


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///radiant.db", "radiant.db"),
        ("sqlite:////var/lib/radiant/radiant.db", "/var/lib/radiant/radiant.db"),
        ("sqlite+pysqlite:////tmp/a%20b.db", "/tmp/a b.db"),
        ("sqlite://", None),
        ("sqlite:///:memory:", None),
        ("sqlite:///radiant.db?timeout=3", None),
        ("postgresql+psycopg://postgres@127.0.0.1/test", None),
    ],
)
def test_which_urls_keep_documents(url: str, path: str | None) -> None:
    assert sqlite_file(url) == (None if path is None else Path(path))


def test_a_read_answers_while_another_process_holds_the_write_lock(sqlite_url: str) -> None:
    """Keeping the document is best effort: with a writer holding the database's write
    lock the read answers from the tables and keeps nothing."""
    path = sqlite_file(sqlite_url)
    assert path is not None
    expected = show(sqlite_url, "gpt-4o")
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM registry_documents")
    conn.close()
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        assert show(sqlite_url, "gpt-4o") == expected
        assert not write_document(path, KIND, code_fingerprint(), _version(sqlite_url), b"{}")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert _documents(sqlite_url) == []
    show(sqlite_url, "gpt-4o")
    assert _documents(sqlite_url) == [(KIND, _version(sqlite_url))]
