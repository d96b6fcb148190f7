"""The options a run gets when nobody passes any: from the settings (scheduler, API)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from radiant.errors import ValidationError
from radiant.settings import Settings

__all__ = ["PRICING_KINDS", "default_options", "pricing_sources"]

#: where the pricing sync can read prices
PRICING_KINDS = ("litellm", "models-dev", "openrouter")


def pricing_sources(items: list[str]) -> list[tuple[str, str]]:
    """``kind=location`` items as (kind, location) pairs; ValidationError on a bad one."""
    sources: list[tuple[str, str]] = []
    for item in items:
        kind, sep, location = item.partition("=")
        kind, location = kind.strip(), location.strip()
        if not sep or not kind or not location:
            raise ValidationError(f"pricing source {item!r}: write it as KIND=FILE_OR_URL")
        if kind not in PRICING_KINDS:
            raise ValidationError(
                f"pricing source {item!r}: unknown kind {kind!r}; known: {', '.join(PRICING_KINDS)}"
            )
        sources.append((kind, location))
    return sources


def default_options(
    name: str, settings: Settings, catalog_dir: Path | None = None
) -> dict[str, Any]:
    """Options of a run of ``name`` started by the scheduler or the API."""
    directory = catalog_dir or settings.catalog_dir
    catalog = {"directory": str(directory)} if directory else {}
    if name == "catalog":
        return catalog
    if name == "full":
        return {"catalog": catalog}
    if name == "pricing":
        sources = pricing_sources(settings.pricing_sources)
        if not sources:
            raise ValidationError(
                "no pricing sources: set RADIANT_PRICING_SOURCES "
                "(e.g. litellm=URL_OR_FILE,models-dev=URL_OR_FILE)"
            )
        return {"sources": sources}
    return {}
