"""``radiant sync full|discovery|health|thermal|pricing|history`` as a user runs them (in
this process, as a fresh one would: ``cli_in_process``; a job plugin in a real one)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cli_in_process import run_radiant
from conftest import migrate
from radiant.store.engine import make_engine
from radiant.store.repository import sync_history
from radiant.sync.runner import FULL_STEPS, start

BIN = Path(sys.executable).parent
FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "catalog_small"

pytestmark = pytest.mark.slow


def radiant(url: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    # no public catalog from a test: an empty source list unless a test names its own
    env = {**os.environ, "RADIANT_DATABASE_URL": url, "RADIANT_PRICING_SOURCES": ""}
    result = run_radiant(args, env=env)
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def as_json(url: str, *args: str) -> Any:
    return json.loads(radiant(url, *args, "--json").stdout)


@pytest.fixture
def db(sqlite_db: str) -> str:
    migrate(sqlite_db)
    return sqlite_db


def test_full_runs_every_step_and_prints_the_run(db: str) -> None:
    run = as_json(db, "sync", "full", "--dir", str(SMALL))
    assert run["sync_type"] == "full" and run["status"] == "completed"
    assert run["trigger"] == "manual" and run["source"] == str(SMALL)
    assert list(run["details"]["steps"]) == list(FULL_STEPS)
    assert {s["status"] for s in run["details"]["steps"].values()} == {"completed"}
    assert run["models_added"] == 4 and run["counts"]["models_added"] == 4
    [logged] = sync_history(make_engine(db))
    assert logged["id"] == run["id"] and logged["status"] == "completed"

    text = radiant(db, "sync", "thermal").stdout
    assert text.startswith("sync ") and "(thermal) completed in" in text


def test_a_progress_bar_on_stderr(db: str) -> None:
    radiant(db, "sync", "catalog", "--dir", str(SMALL))
    shown = radiant(db, "sync", "thermal", "--progress")
    assert "sync thermal" in shown.stderr and "1/1" in shown.stderr
    quiet = radiant(db, "sync", "thermal", "--no-progress")
    assert quiet.stderr == ""


def test_pricing_reads_the_sources_it_is_given(db: str) -> None:
    litellm = FIXTURES / "catalogs" / "litellm.json"
    run = as_json(db, "sync", "pricing", "--source", f"litellm={litellm}")
    assert run["sync_type"] == "pricing" and run["status"] == "completed"
    assert run["counts"]["entries_read"] > 0
    assert str(litellm) in (run["source"] or "")


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (("sync", "pricing"), 2, "no pricing source"),
        (("sync", "pricing", "--source", "litellm"), 2, "KIND=FILE_OR_URL"),
        (("sync", "pricing", "--source", "prices=x.json"), 2, "unknown kind 'prices'"),
        (("sync", "everything"), 2, "No such command"),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(
    db: str, args: tuple[str, ...], code: int, fragment: str
) -> None:
    result = radiant(db, *args, ok=False)
    assert result.returncode == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], lines
    assert sync_history(make_engine(db)) == []


def test_a_failed_run_says_so_in_one_line_and_exits_non_zero(db: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "providers.yaml").write_text("- id: [not, a, provider]\n")
    result = radiant(db, "sync", "full", "--dir", str(broken), ok=False)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "full sync" in errors[0] and "catalog:" in errors[0]
    [run] = sync_history(make_engine(db))
    assert run["status"] == "failed" and run["details"]["steps"]["catalog"]["status"] == "failed"


def test_a_second_run_of_a_type_waits_for_the_first(db: str) -> None:
    running = start(make_engine(db), "health")
    result = radiant(db, "sync", "health", ok=False)
    assert result.returncode == 4
    assert result.stderr.strip() == f"error: health sync {running} is still running"


def test_an_unmigrated_database_says_what_to_do(tmp_path: Path) -> None:
    result = radiant(f"sqlite:///{tmp_path / 'empty.db'}", "sync", "thermal", ok=False)
    assert result.returncode == 5 and "radiant db upgrade" in result.stderr


def test_a_bad_setting_is_one_line(db: str) -> None:
    env = {**os.environ, "RADIANT_DATABASE_URL": db, "RADIANT_WEBHOOK_URLS": "ftp://hooks"}
    result = run_radiant(["sync", "thermal"], env=env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: bad setting: RADIANT_WEBHOOK_URLS: Value error, a webhook URL must be "
        "http:// or https://, not 'ftp://hooks'"
    ]
    assert sync_history(make_engine(db)) == []


def test_any_registered_job_runs_by_name(db: str) -> None:
    # a subprocess: RADIANT_SYNC_JOB_MODULES imports a module, once per process
    tests = str(Path(__file__).parent)
    env = {
        **os.environ,
        "RADIANT_DATABASE_URL": db,
        "RADIANT_SYNC_JOB_MODULES": "sync_plugin_jobs",
        "PYTHONPATH": os.pathsep.join(filter(None, [tests, os.environ.get("PYTHONPATH")])),
    }
    result = subprocess.run(
        [str(BIN / "radiant"), "sync", "run", "t-plugin", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    run = json.loads(result.stdout)
    assert run["sync_type"] == "t-plugin" and run["counts"] == {"widgets": 3}
    unknown = radiant(db, "sync", "run", "t-plugin", ok=False)  # not without the module
    assert unknown.returncode == 2 and "unknown sync type 't-plugin'" in unknown.stderr


def test_history_lists_the_runs_by_type_and_status(db: str) -> None:
    first = as_json(db, "sync", "thermal")
    radiant(db, "sync", "catalog", "--dir", str(SMALL))
    second = as_json(db, "sync", "thermal")
    running = start(make_engine(db), "health")

    every = as_json(db, "sync", "history")
    assert every["count"] == 4 and [r["id"] for r in every["data"]][0] == running
    thermal = as_json(db, "sync", "history", "--type", "thermal")
    assert [r["id"] for r in thermal["data"]] == [second["id"], first["id"]]
    assert thermal["count"] == 2
    page = as_json(db, "sync", "history", "--type", "thermal", "--limit", "1")
    assert [r["id"] for r in page["data"]] == [second["id"]] and page["count"] == 2
    assert [r["id"] for r in as_json(db, "sync", "history", "--status", "running")["data"]] == [
        running
    ]

    text = radiant(db, "sync", "history", "--type", "catalog").stdout
    assert "1 of 1 sync runs" in text and "completed" in text and "models_added 4" in text
    assert "thermal" not in text


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--status", "finished"), "unknown status 'finished'; known: running, completed"),
        (("--type", "everything"), "unknown sync type 'everything'; known: catalog"),
        (("--limit", "0"), "--limit"),
    ],
)
def test_history_refuses_what_it_cannot_filter_by(
    db: str, args: tuple[str, ...], fragment: str
) -> None:
    result = radiant(db, "sync", "history", *args, ok=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], lines


def test_discovery_can_be_limited_to_some_platforms(db: str) -> None:
    radiant(db, "sync", "catalog", "--dir", str(SMALL))
    run = as_json(db, "sync", "discovery", "--platform", "hostco")
    assert run["status"] == "completed"
    assert set(run["details"]["targets"]) == {"hostco"}  # nothing else was looked at
    assert run["details"]["targets"]["hostco"]["status"] == "skipped"  # it has no key here
    assert run["providers_updated"] == 0  # nothing changed: no phantom update
    wrong = radiant(db, "sync", "discovery", "--platform", "nowhere", ok=False)
    assert wrong.returncode == 2
    errors = [line for line in wrong.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "no platform to discover matches nowhere" in errors[0]
