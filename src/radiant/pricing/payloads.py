"""The shapes the API and the CLI print for a priced usage: admin (cost, markup, margin)
and client (prices only). Money stays ``Decimal``; JSON carries it as strings."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from radiant.pricing.price import PricedUsage

__all__ = ["plain", "plain_dict", "priced_payload", "to_cents"]

_CENT = Decimal("0.01")
#: wide enough for the largest amount bounded inputs make (10^15 tokens at the largest
#: price and markup): the default 28 digits would make quantize raise, not round
_DISPLAY = Context(prec=60)


def to_cents(value: Decimal) -> Decimal:
    """Rounded for display and invoices (half up); the engine itself never rounds."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP, context=_DISPLAY)


def plain(value: Any) -> Any:
    """Decimals as normalised strings (``"17.5"``, never floats), recursively."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def plain_dict(value: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = plain(value)
    return result


def priced_payload(
    priced: PricedUsage, *, admin: bool, model_id: str, platform: str, tenant_id: str | None = None
) -> dict[str, Any]:
    common: dict[str, Any] = {
        "view": "admin" if admin else "client",
        "model_id": model_id,
        "route_id": priced.route_id,
        "platform": platform,
        "tenant_id": tenant_id,
        "is_estimated": priced.is_estimated,
        "long_context": priced.long_context,
        "batch": priced.batch,
        "unpriced": list(priced.unpriced),
    }
    if not admin:
        return plain_dict(
            {
                **common,
                "lines": [
                    {
                        "item": line.item,
                        "quantity": line.quantity,
                        "unit": line.unit,
                        "unit_price": line.unit_price,
                        "price": line.price,
                    }
                    for line in priced.lines
                ],
                "total_price": priced.total_price,
                "total_price_usd": format(to_cents(priced.total_price), "f"),
            }
        )
    markup = priced.markup
    return plain_dict(
        {
            **common,
            "lines": [line._asdict() for line in priced.lines],
            "total_cost": priced.total_cost,
            "total_price": priced.total_price,
            "total_price_usd": format(to_cents(priced.total_price), "f"),
            "margin": priced.margin,
            "margin_percent": priced.margin_percent,
            "markup": {
                "percent": markup.percent,
                "source": markup.source.value,
                "set_by": markup.set_by,
                "set_at": markup.set_at,
                "reason": markup.reason,
                "expires_at": markup.expires_at,
            },
        }
    )
