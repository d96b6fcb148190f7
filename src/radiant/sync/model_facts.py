"""Model facts a pricing sync may fill: what the catalog (provider documentation) left
empty, never what it or an administrator set.

Precedence: an administrator's value > the built-in or configured catalog (provider
documentation) > an imported public catalog. So an import only fills a model's
``context_window``, ``max_output`` or ``deprecation_date`` when the registry has none,
records where the value came from in ``imported_fields``, and a later catalog sync keeps
it until the catalog has a value of its own. Only entries of the maker's own API
(platform ``direct``) speak for a model: a cloud's retirement date or an aggregator's
limit is theirs. Entries matched exactly (route model string,
id or alias) speak first, then the sources in the order given; a value that would break
the model's rules (maximum output over twice the context window) is left out.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from radiant.catalog.importers import ImportedEntry
from radiant.store.tables import ModelRow

__all__ = ["FILLABLE", "fill_model_facts"]

#: model column -> the imported entry's attribute
FILLABLE = {
    "context_window": "context_window",
    "max_output": "max_output_tokens",
    "deprecation_date": "deprecation_date",
}


def fill_model_facts(
    session: Session, facts: dict[str, list[ImportedEntry]]
) -> list[dict[str, Any]]:
    """Fill the missing facts of the models in ``facts`` (entries best first); the changes."""
    if not facts:
        return []
    changes = []
    rows = session.execute(select(ModelRow).where(ModelRow.id.in_(sorted(facts)))).scalars()
    for row in rows:
        filled = _fill(row, facts[row.id])
        if filled:
            row.row_version = (row.row_version or 0) + 1
            changes.append({"model": row.id, "fields": filled})
    return changes


def _fill(row: ModelRow, items: list[ImportedEntry]) -> dict[str, Any]:
    owned = set(row.admin_fields or [])
    imported = dict(row.imported_fields or {})
    filled: dict[str, Any] = {}
    for column, attr in FILLABLE.items():
        if column in owned or getattr(row, column) is not None:
            continue
        for item in items:
            if column == "max_output" and item.mode == "embedding":
                continue  # an embedding's "output" is its vector, not tokens
            value = getattr(item, attr)
            if value is not None and _fits(row, column, value):
                setattr(row, column, value)
                imported[column] = f"{item.source}:{item.source_key}"
                filled[column] = value.isoformat() if isinstance(value, date) else value
                break
    if filled:
        row.imported_fields = imported
    return filled


def _fits(row: ModelRow, column: str, value: Any) -> bool:
    window = value if column == "context_window" else row.context_window
    output = value if column == "max_output" else row.max_output
    return not (window and output and output > 2 * window)
