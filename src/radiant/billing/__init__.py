"""Billing: daily usage rollups and monthly invoices, built from ``usage_events``.

* :func:`rollup_day` rebuilds one day's ``usage_rollups`` (per tenant and model);
* :func:`make_invoices` makes a month's draft ``invoices`` from them, with the volume
  discount and the free tier of :mod:`radiant.pricing.billing_rules` applied.

Both are idempotent: running them again replaces what they made before (an invoice
that is no longer a draft is left alone).
"""

from radiant.billing.invoices import InvoiceSummary, make_invoices, parse_month
from radiant.billing.rollup import RollupSummary, parse_day, rollup_day

__all__ = [
    "InvoiceSummary",
    "RollupSummary",
    "make_invoices",
    "parse_day",
    "parse_month",
    "rollup_day",
]
