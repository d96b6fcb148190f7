"""The COST of a usage on a route: an itemised, exact ``Decimal`` breakdown.

Rules, per pricing type (one sheet can charge several ways at once):

* tokens: each kind of token at its own rate per 1M; a kind the sheet does not price
  falls back to the plain rate (cached input, cache writes and audio input at the
  input rate; reasoning and audio output at the output rate);
* long context: when the whole prompt (``Usage.prompt_tokens``) is above the sheet's
  ``long_context_threshold``, input and output tokens use the long-context rates
  (at the threshold exactly, the standard rates still apply);
* batch: a batch usage uses the batch rates where the sheet has them; with a long
  prompt, the long-context rate is reduced by the same batch ratio;
* per request, image, second, minute, video minute, 3D model, tool call and search
  request: the unit price times the count;
* per hour (self-hosted): the sheet's unit prices are the amortised cost of one
  request, image, minute or 3D model; ``Usage.hours`` of reserved time cost the hourly
  rate; compute seconds on a sheet with no per-second price cost ``per_hour / 3600``
  each (the per-second rate is rounded once to 1e-12 USD); and a call that found the
  endpoint COLD pays the warm-up: its ``warmup_time_seconds`` at the hourly rate.

Nothing is rounded here: rounding to cents happens for display and invoices only.
Per-sheet rates are compiled once and cached, so pricing a usage allocates little.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from radiant.domain import CostSource, PriceSheet, Route, ThermalState
from radiant.errors import NotFoundError, ValidationError
from radiant.pricing.usage import Usage

__all__ = ["CostBreakdown", "CostLine", "cost", "sheet_in_force", "warmup_cost"]

_ZERO = Decimal(0)
_HOUR = Decimal(3600)
#: unit of a line counted in seconds and charged at the hourly rate
_BY_HOUR = "second at the hourly rate"
_PER_SECOND_STEP = Decimal("1e-12")


class CostLine(NamedTuple):
    #: what is charged: ``input_tokens``, ``images``, ``warmup``, ...
    item: str
    quantity: Decimal | int
    #: price of one ``unit`` (tokens: per 1M tokens)
    unit_price: Decimal
    unit: str
    amount: Decimal


class CostBreakdown(NamedTuple):
    route_id: str
    lines: tuple[CostLine, ...]
    total: Decimal
    source: CostSource
    is_estimated: bool
    effective_from: datetime | None
    long_context: bool
    batch: bool
    #: usage the sheet has no price for (charged nothing): the caller may want to know
    unpriced: tuple[str, ...] = ()


# ------------------------------------------------------------------------- compiled sheets

_TOKEN = "1M tokens"  # noqa: S105 - a unit's name
#: builds a NamedTuple without the Python-level ``__new__`` frame (the hot path)
_new = tuple.__new__


class _Rate(NamedTuple):
    per_1m: Decimal
    per_token: Decimal


def _rate(value: Decimal | None) -> _Rate | None:
    return None if value is None else _Rate(value, value.scaleb(-6))


@dataclass(frozen=True, slots=True)
class _Compiled:
    sheet: PriceSheet
    input: _Rate | None
    output: _Rate | None
    threshold: int | None
    long_input: _Rate | None
    long_output: _Rate | None
    batch_input: _Rate | None
    batch_output: _Rate | None
    #: (usage attribute, rate) for cached, cache write, reasoning, audio in, audio out
    extra_tokens: tuple[tuple[str, _Rate | None], ...]
    #: (usage attribute, line item, unit, price per unit)
    units: tuple[tuple[str, str, Decimal], ...]
    per_hour: Decimal | None
    #: the hourly rate per second, rounded once to 1e-12 so costs stay exactly additive
    hourly_per_second: Decimal | None
    amortise_seconds: bool


_UNIT_FIELDS = (
    ("requests", "per_request", "request"),
    ("images", "per_image", "image"),
    ("seconds", "per_second", "second"),
    ("minutes", "per_minute", "minute"),
    ("video_minutes", "per_video_minute", "video minute"),
    ("models_3d", "per_3d_model", "3D model"),
    ("tool_calls", "per_tool_call", "tool call"),
    ("search_requests", "per_search_request", "search request"),
)


def _compile(sheet: PriceSheet) -> _Compiled:
    inp, out = _rate(sheet.input_per_1m), _rate(sheet.output_per_1m)
    units = tuple(
        (attr, unit, price)
        for attr, field, unit in _UNIT_FIELDS
        if (price := getattr(sheet, field)) is not None
    )
    return _Compiled(
        sheet=sheet,
        input=inp,
        output=out,
        threshold=sheet.long_context_threshold,
        long_input=_rate(sheet.long_context_input_per_1m),
        long_output=_rate(sheet.long_context_output_per_1m),
        batch_input=_rate(sheet.batch_input_per_1m),
        batch_output=_rate(sheet.batch_output_per_1m),
        extra_tokens=(
            ("cached_input_tokens", _rate(sheet.cached_input_per_1m) or inp),
            ("cache_write_tokens", _rate(sheet.cache_write_per_1m) or inp),
            ("reasoning_tokens", _rate(sheet.reasoning_per_1m) or out),
            ("audio_input_tokens", _rate(sheet.audio_input_per_1m) or inp),
            ("audio_output_tokens", _rate(sheet.audio_output_per_1m) or out),
        ),
        units=units,
        per_hour=sheet.per_hour,
        hourly_per_second=None
        if sheet.per_hour is None
        else (sheet.per_hour / _HOUR).quantize(_PER_SECOND_STEP),
        amortise_seconds=sheet.per_hour is not None and sheet.per_second is None,
    )


_cache: dict[int, _Compiled] = {}


def _compiled(sheet: PriceSheet) -> _Compiled:
    found = _cache.get(id(sheet))
    if found is not None and found.sheet is sheet:
        return found
    if len(_cache) > 8192:
        _cache.clear()
    compiled = _cache[id(sheet)] = _compile(sheet)
    return compiled


_by_route: dict[int, tuple[Route, _Compiled, str]] = {}


def _for_route(route: Route) -> tuple[_Compiled, str]:
    """The compiled current sheet of ``route`` and its id, cached per route object."""
    found = _by_route.get(id(route))
    if found is not None and found[0] is route:
        return found[1], found[2]
    if len(_by_route) > 8192:
        _by_route.clear()
    assert route.price is not None
    entry = _by_route[id(route)] = (route, _compiled(route.price), route.id)
    return entry[1], entry[2]


# ------------------------------------------------------------------------- sheet in force


def _covers(sheet: PriceSheet, at: datetime) -> bool:
    start, end = sheet.effective_from, sheet.effective_to
    return (start is None or start <= at) and (end is None or at < end)


def sheet_in_force(
    route: Route, at: datetime | None = None, history: Iterable[PriceSheet] = ()
) -> PriceSheet:
    """The route's sheet in force at ``at`` (now: the current sheet); past sheets from history."""
    current = route.price
    if current is not None and (at is None or _covers(current, at)):
        return current
    if at is not None:
        for sheet in history:
            if _covers(sheet, at):
                return sheet
    when = "now" if at is None else f"at {at.isoformat()}"
    raise NotFoundError("price sheet", route.id, f"route {route.id!r} has no price sheet {when}")


