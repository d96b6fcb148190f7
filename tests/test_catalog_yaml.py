"""Catalog YAML: libyaml's parser reads every built-in file exactly as the pure-Python
parser does, prices as the Decimals written."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml

from radiant.catalog import builtin_catalog_dir
from radiant.catalog.yaml_io import read_yaml


def test_the_fast_parser_reads_every_builtin_file_as_the_pure_python_one() -> None:
    assert getattr(yaml, "__with_libyaml__", False)  # the wheel carries libyaml here
    files = sorted(Path(builtin_catalog_dir()).rglob("*.yaml"))
    assert len(files) > 20
    for path in files:
        assert read_yaml(path) == read_yaml(path, pure_python=True), path


def test_numbers_with_a_point_are_exact_decimals(tmp_path: Path) -> None:
    path = tmp_path / "prices.yaml"
    path.write_text("input: 0.0043\nbatch: 1_000.5\ncount: 3\nname: '1.5'\n")
    for pure in (False, True):
        data = read_yaml(path, pure_python=pure)
        assert data == {"input": Decimal("0.0043"), "batch": Decimal("1000.5"), "count": 3,
                        "name": "1.5"}  # fmt: skip
        assert isinstance(data["input"], Decimal) and isinstance(data["count"], int)
