"""Selection with reasons: every model is checked, one check at a time, in a fixed order.

Model checks, in order (the first failed one is the reason a model is excluded):
``unavailable`` (disabled or inactive), ``deprecated``, ``task``, ``input_modality``,
``output_modality``, ``capability`` (a required one missing), ``excluded_capability``,
``context_window``, ``no_route`` (no route on a known platform). Then for each way the
model is served (external, self-hosted): ``hosting``, ``tier``, ``health``,
``compliance``, ``latency``, then its routes: ``route_status``, ``region``,
``estimated``, ``price`` (the first route's failure is reported when none fits).

The candidates are the same as those of the fast path; they carry reasons here.
"""

from __future__ import annotations

from radiant.domain import HostingType, Route
from radiant.registry import ModelEntry
from radiant.selection.candidate import Candidate, make_candidate
from radiant.selection.criteria import SelectionCriteria
from radiant.selection.engine import (
    Exclusion,
    RankKey,
    Selection,
    choose_route,
    optional_hits,
    preference,
    rank_key,
    slot_failure,
)
from radiant.selection.index import SelectionIndex, Slot
from radiant.selection.prices import PriceTable

__all__ = ["describe", "explained", "model_failure"]


def model_failure(entry: ModelEntry, criteria: SelectionCriteria) -> tuple[str, str] | None:
    """The first model-level check ``entry`` fails, as (code, reason), or None."""
    model = entry.model
    if not model.enabled or model.status.value == "inactive":
        return "unavailable", "model is disabled" if not model.enabled else "model is inactive"
    if model.imported and criteria.exclude_imported:
        return "imported", "model was imported from a public catalog"
    if model.is_deprecated and not criteria.allow_deprecated:
        successor = f"; successor {model.successor_id}" if model.successor_id else ""
        return "deprecated", f"model is deprecated{successor}"
    if entry.task is not criteria.task:
        return "task", f"task is {entry.task.value}, {criteria.task.value} requested"
    for code, wanted, have in (
        ("input_modality", criteria.input_modalities, model.input_modalities),
        ("output_modality", criteria.output_modalities, model.output_modalities),
        ("capability", criteria.required_capabilities, model.capabilities),
    ):
        have_folded = {h.casefold() for h in have}
        missing = [w for w in wanted if w.casefold() not in have_folded]
        if missing:
            return code, f"lacks {code.replace('_', ' ')} {', '.join(missing)}"
    caps = {c.casefold() for c in model.capabilities}
    unwanted = [c for c in criteria.excluded_capabilities if c.casefold() in caps]
    if unwanted:
        return "excluded_capability", f"has excluded capability {', '.join(unwanted)}"
    need = criteria.min_context_window
    if need is not None and (model.context_window is None or model.context_window < need):
        size = "unknown" if model.context_window is None else f"{model.context_window:,}"
        return "context_window", f"context window {size} < {need:,}"
    return None


def explained(index: SelectionIndex, table: PriceTable, criteria: SelectionCriteria) -> Selection:
    excluded: list[Exclusion] = []
    ranked: list[tuple[RankKey, Slot, Route, int, int]] = []
    for pos, entry in enumerate(index.snapshot.entries):
        failed = model_failure(entry, criteria)
        slots = index.by_pos[pos]
        if failed is None and not slots:
            failed = ("no_route", "no route on a known platform")
        if failed is not None:
            excluded.append(Exclusion(entry.id, None, *failed))
            continue
        for slot in slots:
            failed = slot_failure(slot, criteria)
            if failed is None:
                found = choose_route(slot, criteria, table, index.snapshot)
                if found[0] is None:
                    failed = found[1]
                else:
                    route, key = found
                    hits = optional_hits(slot, criteria)
                    ranked.append(
                        (rank_key(slot, route, key, hits, criteria), slot, route, key, hits)
                    )
                    continue
            first = slot.routes[0].id if slot.routes else None
            excluded.append(Exclusion(entry.id, first, *failed))
    ranked.sort(key=lambda item: item[0])
    candidates = []
    for _, slot, route, key, hits in ranked[: criteria.limit]:
        plain = make_candidate(slot, route, key, hits, table)
        preferred = not preference(slot, route, criteria)
        reasons = tuple(describe(plain, criteria, preferred=preferred))
        candidates.append(plain._replace(reasons=reasons))
    return Selection(candidates, excluded, len(ranked))


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
