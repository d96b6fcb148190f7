"""docs/ is true: its commands run, the modules it names exist, its variables are settings.

Every ``radiant ...`` line of a ```sh block in ``docs/*.md`` runs in process
(:func:`cli_in_process.run_radiant`) on one throwaway SQLite registry, in the order the
documents give, and exits 0. ``radiant admin create`` prints the token the later
administrative commands use (the docs say to set ``RADIANT_TOKEN`` to it).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
from pathlib import Path

import pytest

from cli_in_process import run_radiant
from radiant.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs").glob("*.md"))

#: Commands of the docs that are not run here, with the reason.
NOT_RUN: dict[str, str] = {}

#: ``RADIANT_*`` names that are no setting but are read elsewhere.
NOT_SETTINGS = {
    "RADIANT_TOKEN": "the CLI's --token option (radiant.cli._base)",
    "RADIANT_PROVIDERS_OPENAI": "an example of a secret reference's variable",
}


def _text(doc: Path) -> str:
    return doc.read_text()


def _commands() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        for block in re.findall(r"```sh\n(.*?)```", _text(doc), flags=re.S):
            for line in block.splitlines():
                command = line.split(" #")[0].strip()
                if command.startswith("radiant "):
                    found.append((doc.name, command))
    return found


def test_every_command_of_the_docs_runs(tmp_path: Path) -> None:
    commands = _commands()
    assert len(commands) >= 40
    env = {k: v for k, v in os.environ.items() if k != "RADIANT_TOKEN"}
    env["RADIANT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'docs.db'}"
    for doc, command in commands:
        if command in NOT_RUN:
            continue
        result = run_radiant(shlex.split(command)[1:], env=env, cwd=ROOT)
        assert result.returncode == 0, (doc, command, result.stderr)
        if command.startswith("radiant admin create ") and "RADIANT_TOKEN" not in env:
            token = re.search(r"^token: (\S+)$", result.stdout, re.MULTILINE)
            assert token, result.stdout
            env["RADIANT_TOKEN"] = token.group(1)


def test_not_run_lists_only_commands_of_the_docs() -> None:
    assert set(NOT_RUN) <= {command for _, command in _commands()}


def test_every_module_the_docs_name_exists() -> None:
    named = 0
    for doc in DOCS:
        text = _text(doc)
        for path in re.findall(r"`((?:src|tests)/[\w/.\-]+)`", text):
            named += 1
            assert (ROOT / path).exists(), (doc.name, path)
        for dotted in re.findall(r"`(radiant(?:\.\w+)+)", text):
            named += 1
            assert _importable(dotted), (doc.name, dotted)
    assert named >= 30


def _importable(dotted: str) -> bool:
    """A module, or a name a module defines (``radiant.settings.get_settings``)."""
    parts = dotted.split(".")
    obj: object = importlib.import_module(parts[0])
    for depth in range(1, len(parts)):
        name = parts[depth]
        if hasattr(obj, name):
            obj = getattr(obj, name)
            continue
        module = ".".join(parts[: depth + 1])
        if not hasattr(obj, "__path__") or importlib.util.find_spec(module) is None:
            return False
        obj = importlib.import_module(module)
    return True


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_variable_the_docs_name_is_a_setting(doc: Path) -> None:
    settings = {f"RADIANT_{name.upper()}" for name in Settings.model_fields}
    for name in set(re.findall(r"\bRADIANT_[A-Z0-9_]+", _text(doc))):
        if name.endswith("_"):  # a family: RADIANT_SCHEDULE_*
            assert any(s.startswith(name) for s in settings), (doc.name, name)
        else:
            assert name in settings or name in NOT_SETTINGS, (doc.name, name)
