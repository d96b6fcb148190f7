"""The README is true: every fenced block of it runs, in README order, on one throwaway
registry, and what it says a command prints is what the command prints.

The registry is the one `make run` serves (the Quickstart's first command, on a free port
and a throwaway data directory: embedded SQLite, the built-in catalog). Each block is
taken as the README shows it:

- ``sh``, ``bash``, ``text`` and bare blocks are shell commands (continuation lines and
  quotes spanning lines joined as a shell joins them, ``# ...`` comments dropped,
  ``$VAR`` expanded from what earlier examples exported). ``radiant ...`` runs in this
  process (:func:`cli_in_process.run_radiant`) on the served database, ``curl ...`` is
  the real curl against the served API, ``export NAME=rad_...`` takes the secret the
  example before it printed, a placeholder in capitals (``TOKEN_ID``, ``REQUEST_ID``,
  ``ID``) the id an earlier example printed. So the administrator's token, the tenant, its
  key and grants, the prices set and the rules made by one example are what the next
  one uses.
- A ``text`` block that follows a command shows its output: it must be what the command
  printed (:data:`OUTPUT_AFTER`).
- The SQL block runs on a throwaway PostgreSQL database migrated and synced by the same
  product; the ``python`` block is executed and its ``verify`` checked against a
  signature made as the webhook sender makes it.
- Upstreams are local: the gateway's ``openai`` platform is pointed at a fake
  OpenAI-compatible server on 127.0.0.1 (``gateway_fakes``), the public price catalogs'
  URLs at a local server of their test copies. No example leaves the machine.

What must not run inside a test is in :data:`NOT_RUN`, each with its reason.
"""

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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, text
from starlette.applications import Starlette
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Route

from cli_in_process import run_radiant
from gateway_fakes import FakeUpstream
from local_server import free_port, serve_app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
BIN = Path(sys.executable).parent
FIXTURES = ROOT / "tests" / "fixtures" / "catalogs"

#: commands the README shows that a test must not run, and why
NOT_RUN: dict[str, str] = {
    "make run": "the fixture `served` runs it: every other example talks to that server",
    "make test": "the whole suite, of which this test is a part",
    "make fuzz": "five minutes of schemathesis; test_api_fuzz.py is its derandomized run",
    # discovery items exist only once a platform lists a model the registry does not know
    # (no platform has a key here); tests/test_discovery_review.py runs these on fakes
    "radiant discovery show 12": "no discovered item 12 on a fresh registry",
    "radiant discovery approve 12": "no discovered item 12 on a fresh registry",
    "radiant discovery ignore 13": "no discovered item 13 on a fresh registry",
    "curl -X POST http://127.0.0.1:8000/api/v2/admin/discovery/12/approve": (
        "no discovered item 12 on a fresh registry"
    ),
}

#: the public catalogs' URLs the README names -> the test copy served locally instead
PUBLIC_CATALOGS: dict[str, str] = {
    "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json": (
        "litellm.json"
    ),
    "https://models.dev/api.json": "models_dev.json",
    "https://openrouter.ai/api/v1/models": "openrouter.json",
}

#: the README's output blocks: the command whose output each shows (its first line)
OUTPUT_AFTER = ("radiant price gpt-4o --input-tokens 1000000 --output-tokens 1000000",)

#: curl examples that answer other than 200 (a substring of the command -> status)
STATUS: dict[str, int] = {
    "/api/v2/admin/tenants/acme/models": 201,
    "/registry/sync/health": 202,
}


@dataclass
class Block:
    lang: str
    body: str
    section: str
    line: int

    @property
    def name(self) -> str:
        return f"{self.section} (README line {self.line})"


def blocks() -> list[Block]:
    found = []
    for match in re.finditer(r"^```(\w*)\n(.*?)^```", README, flags=re.S | re.M):
        before = README[: match.start()]
        section = re.findall(r"^#+ (.*)$", before, flags=re.M)[-1]
        found.append(Block(match.group(1), match.group(2), section, before.count("\n") + 1))
    return found


def commands(body: str) -> list[str]:
    """The shell commands of a block: backslash-newline joined, a quote open across lines
    kept open (JSON bodies), comments dropped."""
    out: list[str] = []
    pending = ""
    for line in body.replace("\\\n", " ").splitlines():
        pending = f"{pending}\n{line}" if pending else line
        try:
            words = shlex.split(pending, comments=True)
        except ValueError:  # a quote still open: the command goes on
            continue
        if words:
            out.append(pending)
        pending = ""
    assert not pending, f"unterminated command: {pending}"
    return out


# ----------------------------------------------------------------------------- the server


