"""Shared configuration of the domain's pydantic models."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

__all__ = ["INT32_MAX", "DomainModel", "Identifier", "Tag", "normalize_tags"]

#: The largest value an INTEGER column holds on every backend.
INT32_MAX = 2**31 - 1

_ID = re.compile(r"^[a-z0-9][a-z0-9._:/@+-]*$")


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(
            "must be lower-case letters, digits and . _ : / @ + - (starting with a letter or digit)"
        )
    return value


def _norm_tag(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


Identifier = Annotated[str, AfterValidator(_check_id)]
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
