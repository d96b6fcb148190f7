"""YAML reading that keeps every number written with a decimal point exact (``Decimal``)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

__all__ = ["read_yaml"]


class _DecimalLoader(yaml.SafeLoader):
    """A safe loader whose floats are ``Decimal`` built from the text as written."""


def _decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    return Decimal(text)


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def read_yaml(path: Path) -> Any:
    with path.open("r", encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_DecimalLoader)
