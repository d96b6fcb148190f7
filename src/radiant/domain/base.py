"""Shared configuration of the domain's pydantic models."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, GetPydanticSchema
from pydantic_core import core_schema

from radiant.bounds import INT32_MAX

__all__ = [
    "CATEGORY_ALIASES",
    "ID_PATTERN",
    "INT32_MAX",
    "DomainModel",
    "Identifier",
    "Tag",
    "canonical_category",
    "normalize_tags",
]

#: what an id is: lower-case letters, digits and ``. _ : / @ + -``, starting with a
#: letter or digit
ID_PATTERN = r"^[a-z0-9][a-z0-9._:/@+-]*$"


def _norm_tag(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


#: checked by pydantic's own (compiled) pattern matcher, not a Python function: ids are
#: validated by the hundred thousand when a large registry is read
#: older names of categories, still accepted (on input, in filters), stored as the name
#: they stand for: one vocabulary
CATEGORY_ALIASES = {"llm": "text_generation", "embeddings": "embedding", "3d": "3d_generation"}


def canonical_category(name: str) -> str:
    """The category ``name`` stands for (case-folded; an older name as its new one)."""
    folded = name.strip().casefold()
    return CATEGORY_ALIASES.get(folded, folded)


Identifier = Annotated[
    str,
    GetPydanticSchema(
        lambda _type, _handler: core_schema.custom_error_schema(
            core_schema.str_schema(pattern=ID_PATTERN, strip_whitespace=True),
            custom_error_type="identifier",
            custom_error_message="must be lower-case letters, digits and . _ : / @ + - "
            "(starting with a letter or digit)",
        )
    ),
]
Tag = Annotated[str, AfterValidator(_norm_tag)]


def normalize_tags(values: list[str]) -> list[str]:
    """Drop duplicates while keeping the first occurrence's order."""
    seen: dict[str, None] = {}
    for value in values:
        seen.setdefault(value, None)
    return list(seen)


class DomainModel(BaseModel):
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        protected_namespaces=(),
        validate_default=True,
        str_strip_whitespace=True,
    )
