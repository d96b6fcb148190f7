"""Pricing tables: markup overrides and estimated-cost alerts."""

from __future__ import annotations

__all__: list[str] = []