# ------------------------------------------------------------------------- the cost


def _token_line(item: str, count: int, rate: _Rate) -> CostLine:
    return CostLine(item, count, rate.per_1m, _TOKEN, rate.per_token * count)


def warmup_cost(route: Route, sheet: PriceSheet) -> Decimal:
    """What a cold start costs: the warm-up time of the endpoint at the hourly rate."""
    if sheet.per_hour is None or route.self_hosted is None:
        return _ZERO
    rate = _compiled(sheet).hourly_per_second
    assert rate is not None
    return rate * route.self_hosted.thermal.warmup_time_seconds


def cost(
    usage: Usage,
    route: Route,
    at: datetime | None = None,
    *,
    history: Iterable[PriceSheet] = (),
    thermal_state: ThermalState | None = None,
) -> CostBreakdown:
    """The cost of ``usage`` on ``route`` under the sheet in force at ``at``.

    ``history`` holds the route's past sheets (needed only for a past ``at``);
    ``thermal_state`` is the self-hosted endpoint's state when the call arrived.
    Raises NotFoundError when no sheet is in force, ValidationError for a usage the
    sheet cannot price at all (tokens on a sheet without token prices).
    """
    if at is None and route.price is not None:
        c, route_id = _for_route(route)
        sheet = c.sheet
    else:
        sheet = sheet_in_force(route, at, history)
        c, route_id = _compiled(sheet), route.id
    lines: list[CostLine] = []
    unpriced: list[str] = []
    long_context = c.threshold is not None and (
        usage.input_tokens
        + usage.cached_input_tokens
        + usage.cache_write_tokens
        + usage.audio_input_tokens
        > c.threshold
    )
    batch = usage.batch and c.batch_input is not None
    if long_context or batch:
        _tokens(c, usage, _token_rates(c, long_context, batch), lines, unpriced)
    else:  # the common case, inlined: plain input and output tokens
        count = usage.input_tokens
        if count:
            if c.input is None:
                unpriced.append("input_tokens")
            else:
                lines.append(
                    _new(CostLine, ("input_tokens", count, c.input[0], _TOKEN, c.input[1] * count))
                )
        count = usage.output_tokens
        if count:
            if c.output is None:
                unpriced.append("output_tokens")
            else:
                lines.append(
                    _new(
                        CostLine, ("output_tokens", count, c.output[0], _TOKEN, c.output[1] * count)
                    )
                )
        if (
            usage.cached_input_tokens
            or usage.cache_write_tokens
            or usage.reasoning_tokens
            or usage.audio_input_tokens
            or usage.audio_output_tokens
        ):
            _extra_tokens(c, usage, lines, unpriced)
    if c.units or c.per_hour is not None or usage.hours or not lines:
        _units(c, usage, route, thermal_state, lines, unpriced)
    total = _ZERO
    for line in lines:
        total += line[4]
    return _new(
        CostBreakdown,
        (
            route_id,
            tuple(lines),
            total,
            sheet.source,
            sheet.is_estimated,
            sheet.effective_from,
            long_context,
            batch,
            tuple(unpriced) if unpriced else (),
        ),
    )


