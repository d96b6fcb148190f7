"""Selection with a fallback: a ready choice now, and a cold endpoint warmed for later.

1. The best candidate does not need a warm-up: it is the choice (``primary``).
2. It does (self-hosted and COLD or OFF): the best external candidate for the same
   criteria — external routes are always ready — is the choice, and the self-hosted one
   is to be warmed (``ready_alternative``). When the criteria ask for self-hosted models
   only there is no external alternative by definition: the cold primary is returned
   and still warmed (``primary_needs_warmup``), as when no external candidate fits.
3. No candidate at all: the default model for the task (``task_default``),
   whatever the criteria; a clear NotFoundError when that model is not in the registry
   either, or has no active route this process can call (``include_uncallable``: any
   active route).

Pure: the warm-up itself is the caller's (see :class:`radiant.selection.service.Selector`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from radiant.domain import Task
from radiant.errors import NotFoundError
from radiant.pricing.markup import MarkupBook
from radiant.registry import Snapshot
from radiant.selection.candidate import MISSING_PRICE, Candidate, make_candidate
from radiant.selection.criteria import HostingPreference, SelectionCriteria
from radiant.selection.engine import Selection, select
from radiant.selection.index import selection_index
from radiant.selection.prices import DEFAULT_BOOK

__all__ = ["TASK_DEFAULTS", "FallbackChoice", "FallbackPath", "select_with_fallback"]

#: The model used when nothing fits.
TASK_DEFAULTS: dict[Task, str] = {
    Task.CHAT: "gpt-4o-mini",
    Task.COMPLETION: "gpt-4o-mini",
    Task.EMBEDDING: "text-embedding-3-small",
    Task.IMAGE: "dall-e-3",
    Task.VIDEO: "runway-gen3-alpha-turbo",
    Task.AUDIO: "tts-1",
    Task.TRANSCRIPTION: "whisper-1",
    Task.SEARCH: "perplexity-sonar",
    Task.THREE_D: "meshy-v3",
    Task.INFERENCE: "gpt-4o",
}
_FALLBACK_DEFAULT = "gpt-4o-mini"


class FallbackPath(StrEnum):
    PRIMARY = "primary"
    READY_ALTERNATIVE = "ready_alternative"
    PRIMARY_NEEDS_WARMUP = "primary_needs_warmup"
    TASK_DEFAULT = "task_default"


@dataclass(frozen=True, slots=True)
class FallbackChoice:
    choice: Candidate
    path: FallbackPath
    #: the self-hosted candidate to warm up (None when nothing needs warming)
    warm: Candidate | None
    #: the selection the choice was made from (empty for ``task_default``)
    selection: Selection


def select_with_fallback(
    snapshot: Snapshot,
    criteria: SelectionCriteria,
    *,
    explain: bool = False,
    markups: MarkupBook | None = None,
) -> FallbackChoice:
    selection = select(snapshot, criteria, explain=explain, markups=markups)
    primary = selection.best
    if primary is None:
        return FallbackChoice(
            _task_default(snapshot, criteria, markups), FallbackPath.TASK_DEFAULT, None, selection
        )
    if not primary.warmup_required:
        return FallbackChoice(primary, FallbackPath.PRIMARY, None, selection)
    if criteria.hosting is not HostingPreference.SELF_HOSTED:
        external = criteria.model_copy(update={"hosting": HostingPreference.EXTERNAL, "limit": 1})
        alternative = select(snapshot, external, explain=explain, markups=markups).best
        if alternative is not None:
            return FallbackChoice(alternative, FallbackPath.READY_ALTERNATIVE, primary, selection)
    return FallbackChoice(primary, FallbackPath.PRIMARY_NEEDS_WARMUP, primary, selection)


def _task_default(
    snapshot: Snapshot, criteria: SelectionCriteria, markups: MarkupBook | None
) -> Candidate:
    name = TASK_DEFAULTS.get(criteria.task, _FALLBACK_DEFAULT)
    entry = snapshot.find(name)
    if entry is None:
        raise NotFoundError(
            "model",
            name,
            f"no model fits the criteria, and the default model for task "
            f"{criteria.task.value!r}, {name!r}, is not in the registry",
        )
    index = selection_index(snapshot)
    table = index.prices(markups or DEFAULT_BOOK)
    pos = snapshot.entries.index(entry)
    for slot in index.by_pos[pos]:
        route = slot.lead(criteria.include_uncallable)
        if route is not None:
            price = table.get(route)
            key = (
                MISSING_PRICE
                if price is None
                else price.key(criteria.estimated_input_tokens, criteria.estimated_output_tokens)
            )
            return make_candidate(
                slot, route, key, 0, table, (f"default model for {criteria.task.value}",)
            )
    usable = "an active route" if criteria.include_uncallable else "an active route to call"
    raise NotFoundError(
        "route",
        name,
        f"no model fits the criteria, and the default model for task "
        f"{criteria.task.value!r}, {name!r}, has no {usable}",
    )
