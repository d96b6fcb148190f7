"""Cost of one usage on the built-in catalog, and the same gpt-4o usage in genai-prices and
LiteLLM when they are installed in the benchmark environment (``pip install -e '.[bench]'``;
never runtime dependencies of Radiant)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from benchmarks._report import Row, median_us

__all__ = ["pricing_rows"]

INPUT_TOKENS, OUTPUT_TOKENS = 1200, 350
_TARGET_US = 3.0


def _genai_prices() -> Callable[[], object] | None:
    try:
        from genai_prices import Usage as GUsage
        from genai_prices import calc_price
    except ImportError:
        return None
    usage = GUsage(input_tokens=INPUT_TOKENS, output_tokens=OUTPUT_TOKENS)
    return lambda: calc_price(usage, model_ref="gpt-4o", provider_id="openai")


#: LiteLLM needs httpx, which the project's environment must not hold (it uses httpx2), so
#: ``make bench`` installs it in a venv of its own and it is timed there, in a subprocess.
LITELLM_PYTHON = Path(os.environ.get("RADIANT_BENCH_LITELLM_PYTHON", ".venv-litellm/bin/python"))

_LITELLM_TIMING = f"""
import os, statistics, time
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
import litellm
def run():
    return litellm.cost_per_token(
        model="gpt-4o", prompt_tokens={INPUT_TOKENS}, completion_tokens={OUTPUT_TOKENS}
    )
times = []
for _ in range(15):
    start = time.perf_counter()
    for _ in range(200):
        run()
    times.append((time.perf_counter() - start) / 200)
print(statistics.median(times) * 1e6)
"""


def _litellm_us() -> float | None:
    """LiteLLM's median in microseconds, or None when its venv is not there."""
    if not LITELLM_PYTHON.exists():
        return None
    done = subprocess.run(
        [str(LITELLM_PYTHON), "-c", _LITELLM_TIMING],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
    )
    if done.returncode != 0:
        return None
    return float(done.stdout.strip().splitlines()[-1])


def pricing_rows() -> list[Row]:
    from radiant.catalog import load_catalog
    from radiant.pricing import Usage, cost

    catalog = load_catalog()
    label = f"builtin ({len(catalog.models)} models)"
    route = catalog.routes["openai-gpt-4o@direct"]
    usage = Usage(input_tokens=INPUT_TOKENS, output_tokens=OUTPUT_TOKENS)
    ours = median_us(lambda: cost(usage, route), repeats=25)
    routes = [r for r in catalog.routes.values() if r.price is not None]
    mixed = Usage(
        input_tokens=INPUT_TOKENS,
        output_tokens=OUTPUT_TOKENS,
        images=1,
        seconds=Decimal(2),
        minutes=Decimal(1),
        models_3d=1,
        search_requests=1,
    )
    every = median_us(lambda: [cost(mixed, r) for r in routes], loops=20, repeats=25) / len(routes)
    rows = [
        Row("cost(usage, route) gpt-4o, median", label, ours, "us", target=_TARGET_US),
        Row(f"cost(usage, route) mean over {len(routes)} routes", label, every, "us"),
    ]
    genai = _genai_prices()
    litellm = _litellm_us()
    for name, theirs in (
        (
            "genai_prices.calc_price gpt-4o",
            None if genai is None else median_us(genai, loops=200, repeats=15),
        ),
        ("litellm.cost_per_token gpt-4o", litellm),
    ):
        if theirs is None:
            rows.append(Row(name, "-", float("nan"), "", note="not available here"))
            continue
        rows.append(Row(f"{name}, median", "-", theirs, "us"))
        rows.append(Row(f"{name} / radiant cost", "-", theirs / ours, "x", digits=0))
    return rows
