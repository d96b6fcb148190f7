"""JSON on the gateway's hot path: orjson when it is installed (several times faster on
the bodies a gateway moves), the standard library otherwise. Same results either way for
the JSON the endpoints see (orjson refuses NaN and Infinity, which JSON does not have)."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from typing import Any

__all__ = ["dumps", "loads"]


def _std_dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _std_loads(raw: bytes) -> Any:
    return json.loads(raw)


def _pick() -> tuple[Callable[[Any], bytes], Callable[[bytes], Any]]:
    try:
        fast = importlib.import_module("orjson")
    except ImportError:
        return _std_dumps, _std_loads
    return fast.dumps, fast.loads


dumps, loads = _pick()
