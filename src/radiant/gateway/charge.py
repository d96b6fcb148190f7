"""What a response used, and what it costs and is billed: the pricing engine on one call.

OpenAI reports overlapping totals (``prompt_tokens`` includes the cached ones,
``completion_tokens`` the reasoning ones); :class:`~radiant.pricing.Usage` counts parts
that do not overlap, so they are split here. Text-to-speech is counted in characters of
input (the catalog prices it per 1M characters as input tokens); a transcription in the
seconds of audio it reports (``usage.seconds``, ``duration``) or, failing that, its tokens;
a rerank in search units or tokens; a search as one request; a video in the seconds asked
for; a 3D model as one (plus compute seconds on a self-hosted route); an inference in the
compute seconds its endpoint reports.

:func:`charge` prices a usage on a route: the cost under the route's sheet, the markup in
force (the tenant's custom markup first) and the tenant's custom prices. A route with no
sheet, or a usage its sheet cannot price, costs and bills nothing and says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any, NamedTuple

from radiant.domain import HostingType, PlatformKind, PriceSheet
from radiant.domain.tenant import TenantModelAccess
from radiant.errors import NotFoundError, ValidationError
from radiant.gateway.chain import Hop
from radiant.gateway.requests import Endpoint
from radiant.pricing.cost import cost
from radiant.pricing.markup import MarkupBook
from radiant.pricing.price import price_usage
from radiant.pricing.usage import Usage

__all__ = ["Charge", "charge", "response_usage", "tokens_usage"]

_ZERO = Decimal(0)
_NONE = Usage()


class Charge(NamedTuple):
    cost: Decimal
    price: Decimal
    #: False when the route could not price the usage (no sheet, unpriced units)
    priced: bool


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def tokens_usage(usage: Mapping[str, Any] | None) -> Usage:
    """A chat or embeddings ``usage`` object (OpenAI's shape) as non-overlapping parts."""
    if not usage:
        return _NONE
    prompt = _int(usage.get("prompt_tokens") or usage.get("input_tokens"))
    completion = _int(usage.get("completion_tokens") or usage.get("output_tokens"))
    details = usage.get("prompt_tokens_details") or usage.get("input_tokens_details")
    cached = _int(details.get("cached_tokens")) if isinstance(details, dict) else 0
    out = usage.get("completion_tokens_details")
    reasoning = _int(out.get("reasoning_tokens")) if isinstance(out, dict) else 0
    cached = min(cached, prompt)
    reasoning = min(reasoning, completion)
    return Usage(
        input_tokens=prompt - cached,
        cached_input_tokens=cached,
        output_tokens=completion - reasoning,
        reasoning_tokens=reasoning,
    )


def _seconds(payload: Mapping[str, Any]) -> Decimal:
    usage = payload.get("usage")
    raw = usage.get("seconds") if isinstance(usage, dict) else None
    if raw is None:
        raw = payload.get("duration")
    if isinstance(raw, int | float) and not isinstance(raw, bool) and raw > 0:
        return Decimal(str(raw))
    return _ZERO


def response_usage(
    endpoint: Endpoint, payload: Mapping[str, Any] | None, body: Mapping[str, Any]
) -> Usage:
    """The usage of a non-streamed response (``payload``) to ``body``."""
    payload = payload or {}
    if endpoint is Endpoint.IMAGES:
        data = payload.get("data")
        count = len(data) if isinstance(data, list) else _int(body.get("n")) or 1
        return Usage(images=count, seconds=_compute_seconds(payload))
    if endpoint is Endpoint.SPEECH:
        text = body.get("input")
        return Usage(input_tokens=len(text) if isinstance(text, str) else 0)
    if endpoint is Endpoint.TRANSCRIPTION:
        seconds = _seconds(payload)
        if seconds:
            return Usage(seconds=seconds, minutes=seconds / 60)
        usage = payload.get("usage")
        return tokens_usage(usage if isinstance(usage, dict) else None)
    if endpoint in _JOBS_AND_MORE:
        return _JOBS_AND_MORE[endpoint](payload, body)
    usage = payload.get("usage")
    counted = tokens_usage(usage if isinstance(usage, dict) else None)
    seconds = _compute_seconds(payload)  # a self-hosted endpoint's compute time
    return replace(counted, seconds=seconds) if seconds else counted


def _rerank_usage(payload: Mapping[str, Any], body: Mapping[str, Any]) -> Usage:
    """Search units (Cohere: a query and up to 100 documents each) or tokens (Voyage)."""
    meta = payload.get("meta")
    units = meta.get("billed_units") if isinstance(meta, dict) else None
    units = units if isinstance(units, dict) else {}
    searches = _int(units.get("search_units"))
    tokens = _int(units.get("input_tokens"))
    if not searches and not tokens:  # nothing reported: what Cohere would have billed
        documents = body.get("documents")
        searches = max(1, -(-len(documents) // 100)) if isinstance(documents, list) else 1
    return Usage(search_requests=searches, input_tokens=tokens)


#: seconds of video when neither the request nor the upstream names them (Sora's default)
DEFAULT_VIDEO_SECONDS = 4


def _video_usage(payload: Mapping[str, Any], body: Mapping[str, Any]) -> Usage:
    """The seconds asked for (the answer's, when the upstream says what it makes)."""
    raw = payload.get("seconds") or body.get("seconds") or DEFAULT_VIDEO_SECONDS
    try:
        seconds = Decimal(str(raw).strip())
    except ArithmeticError:
        seconds = Decimal(DEFAULT_VIDEO_SECONDS)
    seconds = max(seconds, _ZERO)
    return Usage(seconds=seconds, video_minutes=seconds / 60)


def _compute_seconds(payload: Mapping[str, Any]) -> Decimal:
    usage = payload.get("usage")
    raw = usage.get("seconds") if isinstance(usage, dict) else None
    if isinstance(raw, int | float) and not isinstance(raw, bool) and raw > 0:
        return Decimal(str(raw))
    return _ZERO


def _model_3d_usage(payload: Mapping[str, Any], _body: Mapping[str, Any]) -> Usage:
    """One 3D model (and, self-hosted, the seconds the endpoint worked on it)."""
    return Usage(models_3d=1, seconds=_compute_seconds(payload))


def _inference_usage(payload: Mapping[str, Any], _body: Mapping[str, Any]) -> Usage:
    """One call and the seconds the endpoint worked on it."""
    return Usage(seconds=_compute_seconds(payload))


def _search_usage(_payload: Mapping[str, Any], _body: Mapping[str, Any]) -> Usage:
    """One search: the call itself (search APIs are priced per request)."""
    return Usage()


_JOBS_AND_MORE = {
    Endpoint.RERANK: _rerank_usage,
    Endpoint.SEARCH: _search_usage,
    Endpoint.VIDEOS: _video_usage,
    Endpoint.MODELS_3D: _model_3d_usage,
    Endpoint.INFERENCE: _inference_usage,
}


def _by_token(sheet: PriceSheet) -> bool:
    return sheet.input_per_1m is not None or sheet.output_per_1m is not None


def charge(hop: Hop, usage: Usage, book: MarkupBook, terms: TenantModelAccess | None) -> Charge:
    """Cost and PRICE of ``usage`` on the route of ``hop`` (tenant ``terms`` applied)."""
    route = hop.route
    if route.price is None:
        return Charge(_ZERO, _ZERO, False)
    sheet = route.price
    if usage.seconds and sheet.per_hour is not None and not _by_token(sheet):
        # a self-hosted route billed by compute time: its tokens are reported, not priced
        usage = replace(usage, input_tokens=0, output_tokens=0, cached_input_tokens=0)
        usage = replace(usage, reasoning_tokens=0)
    try:
        breakdown = cost(usage, route, thermal_state=hop.entry.thermal_state)
    except (NotFoundError, ValidationError):
        return Charge(_ZERO, _ZERO, False)
    kind = hop.platform.kind if hop.platform is not None else PlatformKind.DIRECT
    hosting: HostingType = route.hosting_type(kind)
    markup = book.resolve(route, hop.entry.model.provider_id, hosting, tenant=terms)
    priced = price_usage(breakdown, markup, terms)
    return Charge(priced.total_cost, priced.total_price, not priced.unpriced)