def _units(
    c: _Compiled,
    usage: Usage,
    route: Route,
    thermal_state: ThermalState | None,
    lines: list[CostLine],
    unpriced: list[str],
) -> None:
    for attr, unit, price in c.units:
        quantity = getattr(usage, attr)
        if quantity:
            lines.append(_new(CostLine, (attr, quantity, price, unit, price * quantity)))
    if c.per_hour is not None:
        _hourly(c, usage, route, thermal_state, lines)
    elif usage.hours:
        unpriced.append("hours")
    if not lines and unpriced and (usage.input_tokens or usage.output_tokens):
        raise ValidationError(
            f"route {route.id!r} does not charge by the token ({c.sheet.pricing_type})"
        )


def _tokens(
    c: _Compiled,
    usage: Usage,
    rates: tuple[_Rate | None, _Rate | None],
    lines: list[CostLine],
    unpriced: list[str],
) -> None:
    inp, out = rates
    if usage.input_tokens:
        if inp is None:
            unpriced.append("input_tokens")
        else:
            lines.append(_token_line("input_tokens", usage.input_tokens, inp))
    if usage.output_tokens:
        if out is None:
            unpriced.append("output_tokens")
        else:
            lines.append(_token_line("output_tokens", usage.output_tokens, out))
    _extra_tokens(c, usage, lines, unpriced)


def _extra_tokens(c: _Compiled, usage: Usage, lines: list[CostLine], unpriced: list[str]) -> None:
    for attr, rate in c.extra_tokens:
        count = getattr(usage, attr)
        if count:
            if rate is None:
                unpriced.append(attr)
            else:
                lines.append(_token_line(attr, count, rate))


def _token_rates(
    c: _Compiled, long_context: bool, batch: bool
) -> tuple[_Rate | None, _Rate | None]:
    if not long_context and not batch:
        return c.input, c.output
    inp, out = c.input, c.output
    if long_context:
        inp = c.long_input or inp
        out = c.long_output or out
    if batch:
        inp = _scaled(inp, c.batch_input, c.input) if long_context else c.batch_input or inp
        out = _scaled(out, c.batch_output, c.output) if long_context else c.batch_output or out
    return inp, out


def _scaled(rate: _Rate | None, batch: _Rate | None, base: _Rate | None) -> _Rate | None:
    """``rate`` reduced by the batch ratio ``batch / base`` (long-context batch)."""
    if rate is None or batch is None or base is None or not base.per_1m:
        return rate
    per_1m = rate.per_1m * batch.per_1m / base.per_1m
    return _Rate(per_1m, per_1m.scaleb(-6))


def _hourly(
    c: _Compiled,
    usage: Usage,
    route: Route,
    thermal_state: ThermalState | None,
    lines: list[CostLine],
) -> None:
    per_hour, per_second = c.per_hour, c.hourly_per_second
    assert per_hour is not None and per_second is not None
    if usage.hours:
        lines.append(CostLine("hours", usage.hours, per_hour, "hour", per_hour * usage.hours))
    if c.amortise_seconds and usage.seconds:
        amount = per_second * usage.seconds
        lines.append(CostLine("compute_seconds", usage.seconds, per_hour, _BY_HOUR, amount))
    if thermal_state is ThermalState.COLD and route.self_hosted is not None:
        seconds = route.self_hosted.thermal.warmup_time_seconds
        amount = per_second * seconds
        lines.append(CostLine("warmup", seconds, per_hour, _BY_HOUR, amount))
