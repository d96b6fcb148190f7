"""Warm-up requests: ask for a COLD self-hosted endpoint to become WARM.

The selector records the request in ``thermal_states`` (``target_state='WARM'``,
``is_transitioning=true``); a thermal manager
acts on it. Only a COLD (or OFF) endpoint is asked: one already warming, warm or hot is
left alone.
"""

from __future__ import annotations

from sqlalchemy import Engine, update

from radiant.store.engine import session_scope
from radiant.store.repository import store_errors
from radiant.store.tables import ThermalStateRow, utcnow

__all__ = ["request_warmup"]


def request_warmup(engine: Engine, model_id: str) -> bool:
    """Record a warm-up request for ``model_id``; True when a COLD endpoint was asked."""
    with store_errors(), session_scope(engine) as session:
        result = session.execute(
            update(ThermalStateRow)
            .where(
                ThermalStateRow.model_id == model_id,
                ThermalStateRow.current_state.in_(("COLD", "OFF")),
                ThermalStateRow.is_transitioning.is_(False),
            )
            .values(target_state="WARM", is_transitioning=True, updated_at=utcnow())
        )
        return bool(getattr(result, "rowcount", 0))
