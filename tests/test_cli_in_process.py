"""``run_radiant`` runs a command as the console script would, and leaves nothing behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from cli_in_process import run_radiant
from conftest import migrate
from radiant.settings import get_settings
from radiant.store.engine import make_engine

RADIANT = str(Path(sys.executable).parent / "radiant")


def test_it_prints_and_exits_as_the_console_script(sqlite_db: str) -> None:
    migrate(sqlite_db)
    env = {**os.environ, "RADIANT_DATABASE_URL": sqlite_db, "COLUMNS": "60"}
    for args in (["models", "list", "--help"], ["models", "show"], ["models", "show", "gpt-4-o"]):
        real = subprocess.run(
            [RADIANT, *args], capture_output=True, text=True, env=env, timeout=120, check=False
        )
        here = run_radiant(args, env=env)
        assert (here.returncode, here.stdout, here.stderr) == (
            real.returncode,
            real.stdout,
            real.stderr,
        ), args
    assert max(len(line) for line in here.stdout.splitlines() or [""]) <= 60


def test_each_call_has_its_own_environment(sqlite_db: str, tmp_path: Path) -> None:
    migrate(sqlite_db)
    before = dict(os.environ)
    get_settings()  # this process's settings are cached; a call reads its own
    ready = run_radiant(["stats", "--json"], env={**os.environ, "RADIANT_DATABASE_URL": sqlite_db})
    assert ready.returncode == 0, ready.stderr
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    unmigrated = run_radiant(["stats"], env={**os.environ, "RADIANT_DATABASE_URL": empty})
    assert unmigrated.returncode == 5 and "radiant db upgrade" in unmigrated.stderr
    assert dict(os.environ) == before
    assert get_settings().database_url != empty


def test_no_connection_outlives_a_command(postgres_db: str) -> None:
    migrate(postgres_db)
    env = {**os.environ, "RADIANT_DATABASE_URL": postgres_db}
    for args in (["stats"], ["sync", "thermal"], ["models", "show", "nothing"]):
        run_radiant(args, env=env)
    engine = make_engine(postgres_db)
    try:
        with engine.connect() as conn:
            others = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    assert others == 0


def test_a_command_that_exits_with_a_code_exits_with_it(tmp_path: Path) -> None:
    """Outside Click's standalone mode a ``typer.Exit`` comes back as a return value;
    ``main`` still exits with it (a real process: the command is added for this test)."""
    script = (
        "import sys, typer\n"
        "from radiant.cli import app, main\n"
        "@app.command('t-exit')\n"
        "def t_exit(code: int) -> None:\n"
        "    raise typer.Exit(code)\n"
        "sys.argv = ['radiant', 't-exit', sys.argv[1]]\n"
        "main()\n"
    )
    for code in (0, 4):
        done = subprocess.run(
            [sys.executable, "-c", script, str(code)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == code, done.stderr
