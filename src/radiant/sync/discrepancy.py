"""Where public catalogs (and our registry) disagree about a model's prices and limits.

Entries are grouped by model and platform: the registry model an entry matches (see
:mod:`radiant.sync.price_matching`), or else the entry's own model name, lower-cased.
Prices are compared on one platform only (a host may rightly charge more than the maker);
every group known from two or more sources is compared field by field: each money field of
the price sheets, the long-context threshold, the context window and the maximum output.

A disagreement says each source's value, the spread (highest minus lowest) and the spread
as a percentage of the lowest value (None when the lowest is zero). The report lists the
largest percentages first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from radiant.catalog.importers import ImportedEntry, ImportResult
from radiant.domain import MONEY_FIELDS, PriceSheet
from radiant.sync.price_matching import Matcher

if TYPE_CHECKING:
    from radiant.registry import Snapshot

__all__ = ["REGISTRY", "Discrepancy", "DiscrepancyReport", "discrepancy_report"]

#: the name of our own registry among the sources of a report
REGISTRY = "registry"
_LIMITS = ("long_context_threshold", "context_window", "max_output_tokens")
_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Discrepancy:
    model: str
    platform: str
    #: True when ``model`` is a registry model id (else the name the sources use)
    in_registry: bool
    field: str
    values: dict[str, Decimal]
    low: Decimal
    high: Decimal
    difference: Decimal
    percent: Decimal | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "platform": self.platform,
            "in_registry": self.in_registry,
            "field": self.field,
            "values": {k: _text(v) for k, v in self.values.items()},
            "low": _text(self.low),
            "high": _text(self.high),
            "difference": _text(self.difference),
            "percent": None if self.percent is None else _text(self.percent),
        }


@dataclass
class DiscrepancyReport:
    sources: list[str]
    #: (model, platform) groups known from two or more sources
    models_compared: int = 0
    discrepancies: list[Discrepancy] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sources": self.sources,
            "models_compared": self.models_compared,
            "count": len(self.discrepancies),
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


_Group = dict[str, _Facts]  # source -> facts


def discrepancy_report(
    snapshot: Snapshot,
    results: list[ImportResult],
    *,
    registry_prices: bool = True,
    min_percent: Decimal = Decimal(0),
) -> DiscrepancyReport:
    """Compare the sources; ``registry_prices=False`` leaves our costs out (limits stay)."""
    matcher = Matcher(snapshot)
    groups: dict[tuple[str, str, bool], _Group] = {}
    for result in results:
        for item in result.imported:
            key = _key(matcher, item)
            groups.setdefault(key, {}).setdefault(result.source, _entry_facts(item))
    for entry in snapshot.entries:
        model = entry.model
        for route in entry.routes:
            key = (entry.id, route.platform_id, True)
            if key in groups:
                groups[key][REGISTRY] = _Facts(
                    route.price if registry_prices else None,
                    model.context_window,
                    model.max_output_tokens,
                )
    report = DiscrepancyReport([r.source for r in results] + [REGISTRY])
    for (model_key, platform, known), group in groups.items():
        if len(group) < 2:
            continue
        report.models_compared += 1
        report.discrepancies.extend(_compare(model_key, platform, known, group, min_percent))
    report.discrepancies.sort(key=_order)
    return report


def _key(matcher: Matcher, item: ImportedEntry) -> tuple[str, str, bool]:
    match = matcher.match(item)
    if match.model_id is not None:
        return (match.model_id, item.platform, True)
    return (item.model_name.casefold(), item.platform, False)


def _entry_facts(item: ImportedEntry) -> _Facts:
    return _Facts(item.price, item.context_window, item.max_output_tokens)


def _compare(
    model: str, platform: str, known: bool, group: _Group, min_percent: Decimal
) -> list[Discrepancy]:
    by_source = {source: facts.values() for source, facts in group.items()}
    found = []
    for name in (*MONEY_FIELDS, *_LIMITS):
        values = {s: v[name] for s, v in by_source.items() if name in v}
        if len(values) < 2:
            continue
        low, high = min(values.values()), max(values.values())
        if low == high:
            continue
        percent = None if low == 0 else _round((high - low) * _HUNDRED / low)
        if percent is not None and percent < min_percent:
            continue
        found.append(
            Discrepancy(model, platform, known, name, values, low, high, high - low, percent)
        )
    return found


def _order(item: Discrepancy) -> tuple[int, Decimal, Decimal, str, str, str]:
    """Largest percentage first (a spread over zero counts as the largest), then spread."""
    percent = item.percent if item.percent is not None else Decimal(0)
    return (
        0 if item.percent is None else 1,
        -percent,
        -item.difference,
        item.model,
        item.platform,
        item.field,
    )


def _round(percent: Decimal) -> Decimal:
    """Two decimals; four below 1 % (so that a one-token difference does not read 0 %)."""
    return percent.quantize(Decimal("0.01") if percent >= 1 else Decimal("0.0001"))


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")
