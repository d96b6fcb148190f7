"""The CLI imports a command's modules when the command runs: help loads no database,
API or HTTP library (``benchmarks/cli.py`` times it; this checks the structure).

Each check that counts modules runs in a fresh interpreter: this one has them all.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import typer.main
from typer.core import TyperGroup

import radiant.cli
from conftest import migrate
from radiant.catalog import load_catalog
from radiant.cli import app
from radiant.cli._commands import COMMANDS
from radiant.store.engine import make_engine
from radiant.sync import sync_catalog

#: what no help page may load: a command imports them when it runs
HEAVY = ("sqlalchemy", "alembic", "fastapi", "starlette", "httpx", "aiohttp", "yaml", "rich")
#: Typer itself coerces every non-bool option through a pydantic ``TypeAdapter`` (the
#: root's ``--database-url`` and ``--token`` too, before a subcommand is dispatched), so
#: any page but ``radiant --help`` loads pydantic; none loads radiant's pydantic models
MODELS = ("radiant.domain", "radiant.api", "radiant.registry", "radiant.settings")

_RUN = """
import json, sys
from radiant.cli import main
for args in json.loads(sys.argv[1]):
    sys.argv = ["radiant", *args]
    try:
        main()
    except SystemExit:
        pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _loaded_after(*commands: list[str]) -> set[str]:
    """The top-level packages and radiant modules a fresh ``radiant`` loaded running
    ``commands`` one after the other."""
    done = subprocess.run(
        [sys.executable, "-c", _RUN, json.dumps(commands)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    modules = json.loads(done.stderr.splitlines()[-1])
    return {m.split(".")[0] for m in modules} | {m for m in modules if m.startswith("radiant.")}


def _help_pages() -> list[list[str]]:
    """``--help`` of every top-level command and every group (they import all modules)."""
    pages: list[list[str]] = []

    def walk(group: TyperGroup, path: list[str]) -> None:
        for name in group.list_commands(None):  # type: ignore[arg-type]
            command = group.get_command(None, name)  # type: ignore[arg-type]
            if isinstance(command, TyperGroup):
                pages.append([*path, name, "--help"])
                walk(command, [*path, name])
            elif not path:
                pages.append([name, "--help"])

    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    walk(root, [])
    return pages


def test_radiant_help_loads_no_command_module() -> None:
    loaded = _loaded_after(["--help"])
    assert loaded & {*HEAVY, "pydantic"} == set()
    assert sorted(m for m in loaded if m.startswith("radiant.")) == [
        "radiant.cli",
        "radiant.cli._base",
        "radiant.cli._commands",
        "radiant.errors",
    ]


def test_no_help_page_loads_a_library_a_command_runs_on() -> None:
    pages = _help_pages()
    assert len(pages) >= len(COMMANDS)
    loaded = _loaded_after(*pages)
    assert loaded & set(HEAVY) == set()
    assert {m for m in loaded if m.startswith(MODELS)} == set()


def test_the_table_names_every_command_and_the_modules_that_define_it() -> None:
    for module in pkgutil.iter_modules(radiant.cli.__path__, "radiant.cli."):
        __import__(module.name)
    defined: dict[str, set[str]] = {
        c.name or "": {c.callback.__module__} for c in app.registered_commands if c.callback
    }
    for group in app.registered_groups:
        assert group.typer_instance is not None
        defined[group.name or ""] = {
            c.callback.__module__ for c in group.typer_instance.registered_commands if c.callback
        }
    assert {
        name: {f"radiant.cli.{module}" for module in entry.modules}
        for name, entry in COMMANDS.items()
    } == defined


def test_each_line_of_the_listing_is_the_command_s_own() -> None:
    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    for name, entry in COMMANDS.items():
        command = root.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None and command.help is not None
        assert " ".join(command.help.split("\n\n")[0].split()) == entry.help, name


def test_a_group_lists_its_commands_in_one_order_whichever_module_loaded_first() -> None:
    def models_help(first: str) -> str:
        script = f"import sys\n{first}\nsys.argv = ['radiant', 'models', '--help']\n" + (
            "from radiant.cli import main\nmain()\n"
        )
        return subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
        ).stdout

    fresh = models_help("")
    assert models_help("import radiant.cli.selection, radiant.cli.registry") == fresh
    assert fresh.index("create") < fresh.index("list") < fresh.index("alternatives")


def test_a_read_command_loads_no_adapter_nor_http_client(tmp_path: Path) -> None:
    """Reading the registry (callability included) loads no wire adapter and no upstream
    HTTP client: the built-in adapters are imported when their wire is first called."""
    url = f"sqlite:///{tmp_path / 'radiant.db'}"
    migrate(url)
    engine = make_engine(url)
    sync_catalog(engine, load_catalog())
    engine.dispose()
    script = (
        "import json, sys\nfrom radiant.cli import main\n"
        f"sys.argv = ['radiant', '--database-url', {url!r}, 'models', 'list', '--json']\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    listed = json.loads(done.stdout)
    assert listed["count"] > 100
    loaded = set(json.loads(done.stderr.splitlines()[-1]))
    assert "aiohttp" not in loaded
    assert not {m for m in loaded if m.startswith("radiant.providers.")} - {
        "radiant.providers.aws_credentials",
        "radiant.providers.callability",
        "radiant.providers.capabilities",
        "radiant.providers.target",
        "radiant.providers.wires",
    }
