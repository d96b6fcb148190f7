"""The largest whole numbers the database columns hold, as plain constants.

The domain's pydantic types bound user numbers with them (:mod:`radiant.domain.numbers`,
:mod:`radiant.domain.base`), and so do the CLI's options, which must not load pydantic
to parse a command line or print its help.
"""

from __future__ import annotations

__all__ = ["COUNT_MAX", "INT32_MAX", "INT64_MAX"]

#: The largest value an INTEGER column holds on every backend.
INT32_MAX = 2**31 - 1
#: Offsets and row ids: a signed 64-bit integer, SQLite's ``INTEGER`` and PostgreSQL's
#: ``bigint``.
INT64_MAX = 2**63 - 1
#: Counts (tokens, requests, images): a quadrillion, so a count times the largest price
#: stays far inside ``Decimal``'s 28 digits.
COUNT_MAX = 10**15
