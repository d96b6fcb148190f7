"""Selection with reasons: every excluded model or slot with the first check it failed.

Model checks, in order (the first failed one is the reason a model is excluded):
``unavailable`` (disabled or inactive), ``deprecated``, ``task``, ``input_modality``,
``output_modality``, ``capability`` (a required one missing), ``excluded_capability``,
``context_window``, ``no_route`` (no route on a known platform). Then for each way the
model is served (external, self-hosted): ``hosting``, ``tier``, ``health``,
``compliance``, ``latency``, then its routes: ``route_status``, ``callable`` (no adapter
for the route's wire, or no credential in this process: skipped with
``include_uncallable``), ``region``, ``estimated``, ``price`` (the first route's failure is
reported when none fits).

Each check is one bitset operation over all models (the index's masks), so only the
models failing it are looked at, to word their reason; exclusions come grouped by check,
in the order above (within a check, by reason), each group in model order. The
candidates are those of the fast path (:func:`radiant.selection.engine.select`), with
reasons.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from functools import partial
from itertools import compress, repeat
from operator import itemgetter
from typing import Any, cast

from radiant.domain import HostingType
from radiant.registry import ModelEntry
from radiant.registry.bitset import flags
from radiant.selection.candidate import Candidate, make_candidate
from radiant.selection.criteria import HostingPreference, SelectionCriteria
from radiant.selection.index import HOSTINGS, SelectionIndex, Slot
from radiant.selection.prices import PriceTable
from radiant.selection.ranked import (
    Exclusion,
    Selection,
    is_simple,
    lead_failure,
    preference,
    rank_all,
    ranked_simple,
)

__all__ = ["describe", "explained", "model_failure"]


def model_failure(entry: ModelEntry, criteria: SelectionCriteria) -> tuple[str, str] | None:
    """The first model-level check ``entry`` fails, as (code, reason), or None."""
    model = entry.model
    if not model.enabled or model.status.value == "inactive":
        return "unavailable", "model is disabled" if not model.enabled else "model is inactive"
    if model.imported and criteria.exclude_imported:
        return "imported", "model was imported from a public catalog"
    if model.is_deprecated and not criteria.allow_deprecated:
        return "deprecated", _deprecated(entry)
    if entry.task is not criteria.task:
        return "task", f"task is {entry.task.value}, {criteria.task.value} requested"
    for code, wanted, have in (
        ("input_modality", criteria.input_modalities, model.input_modalities),
        ("output_modality", criteria.output_modalities, model.output_modalities),
        ("capability", criteria.required_capabilities, model.capabilities),
    ):
        missing = _missing(wanted, have)
        if missing:
            return code, f"lacks {code.replace('_', ' ')} {', '.join(missing)}"
    unwanted = _unwanted(criteria, entry)
    if unwanted:
        return "excluded_capability", f"has excluded capability {', '.join(unwanted)}"
    need = criteria.min_context_window
    if need is not None and (model.context_window is None or model.context_window < need):
        return "context_window", _too_small(entry, need)
    return None


def _deprecated(entry: ModelEntry) -> str:
    return _deprecated_reason(entry.model.successor_id)


def _deprecated_reason(successor: str | None) -> str:
    return f"model is deprecated{f'; successor {successor}' if successor else ''}"


def _missing(wanted: list[str], have: list[str]) -> list[str]:
    folded = {h.casefold() for h in have}
    return [w for w in wanted if w.casefold() not in folded]


def _unwanted(criteria: SelectionCriteria, entry: ModelEntry) -> list[str]:
    caps = {c.casefold() for c in entry.model.capabilities}
    return [c for c in criteria.excluded_capabilities if c.casefold() in caps]


def _too_small(entry: ModelEntry, need: int) -> str:
    return _smaller(entry.model.context_window, need)


def _smaller(window: int | None, need: int) -> str:
    size = "unknown" if window is None else f"{window:,}"
    return f"context window {size} < {need:,}"


# ---------------------------------------------------------------------- the checks

Why = Callable[[ModelEntry], str]


class _Exclusions:
    """Collects the exclusions of one explained selection, worded once per distinct key.

    Explaining 10,000 models makes thousands of exclusions: the ids, route ids and reasons
    of the failed positions are picked from the index's columns with
    :func:`itertools.compress` and zipped into tuples in C, with no Python step per
    exclusion where the reason depends on a column value alone.
    """

    def __init__(self, index: SelectionIndex) -> None:
        self.index = index
        self.entries = index.snapshot.entries
        self.columns = index.columns()
        self.found: list[Exclusion] = []

    def _add(
        self,
        chosen: bytes,
        hosting: HostingType | None,
        codes: Iterable[str],
        reasons: Iterable[str],
    ) -> None:
        """Exclusions of the positions ``chosen`` marks (see :func:`flags`), in order."""
        ids = compress(self.columns.ids, chosen)
        routes = (
            repeat(None) if hosting is None else compress(self.columns.first_ids[hosting], chosen)
        )
        # codes and reasons may be endless repeat()s: the ids end the zip
        self.found += map(_exclusion, zip(ids, routes, codes, reasons, strict=False))

    def same(self, failed: int, code: str, reason: str, hosting: HostingType | None = None) -> None:
        """Every position of ``failed`` for the same reason."""
        if failed:
            self._add(flags(failed), hosting, repeat(code), repeat(reason))

    def keyed(
        self,
        failed: int,
        code: str,
        keys: Sequence[Hashable],
        word: Callable[[Any], str],
        hosting: HostingType | None = None,
    ) -> None:
        """The reason of a position depends on ``keys[pos]`` only: worded once per key."""
        if not failed:
            return
        chosen = flags(failed)
        picked = list(compress(keys, chosen))
        said = {key: word(key) for key in dict.fromkeys(picked)}
        self._add(chosen, hosting, repeat(code), map(said.__getitem__, picked))

    def models(self, failed: int, code: str, why: Why) -> None:
        if failed:
            chosen = flags(failed)
            self._add(chosen, None, repeat(code), map(why, compress(self.entries, chosen)))

    def slots(
        self,
        hosting: HostingType,
        failed: int,
        failure: Callable[[Slot], tuple[str, str]],
    ) -> None:
        """Slots of ``hosting`` at the positions of ``failed``, each with its own check
        and reason."""
        if failed:
            chosen = flags(failed)
            slots = map(_slot, compress(self.index.slot_at[hosting], chosen))
            found = list(map(failure, slots))
            self._add(chosen, hosting, map(_code, found), map(_reason, found))

    def leads(
        self, hosting: HostingType, failed: int, criteria: SelectionCriteria, table: PriceTable
    ) -> None:
        """Slots of ``hosting`` at the positions of ``failed`` that have no lead route,
        with why (:func:`lead_failure`, whose answers the index keeps per position)."""
        if not failed:
            return
        index = self.index
        chosen = flags(failed)
        kept = index.lead_failures.get((hosting, criteria.include_uncallable))
        known = list(compress(kept, chosen)) if kept is not None else [None]
        found: list[tuple[str, str]]
        if None in known:
            found = [
                lead_failure(_slot(slot), criteria, table, index)
                for slot in compress(index.slot_at[hosting], chosen)
            ]
        else:
            found = cast(list[tuple[str, str]], known)  # no None in it
        self._add(chosen, hosting, map(_code, found), map(_reason, found))


_exclusion: Callable[[tuple[str, str | None, str, str]], Exclusion] = partial(
    tuple.__new__, Exclusion
)

#: (code, reason) -> code, -> reason
_code: Callable[[tuple[str, str]], str] = itemgetter(0)
_reason: Callable[[tuple[str, str]], str] = itemgetter(1)


def _slot(slot: Slot | None) -> Slot:
    assert slot is not None  # a failed position of a hosting type has a slot of it
    return slot


def _model_checks(out: _Exclusions, criteria: SelectionCriteria) -> int:
    """Models passing every model-level check; the others are added to ``out``."""
    index = out.index
    left = (1 << index.size) - 1
    failed = left & ~index.eligible_mask
    out.models(
        failed,
        "unavailable",
        lambda e: "model is disabled" if not e.model.enabled else "model is inactive",
    )
    left &= index.eligible_mask
    if criteria.exclude_imported:
        imported = "model was imported from a public catalog"
        out.models(left & index.imported_mask, "imported", lambda _entry: imported)
        left &= ~index.imported_mask
    if not criteria.allow_deprecated:
        out.keyed(
            left & index.deprecated_mask, "deprecated", out.columns.successors, _deprecated_reason
        )
        left &= ~index.deprecated_mask
    task = index.task_masks.get(criteria.task.value, 0)
    wanted = criteria.task.value
    out.keyed(left & ~task, "task", out.columns.tasks, lambda t: f"task is {t}, {wanted} requested")
    left &= task
    for code, values, masks in (
        ("input_modality", criteria.input_modalities, index.input_masks),
        ("output_modality", criteria.output_modalities, index.output_masks),
        ("capability", criteria.required_capabilities, index.capability_masks),
    ):
        if not values:
            continue
        lacking = [(v, left & ~masks.get(v.casefold(), 0)) for v in values]
        label = code.replace("_", " ")
        for failed, missing in _by_subset(lacking):
            out.same(failed, code, f"lacks {label} {', '.join(missing)}")
            left &= ~failed
    if criteria.excluded_capabilities:
        having = [
            (c, left & index.capability_masks.get(c.casefold(), 0))
            for c in criteria.excluded_capabilities
        ]
        for failed, found in _by_subset(having):
            out.same(failed, "excluded_capability", f"has excluded capability {', '.join(found)}")
            left &= ~failed
    need = criteria.min_context_window
    if need is not None:
        large = index.context.at_least(need)
        out.keyed(left & ~large, "context_window", out.columns.windows, lambda w: _smaller(w, need))
        left &= large
    served = index.hosting[HOSTINGS[0]].present | index.hosting[HOSTINGS[1]].present
    out.same(left & ~served, "no_route", "no route on a known platform")
    return left & served


def _by_subset(marked: list[tuple[str, int]]) -> list[tuple[int, list[str]]]:
    """The positions marked by some value, grouped by which values mark them: a bitset and
    those values (in the order given) per group, found with bitset operations alone."""
    groups: list[tuple[int, list[str]]] = [(-1, [])]  # -1: every position
    for value, mask in marked:
        split: list[tuple[int, list[str]]] = []
        for members, values in groups:
            inside, outside = members & mask, members & ~mask
            if inside:
                split.append((inside, [*values, value]))
            if outside:
                split.append((outside, values))
        groups = split
    return [(members, values) for members, values in groups if values]


def _slot_checks(out: _Exclusions, criteria: SelectionCriteria, models: int) -> list[int]:
    """Per hosting type, the models whose slot passes every slot-level check."""
    index = out.index
    return [_slot_checks_of(out, criteria, h, models & index.hosting[h].present) for h in HOSTINGS]


def _slot_checks_of(
    out: _Exclusions, criteria: SelectionCriteria, hosting: HostingType, left: int
) -> int:
    masks = out.index.hosting[hosting]
    wanted = criteria.hosting
    if wanted is not HostingPreference.ANY and wanted.value != hosting.value:
        reason = f"served {hosting.value}, {wanted.value} requested"
        out.same(left, "hosting", reason, hosting)
        return 0
    tier = criteria.tier
    if tier is not None:
        allowed = masks.tier[tier]
        out.keyed(
            left & ~allowed,
            "tier",
            out.columns.tiers[hosting],
            lambda need: f"self-hosted needs tier {need}, tenant tier is {tier}",
            hosting,
        )
        left &= allowed
    out.same(left & masks.unhealthy, "health", "provider is unhealthy", hosting)
    left &= ~masks.unhealthy
    names = criteria.compliance
    if names:
        lacking = [(n, left & ~masks.compliance.get(n.casefold(), 0)) for n in names]
        for failed, missing in _by_subset(lacking):
            out.same(failed, "compliance", f"provider lacks {', '.join(missing)}", hosting)
            left &= ~failed
    cap = criteria.max_latency_ms
    if cap is not None:
        slow = left & masks.latency_known & ~masks.latency.at_most(cap)
        out.slots(hosting, slow, lambda s: ("latency", _too_slow(s, cap)))
        left &= ~slow
    return left


def _too_slow(slot: Slot, cap: int) -> str:
    if slot.latency_ms is not None:
        return f"average latency {slot.latency_ms:g} ms > {cap} ms"
    return f"needs a {slot.warmup_seconds} s warm-up > {cap} ms"


# ---------------------------------------------------------------------- explained


def explained(index: SelectionIndex, table: PriceTable, criteria: SelectionCriteria) -> Selection:
    out = _Exclusions(index)
    models = _model_checks(out, criteria)
    passing = _slot_checks(out, criteria, models)
    plain: list[tuple[Candidate, Slot | None]]
    if is_simple(criteria):
        flag = criteria.include_uncallable
        total = 0
        for hosting, mask in zip(HOSTINGS, passing, strict=True):
            masks = index.hosting[hosting]
            lead = masks.active if flag else masks.ready
            out.leads(hosting, mask & ~lead, criteria, table)
            total += (mask & lead).bit_count()
        fast = ranked_simple(index, table, criteria, index.model_mask(criteria))
        # no preferences in simple criteria: no slot is needed to say a candidate is preferred
        plain = [(c, None) for c in fast.candidates]
    else:
        failures: list[tuple[Slot, tuple[str, str]]] = []
        ranked = rank_all(index, table, criteria, passing, failures)
        first_ids = out.columns.first_ids
        for slot, (code, reason) in failures:
            out.found.append(
                Exclusion(slot.entry.id, first_ids[slot.hosting][slot.pos], code, reason)
            )
        plain = [
            (make_candidate(slot, route, key, hits, table), slot)
            for _, slot, route, key, hits in ranked[: criteria.limit]
        ]
        total = len(ranked)
    candidates = []
    for candidate, owner in plain:
        preferred = owner is not None and not preference(owner, candidate.route, criteria)
        reasons = tuple(describe(candidate, criteria, preferred=preferred))
        candidates.append(candidate._replace(reasons=reasons))
    return Selection(candidates, out.found, total)


def describe(
    candidate: Candidate, criteria: SelectionCriteria, *, preferred: bool = False
) -> list[str]:
    """Why ``candidate`` ranks where it does, one short phrase per ranking key."""
    reasons: list[str] = []
    if preferred and (criteria.preferred_providers or criteria.preferred_platforms):
        reasons.append("preferred provider or platform")
    if candidate.hosting_type is HostingType.SELF_HOSTED:
        state = candidate.thermal_state.value if candidate.thermal_state else "no thermal state"
        warm = (
            f", needs a {candidate.warmup_time_seconds} s warm-up"
            if candidate.warmup_required
            else ""
        )
        reasons.append(f"self-hosted, {state}{warm}")
    else:
        reasons.append(f"external on {candidate.route.platform_id}, ready")
    if candidate.avg_latency_ms is not None:
        reasons.append(f"average latency {candidate.avg_latency_ms:g} ms")
    reasons.append(f"health {candidate.health.value}")
    if criteria.optional_capabilities:
        reasons.append(
            f"{candidate.optional_hits} of {len(criteria.optional_capabilities)}"
            " optional capabilities"
        )
    if candidate.price_per_request is None:
        reasons.append("no price for a request of unknown size")
    else:
        reasons.append(
            f"about ${candidate.price_per_request.normalize():f} per request "
            f"({criteria.estimated_input_tokens} in, {criteria.estimated_output_tokens} out tokens)"
        )
    quality = candidate.entry.model.quality_score
    if quality is not None:
        reasons.append(f"quality {quality:g}")
    return reasons
