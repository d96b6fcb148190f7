"""A route's price sheet from every source that prices it, field by field.

Per money field (the order is :mod:`radiant.sync.import_precedence`): the catalog's own
value when the sheet in force is the catalog's (provider documentation, not an estimate),
else the first entry that has one - exact model-string entries before alias entries, then
the source order of the platform. A source that lacks a field (batch prices, say) leaves
it to the next one: nothing is deleted because the most trusted entry is silent on it.

Only entries in the sheet's unit take part (a per-second price becomes per minute or per
hour for a route priced so; text-to-speech priced per 1M characters never mixes with token
prices). An entry that prices the endpoint at zero where another charges is a free tier,
not a price cut: it takes no part.

Plausibility checks flag instead of storing nonsense: a cache write below the input price,
a cache read above it, a batch price above the regular one, a long-context price below the
base one - the imported field is left out (a catalog's value is kept, and flagged).

Prices are compared as the decimals the sources wrote (read with ``parse_float=Decimal``,
stored at ten decimal places): ``9.499999999999999e-07`` per token is 0.95 per 1M, as
``9.5e-07`` is - float noise is no change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from radiant.domain import MONEY_FIELDS, CostSource, PriceSheet, PricingType
from radiant.sync.import_identity import Placed
from radiant.sync.import_plan import RoutePlan
from radiant.sync.import_state import CurrentSheet

__all__ = ["ADMIN_OWNED", "CATALOG", "MergedSheet", "merge_prices"]

ADMIN_OWNED = "price set by an administrator"
#: ``field_sources`` value of a price the catalog (provider documentation) gave
CATALOG = "catalog"

#: same money, another unit: (imported unit, route unit) -> (from field, to field, factor)
_CONVERSIONS: dict[tuple[PricingType, PricingType], tuple[str, str, int]] = {
    (PricingType.PER_SECOND, PricingType.PER_MINUTE): ("per_second", "per_minute", 60),
    (PricingType.PER_SECOND, PricingType.PER_HOUR): ("per_second", "per_hour", 3600),
}
_MAIN = ("input_per_1m", "output_per_1m", "per_request", "per_image", "per_second")
#: (field, bound, the field must be >= the bound)
_CHECKS: tuple[tuple[str, str, bool, str], ...] = (
    ("cache_write_per_1m", "input_per_1m", True, "cache write below the input price"),
    ("cached_input_per_1m", "input_per_1m", False, "cache read above the input price"),
    ("batch_input_per_1m", "input_per_1m", False, "batch input above the input price"),
    ("batch_output_per_1m", "output_per_1m", False, "batch output above the output price"),
    ("long_context_input_per_1m", "input_per_1m", True, "long-context input below the input"),
    ("long_context_output_per_1m", "output_per_1m", True, "long-context output below the output"),
)


@dataclass
class MergedSheet:
    #: the sheet to open, or None (nothing to write, see ``reason``)
    sheet: PriceSheet | None = None
    field_sources: dict[str, str] = field(default_factory=dict)
    #: plausibility problems and left-out entries, for the report
    flags: list[dict[str, Any]] = field(default_factory=list)
    #: why the route gets no imported price
    reason: str | None = None
    #: the entry that gave the most fields (names the sheet's recorder)
    lead: Placed | None = None

    @property
    def imported(self) -> bool:
        return any(v != CATALOG for v in self.field_sources.values())


def _documented(current: CurrentSheet | None) -> bool:
    """The sheet in force holds the catalog's own prices (some of them, at least)."""
    if current is None or current.sheet.is_estimated:
        return False
    if current.field_sources is not None:
        return CATALOG in current.field_sources.values()
    return current.sheet.source is not CostSource.IMPORTED_CATALOG


def _catalog_fields(current: CurrentSheet | None) -> dict[str, Decimal]:
    if current is None or not _documented(current):
        return {}
    prices = current.sheet.prices()
    if current.field_sources is None:
        return prices
    return {k: v for k, v in prices.items() if current.field_sources.get(k) == CATALOG}


def _unit(sheet: PriceSheet, entry_unit: str) -> tuple[PricingType, str]:
    return sheet.pricing_type, entry_unit


def _converted(
    sheet: PriceSheet, kind: PricingType
) -> tuple[dict[str, Decimal], int | None] | None:
    """The entry's prices in the route's unit, with its long-context threshold."""
    if sheet.pricing_type is kind:
        return sheet.prices(), sheet.long_context_threshold
    conversion = _CONVERSIONS.get((sheet.pricing_type, kind))
    if conversion is None:
        return None
    src, dst, factor = conversion
    value = sheet.prices().get(src)
    return ({dst: value * factor} if value is not None else {}), None


def _key(placed: Placed) -> str:
    return f"{placed.entry.source}:{placed.entry.source_key}"


