"""A model's facts from the entries that stand for it, each with its provenance.

Per field (:data:`~radiant.sync.import_precedence.TRUST`), first wins: entries of the
maker's own API (``direct``) before a cloud's or a host's, exact before alias entries,
then the source order of the field. Each capability flag is a field of its own (the
first entry that says yes or no decides). Lifecycle facts (a deprecation date, a
deprecated status) come from the maker's own API when the model has one there: a cloud's
retirement date is the cloud's.

A model an import created takes every fact so (``imported_fields`` and the model's
``metadata.imported.fields`` name the entry behind each one); an administrator's fields
stay theirs. A model of the catalog keeps the catalog's values: an import only fills what
the catalog left empty (limits, knowledge cutoff, open weights, release and deprecation
dates), from the maker's own API only, and says so in ``imported_fields`` - a later
catalog sync keeps them until the catalog has a value of its own.

A deprecation date in the past marks an imported model deprecated, with its successor
when a source names one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from radiant.catalog.importers import ImportedEntry
from radiant.domain import LifecycleStatus, Model, Task
from radiant.sync.import_identity import Placed
from radiant.sync.import_precedence import fact_trust

__all__ = [
    "FILLABLE",
    "Facts",
    "MODES",
    "catalog_fills",
    "gather_facts",
    "imported_model",
]

#: a source's task -> (category, task, base capabilities, input and output modalities)
MODES: dict[str, tuple[str, Task, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "chat": ("text_generation", Task.CHAT, ("chat",), ("text",), ("text",)),
    "responses": ("text_generation", Task.CHAT, ("chat",), ("text",), ("text",)),
    "completion": ("text_generation", Task.COMPLETION, ("completion",), ("text",), ("text",)),
    "realtime": ("audio", Task.CHAT, ("chat", "realtime"), ("text", "audio"), ("text", "audio")),
    "embedding": ("embedding", Task.EMBEDDING, ("embedding",), ("text",), ("embedding",)),
    "image_generation": ("image_generation", Task.IMAGE, ("text_to_image",), ("text",), ("image",)),
    "image_edit": (
        "image_generation",
        Task.IMAGE,
        ("image_editing",),
        ("text", "image"),
        ("image",),
    ),
    "video_generation": ("video_generation", Task.VIDEO, ("text_to_video",), ("text",), ("video",)),
    "audio_speech": ("text_to_speech", Task.AUDIO, ("text_to_speech",), ("text",), ("audio",)),
    "audio_transcription": (
        "speech_to_text",
        Task.TRANSCRIPTION,
        ("transcription",),
        ("audio",),
        ("text",),
    ),
    "rerank": ("rerank", Task.OTHER, ("rerank",), ("text",), ("text",)),
    "search": ("search", Task.SEARCH, ("search",), ("text",), ("text",)),
    "moderation": ("moderation", Task.OTHER, ("moderation",), ("text",), ("text",)),
    "ocr": ("vision", Task.OTHER, ("ocr",), ("image",), ("text",)),
}
_OTHER = ("other", Task.OTHER, (), (), ())
#: capability flags of the sources -> the registry's names (None: not a capability)
_FLAG_NAMES: dict[str, str | None] = {"attachment": "file_input", "temperature": None}

#: model column -> fact field an import may fill on a catalog model
FILLABLE: dict[str, str] = {
    "context_window": "context_window",
    "max_output": "max_output_tokens",
    "max_input": "max_input_tokens",
    "knowledge_cutoff": "knowledge_cutoff",
    "open_weights": "open_weights",
    "release_date": "release_date",
    "deprecation_date": "deprecation_date",
}
_LIFECYCLE = frozenset({"deprecation_date", "deprecated", "successor"})


def _value(entry: ImportedEntry, name: str) -> Any:
    value = getattr(entry, name)
    if name == "deprecated":
        return True if value else None  # False only means "not stated"
    if isinstance(value, tuple):
        return value or None
    return value


@dataclass
class Facts:
    values: dict[str, Any] = field(default_factory=dict)
    #: field (or ``capability:<flag>``) -> ``source:key``
    sources: dict[str, str] = field(default_factory=dict)
    capabilities: dict[str, bool] = field(default_factory=dict)


_FIELDS = (
    "display_name",
    "family",
    "mode",
    "context_window",
    "max_input_tokens",
    "max_output_tokens",
    "input_modalities",
    "output_modalities",
    "knowledge_cutoff",
    "release_date",
    "open_weights",
    "deprecation_date",
    "deprecated",
    "successor",
    "embedding_dimensions",
)


def gather_facts(entries: list[tuple[int, Placed]], *, direct_only: bool = False) -> Facts:
    """The facts of a model from its entries (rank, entry); ``direct_only``: only entries
    of the maker's own API speak."""
    facts = Facts()
    direct = [pair for pair in entries if pair[1].entry.platform == "direct"]
    if direct_only:
        entries = direct
    # the order's parts that do not depend on the field, once per entry
    base = {
        id(placed): (
            placed.entry.platform != "direct",
            rank,
            placed.entry.platform,
            placed.entry.source,
            placed.entry.source_key,
        )
        for rank, placed in entries
    }
    for name in _FIELDS:
        pool = direct if name in _LIFECYCLE and direct else entries
        best: tuple[Any, ...] | None = None
        for _, placed in pool:
            value = _value(placed.entry, name)
            if value is None:
                continue
            parts = base[id(placed)]
            trust = fact_trust(name, placed.entry.source, placed.entry.platform)
            key = (parts[0], parts[1], trust, *parts[2:])
            if best is None or key < best[0]:
                best = (key, value, placed)
        if best is not None:
            facts.values[name] = best[1]
            facts.sources[name] = f"{best[2].entry.source}:{best[2].entry.source_key}"
    flags: dict[str, tuple[tuple[Any, ...], bool, str]] = {}
    for _, placed in entries:
        entry = placed.entry
        parts = base[id(placed)]
        trust = fact_trust("capabilities", entry.source, entry.platform)
        order = (parts[0], parts[1], trust, *parts[2:])
        said = [(c, True) for c in entry.capabilities] + [(c, False) for c in entry.denied]
        for raw, yes in said:
            flag = _FLAG_NAMES.get(raw, raw)
            if flag is None:
                continue
            held = flags.get(flag)
            if held is None or order < held[0]:
                flags[flag] = (order, yes, f"{entry.source}:{entry.source_key}")
    for flag in sorted(flags):
        _, yes, source = flags[flag]
        facts.capabilities[flag] = yes
        facts.sources[f"capability:{flag}"] = source
    return facts


