"""The temporal step every sync takes when a route's price changes: close the sheet in
force, open the new one. Shared by the catalog sync and the pricing sync."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from radiant.domain import CostSource, PriceSheet
from radiant.store.mapping import price_columns, row_to_price
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
    """True when the catalog's ``sheet`` would change nothing of the imported sheet in force.

    A sheet a pricing sync merged names each price's origin (``field_sources``): it holds
    the catalog's prices already when every price it marks ``catalog`` is the catalog's
    (the rest the catalog left empty, filled by imports). A real imported price beats a
    catalog estimate. A whole imported sheet of an earlier version stands until the catalog
    dates a sheet later.
    """
    if current.source != CostSource.IMPORTED_CATALOG.value:
        return False
    if sheet.is_estimated and not current.is_estimated:
        return True
    sources = current.field_sources
    if sources is None:
        return sheet.effective_from is None or sheet.effective_from <= current.effective_from
    mine = sheet.prices()
    theirs = row_to_price(current)
    catalog = {name for name, origin in sources.items() if origin == "catalog"}
    return (
        theirs.pricing_type is sheet.pricing_type
        and set(mine) <= set(theirs.prices())
        and catalog == set(mine)
        and all(theirs.prices()[name] == value for name, value in mine.items())
    )
