"""Write the built-in catalog's quality scores (``catalog/data/quality.yaml``).

How the built-in values are set (``radiant-heuristic-v1``): no public benchmark covers
every model of the catalog (chat, image, video, audio, 3D, scientific, self-hosted), so
the score reads the providers' own positioning from their price lists:

1. models are grouped by task (chat, image, embedding, ...);
2. within a group, each model's reference cost is its cheapest published output price per
   1M tokens (else input price, else the unit price its sheet charges by; self-hosted
   models: the hourly rate of their instance);
3. the score is ``55 + 35 x percentile`` of that cost in the group (ties share a rank),
   then +5 for a reasoning model, +3 for a provider's latest model, -10 for a deprecated
   or legacy one, clamped to 0-100 and rounded to a whole number.

A catalog entry's own ``quality_score`` (with its ``quality_source``) always wins over
this file; administrators may set better ones. Run: ``python scripts/quality_scores.py``.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import yaml

from radiant.catalog import load_catalog
from radiant.domain import Model, Route

SOURCE = "radiant-heuristic-v1 (price band within task; see scripts/quality_scores.py)"
TARGET = Path(__file__).resolve().parents[1] / "src/radiant/catalog/data/quality.yaml"
_UNITS = ("per_image", "per_second", "per_minute", "per_video_minute", "per_3d_model")


def reference_cost(routes: list[Route]) -> Decimal | None:
    values: list[Decimal] = []
    for route in routes:
        sheet = route.price
        if sheet is None or sheet.is_estimated:
            continue
        for name in ("output_per_1m", "input_per_1m", *_UNITS, "per_request", "per_hour"):
            value = getattr(sheet, name)
            if value is not None:
                values.append(value)
                break
        if sheet.per_hour is not None:  # self-hosted: the instance size
            values[-1] = sheet.per_hour
    return min(values) if values else None


def score(model: Model, percentile: Decimal) -> int:
    value = Decimal(55) + Decimal(35) * percentile
    if "reasoning" in model.capabilities:
        value += 5
    if model.is_latest:
        value += 3
    if model.is_deprecated or model.is_legacy:
        value -= 10
    return int(max(Decimal(0), min(Decimal(100), value)).to_integral_value())


def main() -> None:
    catalog = load_catalog()
    by_model: dict[str, list[Route]] = defaultdict(list)
    for route in catalog.routes.values():
        by_model[route.model_id].append(route)
    groups: dict[str, list[tuple[Decimal, Model]]] = defaultdict(list)
    unpriced: list[Model] = []
    for model in catalog.models.values():
        cost = reference_cost(by_model[model.id])
        if cost is None:
            unpriced.append(model)
        else:
            groups[model.primary_task.value].append((cost, model))
    scores: dict[str, int] = {}
    for members in groups.values():
        costs = sorted({cost for cost, _ in members})
        top = max(len(costs) - 1, 1)
        for cost, model in members:
            scores[model.id] = score(model, Decimal(costs.index(cost)) / top)
    for model in unpriced:
        scores[model.id] = score(model, Decimal("0.5"))
    document = {"source": SOURCE, "scores": dict(sorted(scores.items()))}
    header = "# Written by scripts/quality_scores.py; see its docstring for how.\n"
    TARGET.write_text(header + yaml.safe_dump(document, sort_keys=False))
    print(f"wrote {len(scores)} scores to {TARGET}")


if __name__ == "__main__":
    main()