def imported_model(
    model_id: str,
    provider_id: str,
    facts: Facts,
    *,
    successor: str | None,
    review: bool,
    latest: bool,
    today: date,
    aliases: list[str],
) -> tuple[Model, list[str]]:
    """The model an import makes of ``facts``, and what it had to leave out."""
    notes: list[str] = []
    values = facts.values
    category, task, base, inputs, outputs = MODES.get(str(values.get("mode")), _OTHER)
    capabilities = list(base) + [flag for flag, said in facts.capabilities.items() if said]
    context = values.get("context_window")
    output = values.get("max_output_tokens")
    if context and output and output > 2 * context:
        notes.append(f"max output {output} over twice the context window {context}: left out")
        output = None
    deprecation = values.get("deprecation_date")
    deprecated = bool(values.get("deprecated")) or (
        deprecation is not None and deprecation <= today
    )
    if successor == model_id:
        successor = None
    metadata: dict[str, Any] = {"imported": {"fields": dict(sorted(facts.sources.items()))}}
    if values.get("embedding_dimensions"):
        metadata["embedding_dimensions"] = values["embedding_dimensions"]
    if review:
        metadata["imported"]["review"] = "pending"
    model = Model(
        id=model_id,
        aliases=[a for a in aliases if a.casefold() != model_id.casefold()],
        provider_id=provider_id,
        name=model_id,
        display_name=str(values.get("display_name") or model_id)[:200],
        category=category,
        task=task,
        capabilities=capabilities,
        input_modalities=list(values.get("input_modalities") or inputs),
        output_modalities=list(values.get("output_modalities") or outputs),
        context_window=context,
        max_output_tokens=output,
        max_input_tokens=values.get("max_input_tokens"),
        knowledge_cutoff=values.get("knowledge_cutoff"),
        open_weights=values.get("open_weights"),
        release_date=values.get("release_date"),
        family=(str(values["family"])[:100] if values.get("family") else None),
        status=LifecycleStatus.DEPRECATED if deprecated else LifecycleStatus.ACTIVE,
        enabled=not review,
        deprecated=deprecated,
        deprecation_date=deprecation,
        successor_id=successor if deprecated else None,
        is_latest=latest,
        is_preview="preview" in model_id,
        imported=True,
        metadata=metadata,
    )
    return model, notes


def catalog_fills(row: dict[str, Any], facts: Facts) -> dict[str, tuple[Any, str]]:
    """Columns of a catalog model an import may fill: column -> (value, provenance)."""
    owned = set(row.get("admin_fields") or [])
    filled: dict[str, tuple[Any, str]] = {}
    for column, name in FILLABLE.items():
        if column in owned or row.get(column) is not None:
            continue
        value = facts.values.get(name)
        if value is None:
            continue
        window = value if column == "context_window" else row.get("context_window")
        output = value if column == "max_output" else row.get("max_output")
        if window and output and output > 2 * window:
            continue  # the model's rules: no maximum output over twice the window
        filled[column] = (value, facts.sources[name])
    return filled
