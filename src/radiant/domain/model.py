"""Models: the logical model, independent of where it is served."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field, model_validator

from radiant.domain.base import (
    INT32_MAX,
    DomainModel,
    Identifier,
    canonical_category,
    normalize_tags,
)
from radiant.domain.enums import LifecycleStatus, Task

__all__ = ["Model", "SelfHostedSpecs", "derive_task"]


class SelfHostedSpecs(DomainModel):
    """Model-level facts of a self-hosted model (the deployment is on the route)."""

    specialty: str = Field(min_length=1)
    parameters: int | None = Field(default=None, ge=0)
    accuracy: str | None = None
    benchmark: str | None = None
    input_formats: list[str] = Field(default_factory=list)
    output_formats: list[str] = Field(default_factory=list)


class Model(DomainModel):
    """A model: what it is and can do, whoever serves it (docs/concepts.md, Model)."""

    id: Identifier
    #: Every other name the model is known by (vendor ids, LiteLLM ids, short names).
    aliases: list[str] = Field(default_factory=list)
    provider_id: Identifier
    name: str = Field(min_length=1)
    display_name: str = Field(min_length=1)
    description: str = ""
    #: Category (text_generation, reasoning, vision, medical, llm, ...).
    category: str = Field(min_length=1)
    #: Market segment: flagship, balanced, economy, specialized, novel.
    segment: str | None = None
    #: What a request to it does; derived from capabilities and category when not given.
    task: Task | None = None
    capabilities: list[str] = Field(default_factory=list)
    input_modalities: list[str] = Field(default_factory=list)
    output_modalities: list[str] = Field(default_factory=list)
    context_window: int | None = Field(default=None, ge=0, le=INT32_MAX)
    max_output_tokens: int | None = Field(default=None, ge=0, le=INT32_MAX)
    #: the longest prompt, where the source gives one apart from the context window
    max_input_tokens: int | None = Field(default=None, ge=0, le=INT32_MAX)
    #: the date the model's training data ends
    knowledge_cutoff: date | None = None
    #: True when the weights are published; None when no source says
    open_weights: bool | None = None
    #: created by a pricing sync from a public catalog (not by the catalog or an
    #: administrator); selection can leave such models out (``exclude_imported``)
    imported: bool = False
    # lifecycle
    status: LifecycleStatus = LifecycleStatus.ACTIVE
    enabled: bool = True
    deprecated: bool = False
    deprecation_date: date | None = None
    successor_id: str | None = None
    migration_guide: str | None = None
    release_date: date | None = None
    family: str | None = None
    version: str | None = None
    is_preview: bool = False
    is_latest: bool = False
    is_recommended: bool = False
    is_novel: bool = False
    is_legacy: bool = False
    # licensing and access
    license: str | None = None
    license_url: str | None = None
    commercial_use_allowed: bool = True
    commercial_use_notes: str | None = None
    attribution_required: bool = False
    min_tier: int = Field(default=1, ge=1, le=5)
    #: 0-100, used by the price optimizer's value ranking; ``quality_source`` says where from
    quality_score: float | None = Field(default=None, ge=0, le=100)
    quality_source: str | None = None
    # performance figures and per-platform settings
    performance: dict[str, float] = Field(default_factory=dict)
    platform_configs: dict[str, dict[str, Any]] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    self_hosted: SelfHostedSpecs | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    #: Provenance: where a value came from, and values other sources gave where they disagreed.
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> Model:
        # The name lists hold no empty and no repeated name. Their items are stripped
        # already (``str_strip_whitespace``); one pass here, not a validator per field:
        # a large registry validates its models by the ten thousand on every read.
        fields = self.__dict__
        category = canonical_category(self.category)
        if category != self.category:  # an older name of a category: stored as its new one
            fields["category"] = category
        for name in _NAME_LISTS:
            values = fields[name]
            if values and ("" in values or len(set(values)) != len(values)):
                fields[name] = normalize_tags([v for v in values if v])
        if self.id in self.aliases:
            raise ValueError("aliases must not repeat the id")
        if self.successor_id == self.id:
            raise ValueError("a model cannot be its own successor")
        cw, mo = self.context_window, self.max_output_tokens
        if cw and mo and mo > 2 * cw:
            raise ValueError("max_output_tokens is more than twice the context_window")
        return self

    @property
    def primary_task(self) -> Task:
        return self.task or derive_task(self.capabilities, self.category)

    @property
    def is_deprecated(self) -> bool:
        """Marked so, or past its deprecation date (a date an import filled in, say)."""
        if self.deprecated or self.status is LifecycleStatus.DEPRECATED:
            return True
        return self.deprecation_date is not None and self.deprecation_date <= date.today()

    def names(self) -> list[str]:
        """The id, then every alias."""
        return [self.id, *self.aliases]


_NAME_LISTS = ("capabilities", "input_modalities", "output_modalities", "tags", "aliases")

_CATEGORY_TASK = {
    "embedding": Task.EMBEDDING,
    "embeddings": Task.EMBEDDING,
    "image_generation": Task.IMAGE,
    "video_generation": Task.VIDEO,
    "audio_generation": Task.AUDIO,
    "text_to_speech": Task.AUDIO,
    "speech_to_text": Task.TRANSCRIPTION,
    "search": Task.SEARCH,
    "3d_generation": Task.THREE_D,
}


def derive_task(capabilities: list[str], category: str) -> Task:
    """The task of a model that names none: chat, completion, embedding, else by category."""
    if "chat" in capabilities:
        return Task.CHAT
    if "completion" in capabilities:
        return Task.COMPLETION
    if "embedding" in capabilities or "embeddings" in capabilities or category == "embedding":
        return Task.EMBEDDING
    return _CATEGORY_TASK.get(category, Task.OTHER)
