"""Shared fixtures: throwaway SQLite and PostgreSQL databases, a network guard.

PostgreSQL tests never skip: when the server cannot be reached they fail, so a green run
always means both backends were exercised. ``RADIANT_TEST_PG_ADMIN_URL`` points at the
server (default: the local one, database ``test``).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, make_url, text

from radiant.security import ROLE_PERMISSIONS, Principal, PrincipalKind, Role
from radiant.store.engine import make_engine
from radiant.store.migrate import upgrade
from services import PG_ADMIN_URL

FIXTURES = Path(__file__).parent / "fixtures"
_LOCAL = {"127.0.0.1", "::1", "localhost"}


# ----------------------------------------------------------------------------- network guard

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        if host not in _LOCAL:
            raise RuntimeError(f"tests must not leave the machine (tried {host!r})")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def _no_network() -> Iterator[None]:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign,assignment]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes a developer's database or data directory."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    for name in [
        n for n in os.environ if n.startswith("RADIANT_") and n != "RADIANT_TEST_PG_ADMIN_URL"
    ]:
        monkeypatch.delenv(name, raising=False)


# ----------------------------------------------------------------------------- databases


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'radiant.db'}"


@pytest.fixture
def sqlite_db(tmp_path: Path) -> str:
    return sqlite_url(tmp_path)


@pytest.fixture
def postgres_db() -> Iterator[str]:
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(scope="module")
def module_postgres_db() -> Iterator[str]:
    """An empty PostgreSQL database shared by the tests of one module (they clean up)."""
    with throwaway_postgres() as url:
        yield url


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    name = f"radiant_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - whatever the reason: fail, never skip
        admin.dispose()
        pytest.fail(f"PostgreSQL is required for this test and is not reachable: {exc}")
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def postgres_copy(template_url: str) -> Iterator[str]:
    """A throwaway copy of the PostgreSQL database at ``template_url`` (which nobody may be
    connected to): ``CREATE DATABASE ... TEMPLATE``, a file copy, much faster than
    migrating and filling a new one."""
    name = f"radiant_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    template = make_url(template_url).database
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty database on each backend."""
    fixture = "sqlite_db" if request.param == "sqlite" else "postgres_db"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture
def migrated(db_url: str) -> Iterator[Engine]:
    """A migrated empty database on each backend, as an engine."""
    migrate(db_url)
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


# ----------------------------------------------------------------------------- migrated copies

#: per backend, a database this process migrated once (``migrate`` copies it)
_TEMPLATES: dict[str, str] = {}


def migrate(url: str) -> None:
    """What ``upgrade(url)`` makes of the empty database at ``url``, at a fraction of its
    cost: a copy of a database this test process migrated to head once (SQLite: the file,
    by SQLite's backup; PostgreSQL: the database dropped and made again under its name
    from that template). The migrations themselves are tested on empty databases
    (tests/test_migrations.py); a database that is not empty is upgraded as it is."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        target = Path(str(parsed.database))
        if target.exists() and target.stat().st_size > 0:
            upgrade(url)
            return
        template = _TEMPLATES.get("sqlite")
        if template is None:
            directory = Path(os.environ.get("TMPDIR", "/tmp")) / f"radiant-template-{os.getpid()}"
            directory.mkdir(exist_ok=True)
            template = _TEMPLATES["sqlite"] = str(directory / "radiant.db")
            Path(template).unlink(missing_ok=True)
            upgrade(f"sqlite:///{template}")
        with sqlite3.connect(template) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        source.close()
        copy.close()
        return
    name = str(parsed.database)
    probe = create_engine(url)
    try:
        with probe.connect() as conn:
            tables = conn.execute(
                text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            ).scalar_one()
    finally:
        probe.dispose()
    if tables:
        upgrade(url)
        return
    if "postgres" not in _TEMPLATES:
        template = f"radiant_template_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{template}"'))
        admin.dispose()
        upgrade(make_url(PG_ADMIN_URL).set(database=template).render_as_string(False))
        _TEMPLATES["postgres"] = template
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{_TEMPLATES["postgres"]}"'))
    finally:
        admin.dispose()


@pytest.fixture(autouse=True, scope="session")
def _drop_templates() -> Iterator[None]:
    yield
    if "postgres" in _TEMPLATES:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{_TEMPLATES.pop("postgres")}"'))
        admin.dispose()
    if "sqlite" in _TEMPLATES:
        shutil.rmtree(Path(_TEMPLATES.pop("sqlite")).parent, ignore_errors=True)


@pytest.fixture
def small_catalog(tmp_path: Path) -> Path:
    """A writable copy of the small test catalog."""
    target = tmp_path / "catalog"
    shutil.copytree(FIXTURES / "catalog_small", target)
    return target


#: (app — a FastAPI app or ``TestClient.app`` — , role or principal) -> headers
Bearer = Callable[[Any, "Role | Principal"], dict[str, str]]


@pytest.fixture
def bearer() -> Bearer:
    """Authorization headers for an administrator of a role, or for any principal.

    It registers an authenticator on the app that accepts one fresh token for that
    principal: a way to test permission checks of endpoints apart from how tokens are
    issued (the token store has its own tests).
    """

    def headers(app: Any, who: Role | Principal) -> dict[str, str]:
        principal = (
            who
            if isinstance(who, Principal)
            else Principal(
                PrincipalKind.ADMIN,
                subject_id=f"test-{who.value}",
                name=f"{who.value}@example.test",
                role=who,
                permissions=ROLE_PERMISSIONS[who],
            )
        )
        token = secrets.token_urlsafe(16)
        app.state.authenticators.append(lambda t: principal if t == token else None)
        return {"Authorization": f"Bearer {token}"}

    return headers
