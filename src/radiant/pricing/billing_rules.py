"""Billing rules (tier limits, volume discounts, free tier), as data the gateway and invoices use.

* volume discounts by monthly spend (PRICE, USD): the highest tier reached applies, a
  boundary included (exactly $100 gets 5 %);
* free-tier limits per month: within the free tier when no count is above its limit;
* rate limits by tenant tier 1-5 (requests and tokens per minute).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from radiant.errors import ValidationError

__all__ = [
    "FREE_TIER",
    "TIER_LIMITS",
    "VOLUME_DISCOUNTS",
    "TierLimit",
    "VolumeDiscount",
    "apply_volume_discount",
    "billing_rules",
    "tier_limits",
    "volume_discount",
    "within_free_tier",
]


@dataclass(frozen=True, slots=True)
class VolumeDiscount:
    min_monthly_spend: Decimal
    discount: Decimal  # a fraction: 0.05 is 5 %


@dataclass(frozen=True, slots=True)
class TierLimit:
    tier: int
    name: str
    rpm: int
    tpm: int


VOLUME_DISCOUNTS: tuple[VolumeDiscount, ...] = (
    VolumeDiscount(Decimal(100), Decimal("0.05")),
    VolumeDiscount(Decimal(500), Decimal("0.10")),
    VolumeDiscount(Decimal(1000), Decimal("0.15")),
    VolumeDiscount(Decimal(5000), Decimal("0.20")),
    VolumeDiscount(Decimal(10000), Decimal("0.25")),
)

#: per month
FREE_TIER: dict[str, int] = {
    "tokens": 100_000,
    "requests": 1_000,
    "images": 10,
    "video_seconds": 60,
    "audio_minutes": 10,
    "embeddings": 10_000,
}

TIER_LIMITS: dict[int, TierLimit] = {
    1: TierLimit(1, "SEED", 60, 100_000),
    2: TierLimit(2, "STARTUP", 200, 500_000),
    3: TierLimit(3, "GROWTH", 1_000, 2_000_000),
    4: TierLimit(4, "SCALE", 5_000, 10_000_000),
    5: TierLimit(5, "ENTERPRISE", 20_000, 50_000_000),
}


def volume_discount(monthly_spend: Decimal) -> Decimal:
    """The discount fraction a month's spend earns."""
    rate = Decimal(0)
    for tier in VOLUME_DISCOUNTS:
        if monthly_spend >= tier.min_monthly_spend:
            rate = tier.discount
    return rate


def apply_volume_discount(monthly_spend: Decimal, amount: Decimal) -> Decimal:
    return amount - amount * volume_discount(monthly_spend)


def within_free_tier(usage: dict[str, int | Decimal]) -> bool:
    unknown = set(usage) - set(FREE_TIER)
    if unknown:
        raise ValidationError(f"unknown free-tier counter(s): {', '.join(sorted(unknown))}")
    return all(usage.get(name, 0) <= limit for name, limit in FREE_TIER.items())


def tier_limits(tier: int) -> TierLimit:
    try:
        return TIER_LIMITS[tier]
    except KeyError:
        raise ValidationError(f"tier must be 1-5, not {tier}") from None


def billing_rules() -> dict[str, Any]:
    """Every rule, as plain data (money as Decimal)."""
    return {
        "volume_discounts": [
            {"min_monthly_spend": d.min_monthly_spend, "discount_percent": d.discount * 100}
            for d in VOLUME_DISCOUNTS
        ],
        "free_tier": dict(FREE_TIER),
        "tier_limits": [
            {"tier": t.tier, "name": t.name, "rpm": t.rpm, "tpm": t.tpm}
            for t in TIER_LIMITS.values()
        ],
    }
