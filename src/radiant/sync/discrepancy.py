"""Where public catalogs (and our registry) disagree about a model's prices and limits.

Entries are paired exactly as an import would place them (:mod:`radiant.sync.import_plan`):
per route (one model on one platform), only the entries for that endpoint itself (its
model string, or another name of the same endpoint) - never a ``-latest`` pointer, a free
tier or another snapshot filed under the same model. Per source, the entry that would
price the route speaks. Prices are compared on one platform only (a host may rightly
charge more than the maker); every route known from two or more sources (the registry
counts as one) is compared field by field: each money field of the price sheets, the
long-context threshold, the context window and the maximum output.

A disagreement says each source's value (a zero is a zero), which of the sources lack the
field, the spread (highest minus lowest) and the spread as a percentage of the lowest
value (None when the lowest is zero). Prices come first, then limits; within each, the
largest spread first. A summary per field says how many disagreements it has and the
largest spread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from radiant.catalog.importers import ImportResult
from radiant.domain import MONEY_FIELDS, PriceSheet
from radiant.domain.numbers import percent_of
from radiant.errors import ValidationError
from radiant.store.repository import store_errors
from radiant.sync.import_plan import ImportPlan, RoutePlan, plan_import
from radiant.sync.import_state import RegistryState, read_state

__all__ = [
    "FIELDS",
    "REGISTRY",
    "Discrepancy",
    "DiscrepancyReport",
    "check_fields",
    "discrepancy_report",
]

#: the name of our own registry among the sources of a report
REGISTRY = "registry"
_LIMITS = ("long_context_threshold", "context_window", "max_output_tokens")
#: every field a report compares, prices first
FIELDS: tuple[str, ...] = (*MONEY_FIELDS, *_LIMITS)


@dataclass(frozen=True, slots=True)
class Discrepancy:
    model: str
    platform: str
    #: True when ``model`` is a registry model (else the model an import would create)
    in_registry: bool
    provider: str
    field: str
    values: dict[str, Decimal]
    #: sources that know the route but state nothing for the field
    missing: tuple[str, ...]
    low: Decimal
    high: Decimal
    difference: Decimal
    percent: Decimal | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "platform": self.platform,
            "in_registry": self.in_registry,
            "provider": self.provider,
            "field": self.field,
            "values": {k: _text(v) for k, v in self.values.items()},
            "missing": list(self.missing),
            "low": _text(self.low),
            "high": _text(self.high),
            "difference": _text(self.difference),
            "percent": None if self.percent is None else _text(self.percent),
        }


@dataclass
class DiscrepancyReport:
    sources: list[str]
    #: routes known from two or more sources
    models_compared: int = 0
    discrepancies: list[Discrepancy] = field(default_factory=list)

    def summary(self) -> dict[str, dict[str, Any]]:
        """Per field: how many disagreements, the largest spread, on how many models."""
        found: dict[str, dict[str, Any]] = {}
        for item in self.discrepancies:
            entry = found.setdefault(
                item.field, {"count": 0, "largest": Decimal(0), "models": set()}
            )
            entry["count"] += 1
            entry["largest"] = max(entry["largest"], item.difference)
            entry["models"].add(item.model)
        order = {name: i for i, name in enumerate(FIELDS)}
        return {
            name: {
                "count": data["count"],
                "largest_spread": _text(data["largest"]),
                "models": len(data["models"]),
            }
            for name, data in sorted(found.items(), key=lambda pair: order[pair[0]])
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "sources": self.sources,
            "models_compared": self.models_compared,
            "count": len(self.discrepancies),
            "summary": self.summary(),
            "discrepancies": [d.as_dict() for d in self.discrepancies],
        }


@dataclass
class _Facts:
    price: PriceSheet | None
    context_window: int | None
    max_output_tokens: int | None

    def values(self) -> dict[str, Decimal]:
        found: dict[str, Decimal] = {}
        if self.price is not None:
            found.update(self.price.prices())
            if self.price.long_context_threshold is not None:
                found["long_context_threshold"] = Decimal(self.price.long_context_threshold)
        for name in ("context_window", "max_output_tokens"):
            value = getattr(self, name)
            if value:
                found[name] = Decimal(value)
        return found


def check_fields(names: list[str] | None) -> list[str] | None:
    """The fields asked for, or ValidationError naming an unknown one."""
    if not names:
        return None
    unknown = [n for n in names if n not in FIELDS]
    if unknown:
        raise ValidationError(f"unknown field {unknown[0]!r}; one of: {', '.join(FIELDS)}")
    return list(dict.fromkeys(names))


def discrepancy_report(
    engine: Engine,
    results: list[ImportResult],
    *,
    registry_prices: bool = True,
    min_percent: Decimal = Decimal(0),
    fields: list[str] | None = None,
    in_registry: bool = False,
    providers: list[str] | None = None,
) -> DiscrepancyReport:
    """Compare the sources; ``registry_prices=False`` leaves our costs out (limits stay).

    ``fields``, ``in_registry`` (only models the registry has) and ``providers`` (the
    models' makers) narrow the report."""
    wanted = check_fields(fields) or list(FIELDS)
    with store_errors(), Session(engine) as session:
        state = read_state(session)
    plan = plan_import(state, results)
    report = DiscrepancyReport(sorted(r.source for r in results) + [REGISTRY])
    makers = set(providers or [])
    for route in plan.routes.values():
        known = route.model_id in state.models
        maker = _maker(plan, state, route.model_id)
        if (in_registry and not known) or (makers and maker not in makers):
            continue
        group = _group(route, state, registry_prices)
        if len(group) < 2:
            continue
        report.models_compared += 1
        report.discrepancies.extend(_compare(route, known, maker, group, wanted, min_percent))
    report.discrepancies.sort(key=_order)
    return report


def _maker(plan: ImportPlan, state: RegistryState, model_id: str) -> str:
    row = state.models.get(model_id)
    if row is not None:
        return str(row["provider_id"])
    new = plan.placement.new_models.get(model_id)
    return new.provider_id if new is not None else ""


def _group(route: RoutePlan, state: RegistryState, registry_prices: bool) -> dict[str, _Facts]:
    group: dict[str, _Facts] = {}
    for _, placed in route.ranked():  # best first: the entry that would price the route
        entry = placed.entry
        group.setdefault(
            entry.source, _Facts(entry.price, entry.context_window, entry.max_output_tokens)
        )
    if route.id in state.routes:
        model = state.models.get(route.model_id) or {}
        current = state.prices.get(route.id)
        price = current.sheet if current is not None and registry_prices else None
        group[REGISTRY] = _Facts(price, model.get("context_window"), model.get("max_output"))
    return group


def _compare(
    route: RoutePlan,
    known: bool,
    maker: str,
    group: dict[str, _Facts],
    fields: list[str],
    min_percent: Decimal,
) -> list[Discrepancy]:
    by_source = {source: facts.values() for source, facts in group.items()}
    found = []
    for name in fields:
        values = {s: v[name] for s, v in by_source.items() if name in v}
        if len(values) < 2:
            continue
        low, high = min(values.values()), max(values.values())
        if low == high:
            continue
        percent = percent_of(high - low, low)
        if percent is not None and percent < min_percent:
            continue
        missing = tuple(s for s, facts in group.items() if s not in values and _knows(facts, name))
        found.append(
            Discrepancy(
                route.model_id,
                route.platform,
                known,
                maker,
                name,
                values,
                missing,
                low,
                high,
                high - low,
                percent,
            )
        )
    return found


def _knows(facts: _Facts, name: str) -> bool:
    """The source speaks for that kind of field here (a price sheet for a price)."""
    return facts.price is not None if name in MONEY_FIELDS else True


def _order(item: Discrepancy) -> tuple[bool, Decimal, str, str, str]:
    """Prices before limits, then the largest spread first."""
    return (item.field in _LIMITS, -item.difference, item.model, item.platform, item.field)


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")