def _get(url: str, timeout: float = 10) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="module")
def upstream() -> Iterator[FakeUpstream]:
    """The OpenAI-compatible upstream the gateway example reaches (as `openai`)."""
    fake = FakeUpstream("openai")

    async def models(_request: Any) -> JSONResponse:  # what a health probe reads
        return JSONResponse({"object": "list", "data": [{"id": "gpt-4o-mini"}]})

    fake.app.router.routes.append(Route("/v1/models", models))
    with serve_app(fake.app) as url:
        fake.url = f"{url}/v1"  # type: ignore[attr-defined]
        yield fake


@pytest.fixture(scope="module")
def catalogs() -> Iterator[str]:
    """The public price catalogs' test copies, served on 127.0.0.1."""

    def page(name: str) -> Callable[..., Any]:
        async def serve(_request: Any) -> FileResponse:
            return FileResponse(FIXTURES / name, media_type="application/json")

        return serve

    app = Starlette(routes=[Route(f"/{n}", page(n)) for n in PUBLIC_CATALOGS.values()])
    with serve_app(app) as url:
        yield url


@pytest.fixture(scope="module")
def served(data_dir: Path) -> Iterator[str]:
    """`make run` as the README says, on a free port, with a throwaway data directory; the
    server holds an OpenAI key, so the gateway example has a callable route."""
    port = free_port()
    env = {**os.environ, "XDG_DATA_HOME": str(data_dir), "OPENAI_API_KEY": "sk-readme"}
    env["RADIANT_SCHEDULER"] = "false"  # no scheduled probe of a real upstream
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
        assert (data_dir / "radiant" / "radiant.db").exists()  # the embedded default
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()


# ----------------------------------------------------------------------------- the walk


