"""The selection engine's entry point: :func:`select`, the candidates for some criteria,
best first, ranked (:mod:`radiant.selection.ranked`) or explained
(:mod:`radiant.selection.explain`: every excluded model or slot with the first check it
failed; candidates then carry reasons too)."""

from __future__ import annotations

from radiant.pricing.markup import MarkupBook
from radiant.registry import Snapshot
from radiant.selection.candidate import Candidate
from radiant.selection.criteria import SelectionCriteria
from radiant.selection.explain import explained
from radiant.selection.index import selection_index
from radiant.selection.prices import DEFAULT_BOOK
from radiant.selection.ranked import (
    Exclusion,
    Selection,
    is_simple,
    ranked_directly,
    ranked_simple,
)

__all__ = ["Candidate", "Exclusion", "Selection", "select"]


def select(
    snapshot: Snapshot,
    criteria: SelectionCriteria,
    *,
    explain: bool = False,
    markups: MarkupBook | None = None,
) -> Selection:
    """The candidates for ``criteria``, best first (at most ``criteria.limit``)."""
    index = selection_index(snapshot)
    table = index.prices(markups or DEFAULT_BOOK)
    if explain:
        return explained(index, table, criteria)
    mask = index.model_mask(criteria)
    if is_simple(criteria):
        return ranked_simple(index, table, criteria, mask)
    return ranked_directly(index, table, criteria, index.passing(criteria, mask, lead=False))
