"""YAML reading that keeps every number written with a decimal point exact (``Decimal``).

It parses with libyaml (PyYAML's C parser) where PyYAML was built with it, ten times
faster on the built-in catalog than the pure-Python parser, which is the fallback."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

__all__ = ["read_yaml"]

#: libyaml's parser with PyYAML's safe constructor, or the pure-Python safe loader
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _DecimalLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    """A safe loader whose floats are ``Decimal`` built from the text as written."""


class _PurePythonDecimalLoader(yaml.SafeLoader):
    """The same, on the pure-Python parser (what a PyYAML without libyaml uses)."""


def _decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    return Decimal(text)


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)
_PurePythonDecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def read_yaml(path: Path, *, pure_python: bool = False) -> Any:
    loader = _PurePythonDecimalLoader if pure_python else _DecimalLoader
    with path.open("r", encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)  # noqa: S506 - both loaders are SafeLoaders
