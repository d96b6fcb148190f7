"""What every catalog importer produces: imported entries, and skipped ones with a reason.

An importer reads one public catalog (LiteLLM's cost map, models.dev's ``api.json``,
OpenRouter's model list) and turns each of its entries into an :class:`ImportedEntry`
(prices as a :class:`~radiant.domain.PriceSheet` per 1M tokens, limits, modalities,
capability flags, deprecation date) or a :class:`SkippedEntry` saying why not. Nothing is
dropped silently: ``len(imported) + len(skipped)`` is the number of entries read.

Importers know nothing of our registry: which model and route an entry stands for is the
sync's job. They do say where the entry is served (``platform``, a new one described in
``ImportResult.services``), what the platform calls it (``model_name``), the region or
endpoint variant of that name, and every fact the source states, each with the entry's
key as its provenance.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from radiant.catalog.importers.platforms import Service
from radiant.domain import PriceSheet

__all__ = [
    "SOURCES",
    "ImportResult",
    "ImportedEntry",
    "SkippedEntry",
    "decimal_or_none",
    "first_error_line",
    "int_or_none",
    "mapping",
    "money",
    "parse_date",
    "strings",
]

#: The catalogs Radiant imports, by the name a ``--source NAME=...`` option uses.
SOURCES = ("litellm", "models-dev", "openrouter")


@dataclass(frozen=True, slots=True)
class ImportedEntry:
    """One entry of a public catalog, in our vocabulary."""

    #: ``litellm``, ``models-dev`` or ``openrouter``
    source: str
    #: the entry's key in the source (``bedrock/anthropic.claude-...``, ``openai/gpt-4o``)
    source_key: str
    #: the source's provider name (``litellm_provider``, the models.dev provider id, ...)
    source_provider: str
    #: our platform (``direct``, ``bedrock``, ``openrouter``, ...)
    platform: str
    #: our provider when the platform is ``direct`` (whose API it is), else None
    provider: str | None
    #: the model's name as the source gives it, without any provider prefix
    model_name: str
    #: the task in the source's words (``chat``, ``embedding``, ``image_generation``, ...)
    mode: str | None
    price: PriceSheet | None
    context_window: int | None = None
    max_input_tokens: int | None = None
    max_output_tokens: int | None = None
    input_modalities: tuple[str, ...] = ()
    output_modalities: tuple[str, ...] = ()
    #: capability flags the source asserts (``vision``, ``function_calling``, ...)
    capabilities: tuple[str, ...] = ()
    deprecation_date: date | None = None
    deprecated: bool = False
    #: price keys of the source that have no place in a price sheet (named, not valued)
    unmapped_prices: tuple[str, ...] = ()
    #: other names under which the registry may know the model (dated ids, slugs)
    other_names: tuple[str, ...] = ()
    #: a regional endpoint of the model on its platform (Bedrock ``us.``, Azure ``eu``)
    region: str | None = None
    #: an endpoint variant, not a model: ``free`` (OpenRouter ``:free``), an image size
    #: (``1024-x-1024/50-steps``), a capacity commitment (``1-month-commitment``)
    variant: str | None = None
    #: the maker as the source or the name states it (``anthropic``, ``meta-llama``)
    vendor: str | None = None
    display_name: str | None = None
    family: str | None = None
    release_date: date | None = None
    knowledge_cutoff: date | None = None
    open_weights: bool | None = None
    #: capability flags the source denies (the source said false)
    denied: tuple[str, ...] = ()
    #: another key of the same source that replaces this one
    successor: str | None = None
    #: an embedding's vector size (models.dev writes it as ``limit.output``)
    embedding_dimensions: int | None = None
    #: prices per 1M characters of an entry that is not text-to-speech: kept as such,
    #: never passed off as token prices
    per_character: tuple[tuple[str, Decimal], ...] = ()
    #: ``character`` when the sheet's token fields price 1M characters (text-to-speech)
    price_unit: str = "token"
    #: what the importer found wrong with the entry and left out (a bad price, ...)
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SkippedEntry:
    source_key: str
    reason: str


@dataclass
class ImportResult:
    source: str
    location: str
    imported: list[ImportedEntry] = field(default_factory=list)
    skipped: list[SkippedEntry] = field(default_factory=list)
    #: what the source says about each platform it names (base URL, key variables)
    services: dict[str, Service] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.imported) + len(self.skipped)

    def skip(self, key: str, reason: str) -> None:
        self.skipped.append(SkippedEntry(key, reason))

    def skipped_by_reason(self) -> dict[str, int]:
        return dict(Counter(s.reason for s in self.skipped).most_common())


def decimal_or_none(value: Any) -> Decimal | None:
    """A price as Decimal (from a Decimal, int or numeric string); None when absent.

    Raises ValueError for anything else (a negative, a word, a boolean)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a price: {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"not a price: {value!r}") from None
    else:  # floats never reach here: JSON is parsed with parse_float=Decimal
        raise ValueError(f"not a price: {value!r}")
    if not result.is_finite() or result < 0:
        raise ValueError(f"not a price: {value!r}")
    return result


_TEN_PLACES = Decimal("1e-10")


def money(value: Decimal) -> Decimal:
    """A price as stored: at most 10 decimal places (``NUMERIC(20, 10)``), no trailing zeros.

    Catalogs publish a few computed prices with 17 digits (``0.08333333333333334``)."""
    if value.as_tuple().exponent < -10:  # type: ignore[operator]
        value = value.quantize(_TEN_PLACES, rounding=ROUND_HALF_EVEN)
    return value.normalize()


def int_or_none(value: Any) -> int | None:
    """A positive token limit; None when absent, zero or not a whole number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | Decimal) and value == int(value) and value > 0:
        return min(int(value), 2**31 - 1)
    return None


def parse_date(value: Any) -> date | None:
    """``YYYY-MM-DD`` (or a longer ISO timestamp) as a date; None when absent or unreadable."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def mapping(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else."""
    return value if isinstance(value, dict) else {}


def strings(value: Any) -> tuple[str, ...]:
    """The strings of a JSON list (anything else: none)."""
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str))


def first_error_line(exc: Exception) -> str:
    """A validation error in one line: the first problem, with the field it concerns."""
    if isinstance(exc, PydanticValidationError):
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ()))
        return f"{where}: {err['msg']}" if where else str(err["msg"])
    return str(exc).splitlines()[0]
