"""The README is true: Quickstart's commands come first and work, and so does every example."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_in_process import run_radiant
from local_server import free_port

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
BIN = Path(sys.executable).parent


def _blocks() -> list[list[str]]:
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
    return [[line.split("#")[0].strip() for line in b.splitlines() if line.strip()] for b in blocks]


def test_quickstart_is_make_run_then_make_test() -> None:
    quickstart = README.split("## Quickstart", 1)[1]
    first = re.search(r"```sh\n(.*?)```", quickstart, flags=re.S)
    assert first is not None
    commands = [line.split("#")[0].strip() for line in first.group(1).splitlines()]
    assert commands[:2] == ["make run", "make test"]


def _get(url: str, timeout: float = 10) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`make run` as the README says, on a free port, with a throwaway data directory."""
    data = tmp_path_factory.mktemp("data")
    port = free_port()
    env = {**os.environ, "XDG_DATA_HOME": str(data)}
    env.pop("RADIANT_DATABASE_URL", None)
    proc = subprocess.Popen(
        ["make", "run", f"PORT={port}", f"VENV={BIN.parent}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if _get(f"{base}/healthz", timeout=1)[0] == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                output = proc.stdout.read().decode() if proc.stdout else ""
                pytest.fail(f"make run did not serve: {output[-2000:]}")
            time.sleep(0.3)
        assert (data / "radiant" / "radiant.db").exists()  # the embedded default
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()


def test_make_run_serves_the_whole_catalog(served: str) -> None:
    from radiant.catalog import load_catalog

    catalog = load_catalog()
    status, text = _get(f"{served}/api/registry/models?limit=1")
    assert status == 200 and json.loads(text)["count"] == len(catalog.models)
    assert _get(f"{served}/docs")[0] == 200


def test_every_curl_example_answers(served: str) -> None:
    urls = [
        shlex.split(line)[1] for block in _blocks() for line in block if line.startswith("curl ")
    ]
    assert len(urls) >= 10
    for url in urls:
        status, text = _get(url.replace("http://127.0.0.1:8000", served))
        assert status == 200, (url, text[:300])


def test_every_cli_example_runs(tmp_path: Path) -> None:
    commands = [line for block in _blocks() for line in block if line.startswith("radiant ")]
    assert len(commands) >= 8
    env = {**os.environ, "RADIANT_DATABASE_URL": f"sqlite:///{tmp_path / 'readme.db'}"}
    for command in commands:
        args = shlex.split(command)
        assert args[0] == "radiant", command
        result = run_radiant(args[1:], env=env, cwd=ROOT)  # in process: ~0.8 s less each
        assert result.returncode == 0, (command, result.stderr)
        if command.startswith("radiant admin create") and "RADIANT_TOKEN" not in env:
            # the README's `export RADIANT_TOKEN=...` line: the token the command printed
            token = re.search(r"^token: (\S+)$", result.stdout, re.MULTILINE)
            assert token, result.stdout
            env["RADIANT_TOKEN"] = token.group(1)


def test_intro_counts_match_the_catalog() -> None:
    from radiant.catalog import load_catalog

    catalog = load_catalog()
    intro = README.split("## Quickstart", 1)[0]
    self_hosted = {r.model_id for r in catalog.routes.values() if r.platform_id == "self_hosted"}
    assert f"{len(catalog.models)} models" in intro
    assert f"{len(self_hosted)} self-hosted" in intro
    assert f"{len(catalog.providers)} providers" in intro
    assert f"{len(catalog.platforms)} platforms" in intro


def test_database_url_option(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'option.db'}"
    env = {k: v for k, v in os.environ.items() if k != "RADIANT_DATABASE_URL"}
    for args in (["db", "upgrade"], ["sync", "catalog"], ["stats", "--json"]):
        result = subprocess.run(
            [str(BIN / "radiant"), "--database-url", url, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["models"] > 100
    assert (tmp_path / "option.db").exists()


def test_make_bench_prints_the_table() -> None:
    """`make bench` (its command, on a small synthetic catalog to stay quick)."""
    env = {
        **os.environ,
        "RADIANT_BENCH_MODELS": "300",
        "RADIANT_BENCH_GATEWAY_SECONDS": "2",
        "RADIANT_BENCH_GATEWAY_CALLS": "200",
    }
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    table = result.stdout
    assert "import radiant (fresh process" in table
    assert "radiant --help (fresh process" in table and "models list --limit 5 on SQLite" in table
    assert "resolve id/alias" in table and "list capabilities" in table
    assert "synthetic (300 models)" in table
    assert "gateway: added latency p50" in table and "gateway: throughput" in table
    assert " ERROR" not in table, table
    # the summary line; whether targets are met is for the reader, not a timed test
    assert re.search(r"\d+ results, \d+ with a target, \d+ missed or failed", table)
