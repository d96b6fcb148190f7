"""The worked example in docs/providers.md is real: its code blocks run as written (the
adapter, its registration, and its test against a fake upstream on 127.0.0.1)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import radiant.providers.wires as wires
from radiant.providers import adapter_factory, registered_wires

pytestmark = pytest.mark.slow
DOC = Path(__file__).parents[1] / "docs" / "providers.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.DOTALL)


def test_the_example_adapter_registers_and_passes_its_own_test() -> None:
    adapter, test = python_blocks()
    assert "acme" not in registered_wires()
    namespace: dict[str, Any] = {"__name__": "providers_md_example"}
    try:
        exec(compile(adapter, f"{DOC}:adapter", "exec"), namespace)
        factory = adapter_factory("acme")
        assert factory is namespace["AcmeAdapter"]
        exec(compile(test, f"{DOC}:test", "exec"), namespace)
        namespace["test_acme_chat"]()
    finally:
        wires._ADAPTERS.pop("acme", None)  # the process forgets the example's wire
