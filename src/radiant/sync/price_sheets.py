"""The temporal step every sync takes when a route's price changes: close the sheet in
force, open the new one. Shared by the catalog sync and the pricing sync."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from radiant.domain import CostSource, PriceSheet
from radiant.store.mapping import price_columns
from radiant.store.tables import PriceHistoryRow

__all__ = ["catalog_keeps_import", "open_sheet"]


def open_sheet(
    route_id: str,
    sheet: PriceSheet,
    current: PriceHistoryRow | None,
    now: datetime,
    recorded_by: str,
) -> dict[str, Any]:
    """Close ``current`` (when there is one) and return the ``price_history`` columns of
    the row that opens ``sheet`` for ``route_id``.

    The new sheet starts at its own ``effective_from`` (or ``now``); never before ``now``
    when it replaces one, so history never overlaps.
    """
    start: datetime = sheet.effective_from or now
    if current is not None:
        start = max(start, now)
        current.effective_to = start
    columns = price_columns(sheet)
    columns.update(effective_from=start, effective_to=None)
    return {"route_id": route_id, "recorded_by": recorded_by[:100], **columns}


def catalog_keeps_import(current: PriceHistoryRow, sheet: PriceSheet) -> bool:
    """True when the price in force came from an imported catalog after the catalog's own
    sheet took effect: the newer information stands (a catalog sheet dated later wins)."""
    if current.source != CostSource.IMPORTED_CATALOG.value:
        return False
    return sheet.effective_from is None or sheet.effective_from <= current.effective_from
