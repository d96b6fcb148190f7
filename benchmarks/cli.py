"""Wall time of ``radiant`` commands as a user runs them: the installed console script in
a fresh process, with its defaults (only the database is a throwaway SQLite file).

A read command reads the registry document the previous read at the same version left
(``radiant.cli._reads``); beside the reads, the same ``models list`` when there is none
(as after any write: the registry is read from the store, and the document kept again).
Then the same two on the world: the built-in catalog grown by the three public catalog
snapshots (``radiant sync pricing``, about 2,800 models and 7,900 routes)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks._report import QUICK, Row, median_ms, samples, user_environment
from benchmarks.pricing_sync import SHARED_CATALOGS, WORLD_FILES

__all__ = ["cli_rows"]

#: the console script ``pip install`` wrote next to this interpreter
RADIANT = Path(sys.executable).parent / "radiant"

#: (what it is, arguments, target in ms)
_READS: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("radiant models list --limit 5 on SQLite", ("models", "list", "--limit", "5"), 500.0),
    ("radiant models show gpt-4o on SQLite", ("models", "show", "gpt-4o"), 500.0),
    ("radiant stats on SQLite", ("stats",), 500.0),
)


def _run(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(RADIANT), *args], env=env, capture_output=True, check=True, timeout=120)


def cli_rows(runs: int | None = None) -> list[Row]:
    """``runs``: fresh processes per command (``RADIANT_BENCH_CLI_RUNS``, default 5)."""
    runs = runs or int(os.environ.get("RADIANT_BENCH_CLI_RUNS", "5"))
    with tempfile.TemporaryDirectory(prefix="radiant-bench-cli-") as directory:
        env = user_environment(RADIANT_DATABASE_URL=f"sqlite:///{directory}/radiant.db")
        rows = [
            Row(
                f"radiant --help (fresh process, median of {runs})",
                "-",
                median_ms(samples(runs, lambda: _run(env, "--help"))),
                "ms",
                300.0,
                digits=0,
            )
        ]
        _run(env, "db", "upgrade")
        _run(env, "sync", "catalog")
        for name, args, target in _READS:
            if not QUICK:
                _run(env, *args)  # the first run writes what the later ones find (bytecode)
            times = samples(runs, lambda args=args: _run(env, *args))  # type: ignore[misc]
            label = f"{name} (fresh process, median of {runs})"
            rows.append(Row(label, "builtin", median_ms(times), "ms", target, digits=0))
        database = Path(directory) / "radiant.db"
        rows.append(_miss_row(env, database, runs, "builtin"))
        if all((SHARED_CATALOGS / name).is_file() for name in WORLD_FILES.values()):
            sources = [f"--source={k}={SHARED_CATALOGS / n}" for k, n in WORLD_FILES.items()]
            _run(env, "sync", "pricing", *sources)
            _run(env, *_READS[0][1])  # keeps the document of the world
            times = samples(runs, lambda: _run(env, *_READS[0][1]))
            label = f"radiant models list --limit 5 on SQLite (fresh process, median of {runs})"
            rows.append(Row(label, "world", median_ms(times), "ms", digits=0))
            rows.append(_miss_row(env, database, runs, "world"))
    return rows


def _miss_row(env: dict[str, str], database: Path, runs: int, catalog: str) -> Row:
    """``models list`` with no document to read: each run first drops the one the last left."""
    args = _READS[0][1]

    def run() -> None:
        with sqlite3.connect(database) as conn:
            conn.execute("DELETE FROM registry_documents")
        conn.close()
        _run(env, *args)

    times = samples(runs, run)
    label = f"radiant models list --limit 5, no document: reads the store (median of {runs})"
    return Row(label, catalog, median_ms(times), "ms", digits=0)
