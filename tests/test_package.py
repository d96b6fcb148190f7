"""The package surface: exports, typing marker, and a cheap ``import radiant``."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources

import radiant


def test_all_is_complete_and_resolvable() -> None:
    public = {name for name in dir(radiant) if not name.startswith("_")} | {"__version__"}
    assert set(radiant.__all__) == public
    for name in radiant.__all__:
        assert getattr(radiant, name) is not None


def test_typed_marker_shipped() -> None:
    assert resources.files("radiant").joinpath("py.typed").is_file()


def test_import_is_lazy() -> None:
    code = (
        "import json, sys; import radiant; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'pydantic', 'fastapi', 'yaml', 'alembic', 'radiant'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    assert loaded == ["radiant"]


def test_lazy_names_load_on_use() -> None:
    assert radiant.load_catalog().name == "radiant-builtin"
    assert issubclass(radiant.ModelNotFoundError, radiant.RadiantError)
