"""The estimated PRICE of one request on every route, as exact integers.

Selection compares prices of many routes on every request, so each route's marked-up
rates are turned once (per snapshot and markup book) into integers in units of
``10**-(scale + 6)`` USD, where ``scale`` is the largest number of decimal places of any
marked-up rate. The price of a request is then ``in × input_rate + out × output_rate +
fixed`` in those units — integer arithmetic, exact, and cheap; :meth:`PriceTable.to_decimal`
turns a key back into the ``Decimal`` the pricing engine computes for the same usage
(``tests/test_selection_engine.py`` checks they are equal on every route).

The rule (also in :mod:`radiant.selection.ranking`): per-token sheets price the estimated
tokens plus the sheet's ``per_request`` fee if it has one; other sheets the price of one
request unit (``per_request`` + ``per_image`` + ``per_3d_model``, those set), none: no price.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, localcontext

from radiant.domain import HostingType, PriceSheet, PricingType, Route
from radiant.pricing.markup import Markup, MarkupBook, MarkupSource, apply_markup
from radiant.pricing.usage import Usage

__all__ = ["DEFAULT_BOOK", "PriceTable", "RoutePrice", "request_usage"]

#: The default markups (40 % external, 75 % self-hosted), no overrides.
DEFAULT_BOOK = MarkupBook()
_ZERO = Decimal(0)
_UNIT_FIELDS = ("per_request", "per_image", "per_3d_model")
#: per token?, marked-up input and output rates, fixed part, their most decimal places
Marked = tuple[bool, Decimal, Decimal, Decimal, int]
#: marked-up figures by (sheet figures, markup percent), kept across price tables: after a
#: registry change most sheets are the same, so the next table computes few of them
_MARKED: dict[tuple[object, ...], Marked | None] = {}
_MARKED_KEPT = 1 << 18
_UNSEEN: Marked = (False, _ZERO, _ZERO, _ZERO, -1)


@dataclass(slots=True, eq=False)
class RoutePrice:
    """Never changed once built (not frozen: a frozen dataclass is built several times
    slower, and a table makes one per distinct marked-up sheet)."""

    per_token: bool
    #: marked-up price per 1M tokens, times ``10**scale``
    input_rate: int
    output_rate: int
    #: the fixed part of a request, times ``10**(scale + 6)``
    fixed: int
    markup: Markup
    is_estimated: bool

    def key(self, input_tokens: int, output_tokens: int) -> int:
        # non-token sheets have zero rates: the key is their fixed part
        return input_tokens * self.input_rate + output_tokens * self.output_rate + self.fixed


def request_usage(sheet: PriceSheet, input_tokens: int, output_tokens: int) -> Usage:
    """The usage whose price :class:`RoutePrice` estimates (for checking it with the engine)."""
    if sheet.pricing_type is PricingType.PER_TOKEN:
        return Usage(input_tokens=input_tokens, output_tokens=output_tokens, requests=1)
    return Usage(requests=1, images=1, models_3d=1)


class PriceTable:
    """Marked-up prices of every route of a snapshot under one markup book."""

    def __init__(
        self,
        routes: list[tuple[Route, str, HostingType]],
        book: MarkupBook,
        at: datetime | None = None,
    ) -> None:
        when = at or datetime.now(UTC)
        self.book = book
        self.valid_until = _next_expiry(book, when)
        fixed_external, markup_of = _markups(book, when)
        self_hosted = HostingType.SELF_HOSTED
        # routes sharing a sheet's figures and a markup share one price: computed once
        shared: dict[tuple[object, ...], tuple[Marked, Markup, bool]] = {}
        route_ids: list[int] = []
        keys: list[tuple[object, ...] | None] = []
        places = 0
        marked_cache = _MARKED
        if len(marked_cache) > _MARKED_KEPT:
            marked_cache.clear()
        for route, provider_id, hosting in routes:
            route_ids.append(id(route))
            sheet = route.price
            if sheet is None:
                keys.append(None)
                continue
            if fixed_external is not None and hosting is not self_hosted:
                markup = fixed_external
            else:
                markup = markup_of(route, provider_id, hosting)
            figures = (
                sheet.pricing_type,
                sheet.input_per_1m,
                sheet.output_per_1m,
                sheet.per_request,
                sheet.per_image,
                sheet.per_3d_model,
                markup.percent,
            )
            marked = marked_cache.get(figures, _UNSEEN)
            if marked is _UNSEEN:
                marked = marked_cache[figures] = _marked_up(sheet, markup.percent)
            if marked is None:
                keys.append(None)
                continue
            # the cached figures stand for the sheet's: keyed by identity, nothing rehashed
            key: tuple[object, ...] = (id(marked), id(markup), sheet.is_estimated)
            if key not in shared:
                shared[key] = (marked, markup, sheet.is_estimated)
                if marked[4] > places:
                    places = marked[4]
            keys.append(key)
        self.scale = places
        self._decimals: dict[int, Decimal] = {}
        self._unit = f"E-{places + 6}"
        prices: dict[tuple[object, ...] | None, RoutePrice] = {}
        with localcontext() as ctx:
            ctx.prec = 80
            for key, ((per_token, rin, rout, fixed, _), markup, estimated) in shared.items():
                prices[key] = RoutePrice(
                    per_token,
                    int(rin.scaleb(places)),
                    int(rout.scaleb(places)),
                    int(fixed.scaleb(places + 6)),
                    markup,
                    estimated,
                )
        self.by_route: dict[int, RoutePrice | None] = dict(
            zip(route_ids, map(prices.get, keys), strict=True)
        )

    def get(self, route: Route) -> RoutePrice | None:
        return self.by_route.get(id(route))

    def to_decimal(self, key: int) -> Decimal:
        found = self._decimals.get(key)
        if found is None:
            if len(self._decimals) > 65536:
                self._decimals.clear()
            found = self._decimals[key] = Decimal(f"{key}{self._unit}")
        return found

    def cap_key(self, cap: Decimal) -> int:
        """The largest key whose price is at most ``cap``."""
        with localcontext() as ctx:
            ctx.prec = 80
            return int(cap.scaleb(self.scale + 6))

    def fresh(self, now: datetime | None = None) -> bool:
        """False once a markup override in the book has expired since the table was built."""
        if self.valid_until is None:
            return True
        return (now or datetime.now(UTC)) < self.valid_until


def _markups(
    book: MarkupBook, when: datetime
) -> tuple[Markup | None, Callable[[Route, str, HostingType], Markup]]:
    """``book.resolve`` for every route, sharing one Markup per default (the usual case);
    and the markup of every external route when no override can change it (else None)."""
    if book.model_overrides or book.provider_overrides:
        return None, lambda route, provider_id, hosting: book.resolve(
            route, provider_id, hosting, at=when
        )
    external = Markup(book.external_percent, MarkupSource.DEFAULT)
    hosted = Markup(book.self_hosted_percent, MarkupSource.DEFAULT)
    own: dict[Decimal, Markup] = {}
    self_hosted = HostingType.SELF_HOSTED

    def resolve(route: Route, provider_id: str, hosting: HostingType) -> Markup:  # noqa: ARG001
        if hosting is not self_hosted:
            return external
        deployment = route.self_hosted
        percent = deployment.markup_percent if deployment is not None else None
        if percent is None:
            return hosted
        found = own.get(percent)
        if found is None:
            found = own[percent] = Markup(percent, MarkupSource.DEFAULT)
        return found

    return external, resolve


def _marked_up(sheet: PriceSheet, percent: Decimal) -> Marked | None:
    """The marked-up rates and fixed part of a sheet, with their most decimal places."""
    if sheet.pricing_type is PricingType.PER_TOKEN:
        rin = apply_markup(sheet.input_per_1m or _ZERO, percent)
        rout = apply_markup(sheet.output_per_1m or _ZERO, percent)
        fee = sheet.per_request
        fixed = apply_markup(fee, percent) if fee is not None else _ZERO
        return True, rin, rout, fixed, _places(rin, rout, fixed)
    units = [value for name in _UNIT_FIELDS if (value := getattr(sheet, name)) is not None]
    if not units:
        return None
    total = _ZERO
    for value in units:
        total += apply_markup(value, percent)
    return False, _ZERO, _ZERO, total, _places(total)


def _places(*values: Decimal) -> int:
    return max(-int(v.normalize().as_tuple().exponent) for v in values)


def _next_expiry(book: MarkupBook, now: datetime) -> datetime | None:
    expiries = [
        o.expires_at
        for o in (*book.model_overrides.values(), *book.provider_overrides.values())
        if o.expires_at is not None and o.expires_at > now
    ]
    return min(expiries) if expiries else None
