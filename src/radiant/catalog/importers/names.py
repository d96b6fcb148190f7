"""Model names as catalogs write them, taken apart: who made it, where, which snapshot.

One logical model has many names: ``claude-opus-4-1`` and ``claude-opus-4-1-20250805`` on
Anthropic's API, ``anthropic.claude-opus-4-1-20250805-v1:0`` (and ``us.`` / ``eu.``
cross-region profiles of it) on Bedrock, ``claude-opus-4-1@20250805`` on Vertex AI,
``anthropic/claude-opus-4.1`` on OpenRouter. :func:`parse_name` reduces each to a
:class:`ModelName`:

* ``vendor`` - the maker the name itself states (``anthropic/``, ``anthropic.``,
  ``meta-llama/``), lower case, or None;
* ``region`` - a Bedrock cross-region prefix (``us.``, ``eu.``, ``apac.``, ``global.``);
* ``key`` - the comparable name: lower case, ``.``, ``_`` and spaces as ``-``, without
  vendor, region, Bedrock version (``-v1:0``) or Vertex version (``@001``, ``@default``)
  and without a snapshot date;
* ``date`` - a snapshot date written in full: ``-20250805``, ``-2025-08-05``,
  ``@20250805`` (as ``20250805``). Four-digit tags (``mistral-large-2411``,
  ``deepseek-r1-0528``, ``gpt-4-0613``) name releases, not snapshots of a pointer: they
  stay part of the key;
* ``latest`` - a moving pointer (``-latest``, ``@latest``, OpenRouter's ``~vendor/...``):
  it is never the same model as a dated one;
* ``variant`` - an endpoint of the model rather than a model (OpenRouter's ``:free``,
  ``:nitro``, ...).

Whether a dated name and its undated form are one model is decided over every name a run
sees (see :func:`identity`): one model when only one full date is known for that key
(``claude-opus-4-1`` is ``claude-opus-4-1-20250805``), separate models when several are
(``gpt-4o-2024-05-13``, ``gpt-4o-2024-08-06`` and the pointer ``gpt-4o``). ``gpt-4o`` and
``gpt-4o-mini`` never share a key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from radiant.catalog.importers.makers import VENDORS

__all__ = [
    "BEDROCK_REGIONS",
    "ModelName",
    "claude_order",
    "identity",
    "name_key",
    "parse_name",
    "spelled_id",
]

#: Bedrock's cross-region inference profile prefixes (``us.anthropic.claude-...``)
BEDROCK_REGIONS = frozenset(
    {"us", "eu", "apac", "global", "us-gov", "jp", "au", "ca", "apne1", "sa", "me", "in"}
)
#: OpenRouter's endpoint variants (``:free`` is a free, rate-limited endpoint)
_VARIANTS = frozenset(
    {"free", "beta", "extended", "thinking", "online", "nitro", "floor", "exacto"}
)
#: path segments that are not a vendor (``accounts/fireworks/models/...``, ``@cf/...``)
_NOT_VENDORS = frozenset(
    {
        "accounts",
        "models",
        "model",
        "fireworks",
        "routers",
        "pro",
        "@cf",
        "cf",
        "public",
        "route",
        "hf",
    }
)

_VENDOR = re.compile(r"^[a-z][a-z0-9-]*$")
_BEDROCK_VERSION = re.compile(r"(?:-v\d+(?::\d+)?|:\d+)$")
_AT = re.compile(r"@(?P<tag>[a-z0-9.-]+)$")
_ISO = re.compile(r"^(?P<head>.+?)-(?P<y>20\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)$")
_DIGITS = re.compile(r"^(?P<head>.+?)-(?P<date>20\d\d[01]\d[0-3]\d)$")
_SEPARATORS = re.compile(r"[._:\s]+")
_DASHES = re.compile(r"-{2,}")
_NOT_ID = re.compile(r"[^a-z0-9._+-]+")
_LETTER_DIGIT = re.compile(r"(?<![a-z0-9])([a-z]{2,})(\d)")
_DIGIT_P_DIGIT = re.compile(r"(\d)p(\d)")
#: ``claude-4-5-opus`` is ``claude-opus-4-5`` (the order Anthropic names models in from 4 on)
_CLAUDE_ORDER = re.compile(r"^claude-([4-9](?:-\d)?)(-)(opus|sonnet|haiku)(?=[-@]|$)")


@dataclass(frozen=True, slots=True)
class ModelName:
    #: the name as given
    raw: str
    vendor: str | None
    region: str | None
    #: comparable name without vendor, region, version and snapshot date
    key: str
    #: the name's own spelling of ``key`` (lower case, dots kept): ``claude-opus-4.1``
    spelled: str
    #: ``spelled`` with its snapshot date as the name writes it: ``gpt-4o-2024-05-13``
    full: str
    #: ``YYYYMMDD`` of a snapshot date written in full, else None
    date: str | None
    latest: bool
    variant: str | None

    @property
    def dated_key(self) -> str:
        """``key@date`` for a dated name, ``key`` otherwise."""
        return f"{self.key}@{self.date}" if self.date else self.key


@lru_cache(maxsize=1 << 16)
def name_key(text: str) -> str:
    """Lower case with ``.``, ``_``, ``:`` and blanks as ``-``, and a dash where letters meet a
    version number (``Llama3.3_70B`` and ``llama-3.3-70b`` are both ``llama-3-3-70b``)."""
    folded = _SEPARATORS.sub("-", text.strip().casefold())
    folded = _DIGIT_P_DIGIT.sub(r"\1-\2", folded)  # Fireworks writes 2.5 as ``2p5``
    folded = _LETTER_DIGIT.sub(r"\1-\2", folded)
    folded = _DASHES.sub("-", folded).strip("-")
    return claude_order(folded)


def claude_order(key: str) -> str:
    """``claude-4-5-opus`` as ``claude-opus-4-5``: the order Anthropic names models in from
    version 4 on (some hosts write the older one)."""
    return _CLAUDE_ORDER.sub(r"claude-\3-\1", key)


@lru_cache(maxsize=1 << 16)
def parse_name(name: str, *, bedrock: bool = False) -> ModelName:
    """Take one catalog name apart; ``bedrock=True`` reads ``region.vendor.model-v1:0``."""
    text = name.strip()
    variant = None
    head, sep, tail = text.rpartition(":")
    if sep and tail.casefold() in _VARIANTS:
        text, variant = head, tail.casefold()
    latest = text.startswith("~")
    text = text.lstrip("~")
    vendor, last = _split_path(text)
    region = None
    if bedrock:
        vendor, region, last = _bedrock(last, vendor)
    last, date, at_latest = _version(last)
    latest = latest or at_latest or name_key(last).endswith("-latest")
    spelled = full = last.casefold()
    if latest and not name_key(spelled).endswith("latest"):
        spelled = full = f"{spelled}-latest"  # ``@latest`` is ``-latest``
    if date is None:
        spelled, date = _date(spelled)
    else:
        full = f"{spelled}-{date}"
    return ModelName(
        raw=name,
        vendor=vendor,
        region=region,
        key=name_key(spelled),
        spelled=spelled,
        full=full,
        date=date,
        latest=latest,
        variant=variant,
    )


def _split_path(text: str) -> tuple[str | None, str]:
    """``vendor/name``: the last segment is the name, unless it is a bare word
    (``flux/dev``, ``flux-pro/kontext``): then the segment before it is part of it."""
    parts = [p for p in text.split("/") if p]
    if not parts:
        return None, text
    last = parts.pop()
    if last.casefold().startswith("hf:"):
        last = last[3:]
    if parts and not re.search(r"\d", last) and _is_part(parts[-1]):
        last = f"{parts.pop()}-{last}"
    vendors = [p.casefold().removeprefix("hf:") for p in parts]
    vendors = [p for p in vendors if p not in _NOT_VENDORS and not p.startswith("@")]
    known = [v for v in vendors if v in VENDORS]
    found = known or vendors
    return (found[0] if found else None), last


def _is_part(segment: str) -> bool:
    """A path segment that names a model family rather than its maker."""
    folded = segment.casefold()
    return folded not in VENDORS and folded not in _NOT_VENDORS and not folded.startswith("@")


def _bedrock(last: str, vendor: str | None) -> tuple[str | None, str | None, str]:
    """``[region.]vendor.model[-v1:0]``; a name without a vendor part stays as it is."""
    parts = last.split(".")
    region = None
    if len(parts) > 2 and parts[0].casefold() in BEDROCK_REGIONS:
        region = parts.pop(0).casefold()
    if len(parts) > 1 and _VENDOR.match(parts[0].casefold()):
        vendor = parts.pop(0).casefold()
    rest = _BEDROCK_VERSION.sub("", ".".join(parts))
    if vendor and (re.match(r"^v\d", rest) or "-" not in rest):  # ``deepseek.v3``, ``deepseek.r1``
        rest = f"{vendor}-{rest}"
    return vendor, region, rest


def _version(last: str) -> tuple[str, str | None, bool]:
    """Vertex ``@tag``: a full date is the snapshot, ``latest`` a pointer, ``default`` and
    ``001`` the endpoint's revision (dropped); a release tag stays in the name
    (``mistral-large@2411-001`` is ``mistral-large-2411``)."""
    match = _AT.search(last.casefold())
    if match is None:
        return last, None, False
    tag = match["tag"]
    stem = last[: match.start()]
    if re.fullmatch(r"20\d\d[01]\d[0-3]\d", tag):
        return stem, tag, False
    if tag in ("latest", "default") or re.fullmatch(r"\d{3}", tag):
        return stem, None, tag == "latest"
    release = re.sub(r"-\d{3}$", "", tag)
    return f"{stem}-{release}", None, False


def _date(spelled: str) -> tuple[str, str | None]:
    iso = _ISO.match(spelled)
    if iso is not None:
        return iso["head"], f"{iso['y']}{iso['m']}{iso['d']}"
    digits = _DIGITS.match(spelled)
    if digits is not None:
        return digits["head"], digits["date"]
    return spelled, None


def identity(name: ModelName, dates: frozenset[str] | set[str]) -> str:
    """The model a name stands for, given every full date known for its key.

    A pointer (``-latest``) is its own model. An undated name and its one known snapshot
    are one model (``key``); with several snapshots known, each dated name is its own
    model (``key@date``) and the undated name is the pointer (``key``).
    """
    if name.latest or name.date is None:
        return name.key
    return name.key if len(dates) <= 1 else f"{name.key}@{name.date}"


def spelled_id(name: ModelName, dates: frozenset[str] | set[str]) -> str:
    """A registry id for the model ``name`` stands for: its own spelling, the date kept
    only when the date tells the model apart (``gpt-4o-2024-05-13``, ``claude-opus-4-1``)."""
    dated = name.date is not None and not name.latest and len(dates) > 1
    text = name.full if dated else name.spelled
    return (_NOT_ID.sub("-", text).strip("-._:/@+") or "model")[:128]