def merge_prices(
    route: RoutePlan,
    current: CurrentSheet | None,
    *,
    admin_owned: bool,
    speech: bool,
    now: datetime,
) -> MergedSheet:
    """The sheet ``route`` should have; ``speech``: its model is text-to-speech (priced
    per 1M characters)."""
    result = MergedSheet()
    if admin_owned or (
        current is not None and current.sheet.source is CostSource.ADMIN_MANUAL_ENTRY
    ):
        result.reason = ADMIN_OWNED
        return result
    candidates = [(r, p) for r, p in route.ranked() if p.entry.price is not None]
    catalog = _catalog_fields(current)
    if current is not None and _documented(current):
        kind = current.sheet.pricing_type
        unit = "character" if speech and kind is PricingType.PER_TOKEN else "token"
    elif candidates:
        top = candidates[0][1].entry
        assert top.price is not None
        kind, unit = _unit(top.price, top.price_unit)
    else:
        result.reason = "no price"
        return result
    usable = _usable(candidates, kind, unit, result)
    values: dict[str, Decimal] = dict(catalog)
    sources: dict[str, str] = dict.fromkeys(catalog, CATALOG)
    thresholds: dict[str, int | None] = {}
    if current is not None and catalog:
        thresholds[CATALOG] = current.sheet.long_context_threshold
    contributed: dict[str, int] = {}
    for placed, prices, threshold in usable:
        for name in MONEY_FIELDS:
            value = prices.get(name)
            if value is None or name in values:
                continue
            values[name] = value
            sources[name] = _key(placed)
            contributed[_key(placed)] = contributed.get(_key(placed), 0) + 1
            thresholds.setdefault(_key(placed), threshold)
    _keep(current, kind, values, sources, thresholds)
    leads = [p for p, _, _ in usable if _key(p) in contributed]
    if leads:
        result.lead = max(leads, key=lambda p: contributed[_key(p)])
    _check(values, sources, result)
    if not any(v != CATALOG for v in sources.values() if v):
        result.reason = "the catalog prices every field" if catalog else "no price"
        return result
    threshold = _threshold(values, sources, thresholds)
    notes = _notes(sources, unit)
    try:
        result.sheet = PriceSheet(
            pricing_type=kind,
            long_context_threshold=threshold,
            source=CostSource.IMPORTED_CATALOG,
            is_estimated=False,
            last_verified_at=now,
            notes=notes,
            **{k: v for k, v in values.items() if k in sources},
        )
    except ValueError as exc:
        result.reason = f"no valid sheet: {str(exc).splitlines()[0]}"
        return result
    result.field_sources = {k: sources[k] for k in sorted(sources)}
    return result


def _usable(
    candidates: list[tuple[int, Placed]],
    kind: PricingType,
    unit: str,
    result: MergedSheet,
) -> list[tuple[Placed, dict[str, Decimal], int | None]]:
    found: list[tuple[Placed, dict[str, Decimal], int | None]] = []
    for _, placed in candidates:
        sheet = placed.entry.price
        assert sheet is not None
        converted = _converted(sheet, kind) if placed.entry.price_unit == unit else None
        if converted is None:
            result.flags.append(
                {
                    "entry": _key(placed),
                    "issue": f"priced {sheet.pricing_type.value} per "
                    f"{placed.entry.price_unit}, the route {kind.value} per {unit}",
                }
            )
            continue
        found.append((placed, converted[0], converted[1]))
    charging = [f for f in found if any((f[1].get(n) or 0) > 0 for n in _MAIN)]
    if charging:
        paying = {id(f[0]) for f in charging}
        kept = []
        for item in found:
            placed, prices, _ = item
            if id(placed) not in paying and any(prices.get(n) == 0 for n in _MAIN):
                result.flags.append({"entry": _key(placed), "issue": "free where others charge"})
            else:
                kept.append(item)
        found = kept
    return found


def _keep(
    current: CurrentSheet | None,
    kind: PricingType,
    values: dict[str, Decimal],
    sources: dict[str, str],
    thresholds: dict[str, int | None],
) -> None:
    """An imported price no source of this run gives stays (a source that lacks batch
    prices does not delete them); an estimate's guesses never do."""
    if current is None or current.sheet.is_estimated or current.sheet.pricing_type is not kind:
        return
    if current.field_sources is None and current.sheet.source is not CostSource.IMPORTED_CATALOG:
        return
    for name, value in current.sheet.prices().items():
        if name in values:
            continue
        origin = (current.field_sources or {}).get(name, "imported earlier")
        if origin == CATALOG:
            continue
        values[name] = value
        sources[name] = origin
        thresholds.setdefault(origin, current.sheet.long_context_threshold)


def _check(values: dict[str, Decimal], sources: dict[str, str], result: MergedSheet) -> None:
    for name, bound, at_least, issue in _CHECKS:
        value, limit = values.get(name), values.get(bound)
        if value is None or limit is None:
            continue
        if (value < limit) if at_least else (value > limit):
            result.flags.append(
                {
                    "field": name,
                    "value": _text(value),
                    bound: _text(limit),
                    "issue": issue,
                    "entry": sources.get(name),
                }
            )
            if sources.get(name) != CATALOG:
                del values[name]
                sources.pop(name, None)


def _threshold(
    values: dict[str, Decimal], sources: dict[str, str], thresholds: dict[str, int | None]
) -> int | None:
    for name in ("long_context_input_per_1m", "long_context_output_per_1m"):
        if name in values:
            found = thresholds.get(sources[name])
            if found is not None:
                return found
            values.pop(name)
            sources.pop(name, None)
    return None


def _notes(sources: dict[str, str], unit: str) -> str:
    entries = sorted({v for v in sources.values() if v != CATALOG})
    text = "imported from " + ", ".join(entries)
    if CATALOG in sources.values():
        text = "the catalog's prices; " + text
    if unit == "character":
        text += "; input and output priced per 1M characters"
    return text[:2000]


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")