@dataclass
class Reader:
    """One reader following the README: their shell's variables and what they saw."""

    base: str
    env: dict[str, str]
    catalogs: str
    #: the ids earlier examples printed, by the placeholder that stands for them
    ids: dict[str, str] = field(default_factory=dict)
    #: the secret the last command printed (a token, a key), for the next `export`
    secret: str | None = None
    #: stdout of the last command
    last: str = ""
    ran: list[str] = field(default_factory=list)

    def run(self, command: str) -> None:
        words = shlex.split(self._expand(command), comments=True)
        if any(" ".join(words).startswith(skipped) for skipped in NOT_RUN):
            return
        self.ran.append(command)
        if words[0] == "export":
            self._export(words[1:])
        elif words[0] == "radiant":
            self._radiant(command, words[1:])
        elif words[0] == "curl":
            self._curl(command, words[1:])
        else:
            pytest.fail(f"the README runs {words[0]!r}, which this test does not know: {command}")

    def _expand(self, command: str) -> str:
        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            assert name in self.env, f"${name} is used before an example sets it: {command}"
            return self.env[name]

        command = re.sub(r"\$([A-Z_]+)", value, command)
        for placeholder, found in self.ids.items():
            command = re.sub(rf"\b{placeholder}\b", found, command)
        return command

    def _export(self, words: list[str]) -> None:
        name, _, shown = words[0].partition("=")
        prefix = shown.removesuffix("...")
        assert self.secret and self.secret.startswith(prefix), (name, shown, self.secret)
        self.env[name] = self.secret

    def _radiant(self, command: str, args: list[str]) -> None:
        args = [self._local(a) for a in args]
        result = run_radiant(args, env=self.env, cwd=ROOT)  # in process: ~0.8 s less each
        assert result.returncode == 0, (command, result.stdout[-2000:], result.stderr[-2000:])
        self.last = result.stdout
        self._remember(result.stdout + result.stderr)
        if args[:2] == ["export", "litellm-config"]:  # what it prints is a LiteLLM config
            config = yaml.safe_load(result.stdout)
            assert config["model_list"] and config["router_settings"], config.keys()

    def _curl(self, command: str, args: list[str]) -> None:
        args = [self._local(a.replace("http://127.0.0.1:8000", self.base)) for a in args]
        result = subprocess.run(
            ["curl", "-sS", "-w", "\n%{http_code}", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, (command, result.stderr)
        body, _, status = result.stdout.rpartition("\n")
        expected = next((s for part, s in STATUS.items() if part in command), 200)
        assert int(status) == expected, (command, status, body[:600])
        self.last = body
        self._remember(body)

    def _local(self, arg: str) -> str:
        for url, name in PUBLIC_CATALOGS.items():
            arg = arg.replace(url, f"{self.catalogs}/{name}")
        return arg

    def _remember(self, output: str) -> None:
        secret = re.search(r"^(?:token: )?((?:rad|rtk)_\S+)$", output, flags=re.M)
        if secret:
            self.secret = secret.group(1)
        token_id = re.search(r"^token ([0-9a-f-]{36}) \(", output, flags=re.M)
        if token_id:
            self.ids["TOKEN_ID"] = token_id.group(1)
        request = re.search(r"^pending approval ([0-9a-f-]{36}) ", output, flags=re.M)
        if request:
            self.ids["REQUEST_ID"] = request.group(1)
        if output.lstrip().startswith("{"):
            run = json.loads(output)
            if isinstance(run, dict) and "sync_type" in run and "id" in run:
                self.ids["ID"] = str(run["id"])


def test_quickstart_is_make_run_then_make_test() -> None:
    first = blocks()[0]
    assert first.section == "Quickstart" and first.lang == "sh"
    assert [shlex.split(c, comments=True) for c in commands(first.body)][:2] == [
        ["make", "run"],
        ["make", "test"],
    ]


def test_make_run_serves_the_whole_catalog(served: str) -> None:
    from radiant.catalog import load_catalog

    catalog = load_catalog()
    status, text_ = _get(f"{served}/api/registry/models?limit=1")
    assert status == 200 and json.loads(text_)["count"] == len(catalog.models)
    assert _get(f"{served}/docs")[0] == 200


def test_every_block_runs_in_readme_order(
    served: str, data_dir: Path, upstream: FakeUpstream, catalogs: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADIANT_")}
    env |= {"RADIANT_DATABASE_URL": f"sqlite:///{data_dir / 'radiant' / 'radiant.db'}"}
    env |= {"COLUMNS": "160"}
    reader = Reader(served, env, catalogs)
    checked: list[str] = []
    previous: Block | None = None
    for block in blocks():
        if block.lang == "python":
            _check_webhook_verifier(block.body)
        elif block.lang == "text" and block.body.lstrip().startswith("SELECT"):
            _check_sql_on_postgres(block.body)
        elif previous is not None and _is_output(block, previous):
            # normalised: Rich pads a centred title with spaces the README does not keep
            printed = "\n".join(line.rstrip() for line in reader.last.splitlines()) + "\n"
            assert printed == block.body, (block.name, reader.last)
        else:
            for command in commands(block.body):
                reader.run(command)
                if command.startswith("export RADIANT_TOKEN="):
                    _point_openai_at(reader, upstream)
            if block.section.startswith("The gateway"):
                _check_gateway_answer(reader.last, upstream)
        checked.append(block.name)
        previous = block
    assert len(checked) == len(blocks())
    assert len(reader.ran) >= 100, len(reader.ran)


def _is_output(block: Block, previous: Block) -> bool:
    if block.lang != "text":
        return False
    shown = commands(previous.body)
    return any(c.startswith(first) for first in OUTPUT_AFTER for c in shown[:1])


def _point_openai_at(reader: Reader, upstream: FakeUpstream) -> None:
    """As soon as the reader holds a token: the `openai` provider's API (the `direct`
    platform's address for it) is the local fake, so neither the server's health checks
    nor the gateway example leave the machine (a registry write, as the README says to
    point a platform at a proxy)."""
    url = upstream.url  # type: ignore[attr-defined]
    reader.run(f"radiant providers update openai --set api_base_url={url}")


def _check_gateway_answer(answer: str, upstream: FakeUpstream) -> None:
    body = json.loads(answer)
    assert body["object"] == "chat.completion", body
    assert body["choices"][0]["message"]["content"] == "hello from openai"
    assert body["model"] == "gpt-4o-mini"  # the name the client asked for
    assert upstream.calls and upstream.calls[-1]["messages"][0]["content"] == "Hi"


def _check_webhook_verifier(source: str) -> None:
    """The README's receiver accepts what the sender signs, and nothing else."""
    from radiant.sync.webhooks import SIGNATURE_HEADER, sign

    scope: dict[str, Any] = {}
    exec(compile(source, "README.md", "exec"), scope)
    verify = scope["verify"]
    secret, body = "s3cret", b'{"event": "RegistrySyncCompleted"}'
    now = str(int(time.time()))
    headers = {"X-Radiant-Timestamp": now, SIGNATURE_HEADER: sign(secret, now, body)}
    assert verify(secret.encode(), headers, body) is True
    assert verify(secret.encode(), headers, body + b" ") is False
    assert verify(b"another", headers, body) is False
    old = str(int(time.time()) - 600)
    replayed = {"X-Radiant-Timestamp": old, SIGNATURE_HEADER: sign(secret, old, body)}
    assert verify(secret.encode(), replayed, body) is False


def _check_sql_on_postgres(sql: str) -> None:
    """The seed's SQL on a throwaway PostgreSQL database the product migrated and synced."""
    from conftest import migrate, throwaway_postgres

    with throwaway_postgres() as url:
        migrate(url)
        result = run_radiant(["--database-url", url, "sync", "catalog"], cwd=ROOT)
        assert result.returncode == 0, result.stderr
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        try:
            with engine.connect() as connection:
                for statement in (s.strip() for s in sql.split(";")):
                    if statement:
                        rows = connection.execute(text(statement)).all()
                        assert rows, statement
        finally:
            engine.dispose()


def test_intro_counts_match_the_catalog() -> None:
    from radiant.catalog import load_catalog

    catalog = load_catalog()
    intro = README.split("## Quickstart", 1)[0]
    self_hosted = {r.model_id for r in catalog.routes.values() if r.platform_id == "self_hosted"}
    assert f"{len(catalog.models)} models" in intro
    assert f"{len(catalog.providers)} providers" in intro
    assert f"{len(catalog.platforms)} platforms" in intro
    assert f"{len(self_hosted)} self-hosted" in intro


def test_no_document_outside_the_repository() -> None:
    """The README cites what ships with the project: no seed documents, no ../ links."""
    assert not re.search(r"\bseed\b", README, flags=re.I), re.findall(r".{30}seed.{30}", README)
    for target in re.findall(r"\]\(([^)]+)\)", README):
        if not target.startswith(("http://", "https://", "#")):
            assert not target.startswith(".."), target
            assert (ROOT / target).exists(), target


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
    """`make bench` (its command, on a small synthetic catalog and with a twentieth of
    the repetitions, to stay quick)."""
    env = {
        **os.environ,
        "RADIANT_BENCH_MODELS": "300",
        "RADIANT_BENCH_GATEWAY_SECONDS": "2",
        "RADIANT_BENCH_GATEWAY_CALLS": "200",
        "RADIANT_BENCH_CLI_RUNS": "1",
        "RADIANT_BENCH_QUICK": "1",
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


def _exit_codes() -> dict[int, str]:
    table = README.split("| exit code | meaning |", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| (\d+) \| (.*) \|$", table, flags=re.M)
    return {int(code): meaning for code, meaning in rows}


def test_every_exit_code_the_cli_uses_is_in_the_table() -> None:
    """The README's table holds every exit code an error of the CLI carries."""
    import radiant.api.etag
    import radiant.cli.sync
    import radiant.errors
    import radiant.health.thermal.backends

    used = {0}
    for module in (radiant.errors, radiant.api.etag, radiant.cli.sync, radiant.health.thermal):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, radiant.errors.RadiantError):
                used.add(value.exit_code)
    used.add(radiant.health.thermal.backends.ThermalBackendError.exit_code)
    # ProviderError (7) is an upstream model API failing: only the gateway calls one
    used.discard(radiant.errors.ProviderError.exit_code)
    assert set(_exit_codes()) == used


def test_one_command_per_exit_code(tmp_path: Path) -> None:
    """A command that ends with each code of the README's table, and its one line."""
    url = f"sqlite:///{tmp_path / 'codes.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADIANT_")}
    env["RADIANT_DATABASE_URL"] = url

    def code_of(*args: str) -> int:
        result = run_radiant(args, env=env, cwd=ROOT)
        if result.returncode:
            assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result
        return result.returncode

    seen = {5: code_of("stats")}  # not migrated yet
    assert code_of("db", "upgrade") == 0
    assert code_of("sync", "catalog") == 0
    seen[0] = code_of("models", "show", "gpt-4o")
    seen[2] = code_of("models", "list", "--tier", "9")
    seen[3] = code_of("models", "show", "gpt-4o-turbo-max")
    seen[6] = code_of("models", "update", "gpt-4o", "--set", "quality_score=1")  # no token
    token = run_radiant(["admin", "create", "you@example.com"], env=env, cwd=ROOT).stdout
    env["RADIANT_TOKEN"] = token.split("token: ", 1)[1].strip()
    seen[4] = code_of("models", "update", "gpt-4o", "--set", "x=1", "--expect-version", "9")
    # 1: a sync that failed on something that is no error of Radiant's (a job of one's own)
    (tmp_path / "readme_broken_job.py").write_text(
        "from radiant.sync.jobs import register_job\n\n"
        "@register_job('readme-broken')\n"
        "def broken(engine, context):\n"
        "    raise RuntimeError('the job broke')\n"
    )
    broken = subprocess.run(  # a job module is imported once per process: a process
        [str(BIN / "radiant"), "sync", "run", "readme-broken"],
        env={**env, "PYTHONPATH": str(tmp_path), "RADIANT_SYNC_JOB_MODULES": "readme_broken_job"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "the job broke" in broken.stderr, broken.stderr
    seen[1] = broken.returncode
    assert seen == {code: code for code in _exit_codes()}
