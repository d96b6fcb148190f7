"""Thermal states of self-hosted endpoints: the target an operator sets, the state the
backend reports, the timers of the catalog (``ThermalDefaults`` of each self-hosted route).

Targets:

* ``WARM``: warm it now (``warm``); once idle for ``scale_to_zero_minutes`` it goes
  COLD and the target is cleared;
* ``HOT``: keep it warm, never scale it to zero;
* ``AUTOMATIC``: warm it when a request arrived since it went cold, scale it to zero when
  idle (the default of a route whose ``default_state`` is AUTOMATIC);
* ``COLD``/``OFF``: scale it to zero.

``touch(model_id)`` is what the gateway calls per request to a self-hosted model: it only
notes the time in memory; :meth:`ThermalManager.flush_touches` (also run by ``refresh``)
writes ``last_request_at``. ``refresh`` (the ``thermal`` job, every 5 minutes) asks the
backend for each endpoint's real state, applies the targets and timers and stores
``thermal_states``; the registry version is bumped only when a current state changed
(``ModelEntry.thermal_state`` lives in the snapshot).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from radiant.core.audit import audit_write
from radiant.core.context import WriteContext, authorize
from radiant.domain import ThermalState
from radiant.errors import RadiantError, ValidationError
from radiant.health.thermal.backends import EndpointSpec, Observation, ThermalBackend
from radiant.providers.self_hosted import endpoint_name, route_endpoint_name
from radiant.registry.service import build_snapshot
from radiant.security import Permission
from radiant.store.repository import bump_version, store_errors
from radiant.store.tables import ThermalStateRow
from radiant.sync.jobs import NullProgress, Progress

__all__ = ["ThermalManager", "ThermalReport", "endpoint_name"]

logger = logging.getLogger(__name__)

_SERVING = (ThermalState.WARM, ThermalState.HOT)


@dataclass
class ThermalReport:
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    endpoints: list[dict[str, Any]] = field(default_factory=list)
    bumped: bool = False


def _at(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


class ThermalManager:
    def __init__(
        self,
        engine: Engine,
        backend: ThermalBackend,
        *,
        clock: Callable[[], float] = time.time,
        endpoint_prefix: str = "radiant-",
    ) -> None:
        self.engine = engine
        self.backend = backend
        self.clock = clock
        self.endpoint_prefix = endpoint_prefix
        self._touches: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ background flush

    def start(self, interval: float = 5.0) -> None:
        """Write the request times :meth:`touch` noted every ``interval`` seconds, in a
        thread (a gateway process; the thermal job may run in another one)."""
        if self._thread is not None:
            return
        self._stop.clear()

        def run() -> None:
            while not self._stop.wait(interval):
                try:
                    self.flush_touches()
                except RadiantError as exc:
                    logger.warning("thermal: cannot write request times: %s", exc)

        self._thread = threading.Thread(target=run, name="radiant-thermal", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.flush_touches()

    # ------------------------------------------------------------------ endpoints

    def endpoints(self) -> dict[str, EndpointSpec]:
        """Every enabled self-hosted route's endpoint, by model id (from the registry)."""

        specs: dict[str, EndpointSpec] = {}
        for entry in build_snapshot(self.engine).entries:
            for route in entry.routes:
                deploy = route.self_hosted
                if deploy is None or not deploy.enabled or entry.id in specs:
                    continue
                specs[entry.id] = EndpointSpec(
                    entry.id,
                    route_endpoint_name(entry.id, route.metadata, self.endpoint_prefix),
                    deploy.thermal,
                )
        return specs

    def _spec(self, model_id: str) -> EndpointSpec:

        entry = build_snapshot(self.engine).resolve(model_id)
        spec = self.endpoints().get(entry.id)
        if spec is None:
            raise ValidationError(f"{entry.id} is not a self-hosted model: it has no thermal state")
        return spec

    # ------------------------------------------------------------------ the request path

    def touch(self, model_id: str) -> None:
        """A request for ``model_id`` arrived now (in memory; written by :meth:`flush_touches`)."""
        now = self.clock()
        with self._lock:
            self._touches[model_id] = max(now, self._touches.get(model_id, now))

    def _take_touches(self) -> dict[str, float]:
        with self._lock:
            touches, self._touches = self._touches, {}
        return touches

    @staticmethod
    def _touched(row: ThermalStateRow, at: float | None) -> None:
        if at is None:
            return
        when = _at(at)
        if row.last_request_at is None or row.last_request_at < when:
            row.last_request_at = when

    def flush_touches(self) -> int:
        """Write the request times noted by :meth:`touch` (endpoints already refreshed once)."""
        touches = self._take_touches()
        if not touches:
            return 0
        with store_errors(), Session(self.engine) as session, session.begin():
            rows = {
                r.model_id: r
                for r in session.execute(
                    select(ThermalStateRow).where(ThermalStateRow.model_id.in_(touches))
                ).scalars()
            }
            for model_id, at in touches.items():
                row = rows.get(model_id)
                if row is None:  # never refreshed: keep it for the refresh that creates it
                    with self._lock:
                        self._touches[model_id] = max(at, self._touches.get(model_id, at))
                    continue
                self._touched(row, at)
        return len(touches)

    # ------------------------------------------------------------------ operator actions

    def warm(self, model_id: str, ctx: WriteContext | None = None) -> dict[str, Any]:
        """Target WARM now: ask the backend for an instance; transitioning until it serves."""
        if ctx is not None:
            authorize(ctx.principal, [Permission.STATUS_WRITE])
        spec = self._spec(model_id)
        now = self.clock()
        self.backend.warm(spec)
        observed = self.backend.describe(spec)
        with store_errors(), Session(self.engine) as session, session.begin():
            row = self._row(session, spec, now)
            old = _state_dict(row)
            row.target_state = ThermalState.WARM.value
            row.warmup_started_at = _at(now)
            changed = self._observe(row, observed, now)
            if ctx is not None:
                audit_write(
                    session, ctx, "thermal.warm", "model", spec.model_id, old, _state_dict(row)
                )
            if changed:
                bump_version(session, models=())  # thermal state only
            return self._view(row, spec)

    # ------------------------------------------------------------------ the job

    def refresh(self, progress: Progress | None = None) -> ThermalReport:
        """Ask the backend for every endpoint, apply targets and timers, store the states."""
        progress = progress or NullProgress()
        touches = self._take_touches()
        specs = self.endpoints()
        report = ThermalReport()
        progress.start(len(specs), "checking self-hosted endpoints")
        now = self.clock()
        with store_errors(), Session(self.engine) as session, session.begin():
            for spec in specs.values():
                row = self._row(session, spec, now)
                self._touched(row, touches.get(spec.model_id))
                try:
                    action = self._act(row, spec, now)
                    observed = self.backend.describe(spec)
                except RadiantError as exc:
                    row.last_error = str(exc)
                    row.last_checked_at = _at(now)
                    report.errors.append(f"{spec.model_id}: {exc}")
                    report.counts["errors"] += 1
                    progress.advance(1, f"{spec.model_id}: {exc}")
                    continue
                if self._observe(row, observed, now):
                    report.bumped = True
                    report.counts["changed"] += 1
                report.counts[row.current_state] += 1
                if action:
                    report.counts[action] += 1
                report.endpoints.append({**self._view(row, spec), "action": action})
                progress.advance(1, f"{spec.model_id}: {row.current_state}")
            if report.bumped:
                bump_version(session, models=())  # thermal state only
        return report

    def _act(self, row: ThermalStateRow, spec: EndpointSpec, now: float) -> str | None:
        """Warm or scale to zero as the target and timers say; the action taken, if any."""
        observed = self.backend.describe(spec)
        target = ThermalState(row.target_state) if row.target_state else None
        if observed.state is ThermalState.OFF or observed.transitioning:
            return None
        if observed.state is ThermalState.COLD and self._wants_warm(row, target):
            self.backend.warm(spec)
            row.warmup_started_at = _at(now)
            return "warmed"
        if observed.state in _SERVING and self._should_cool(row, spec, target, now):
            self.backend.scale_to_zero(spec)
            if target is ThermalState.WARM:
                row.target_state = None
            return "scaled_to_zero"
        return None

    @staticmethod
    def _wants_warm(row: ThermalStateRow, target: ThermalState | None) -> bool:
        if target in _SERVING:
            return True
        if target is ThermalState.AUTOMATIC and row.last_request_at is not None:
            went_cold = row.state_changed_at
            return went_cold is None or row.last_request_at > went_cold
        return False

    def _should_cool(
        self, row: ThermalStateRow, spec: EndpointSpec, target: ThermalState | None, now: float
    ) -> bool:
        if target in (ThermalState.COLD, ThermalState.OFF):
            return True
        if target is ThermalState.HOT or spec.defaults.min_instances > 0:
            return False
        deadline = self._scale_to_zero_at(row, spec)
        return deadline is not None and _at(now) >= deadline

    @staticmethod
    def _scale_to_zero_at(row: ThermalStateRow, spec: EndpointSpec) -> datetime | None:
        idle_since = [t for t in (row.last_request_at, row.state_changed_at) if t is not None]
        if not idle_since:
            return None
        return max(idle_since) + timedelta(minutes=spec.defaults.scale_to_zero_minutes)

    def _row(self, session: Session, spec: EndpointSpec, now: float) -> ThermalStateRow:
        """The endpoint's row; one never checked (new, or made by a catalog sync with the
        default state as its state) starts from the catalog's defaults."""
        row = session.get(ThermalStateRow, spec.model_id)
        if row is None:
            row = ThermalStateRow(model_id=spec.model_id, is_transitioning=False, instance_count=0)
            session.add(row)
        if row.last_checked_at is None:
            default = spec.defaults.default_state
            wanted = default in (ThermalState.AUTOMATIC, ThermalState.HOT)
            row.target_state = row.target_state or (default.value if wanted else None)
            if row.current_state in (None, ThermalState.AUTOMATIC.value):
                row.current_state = ThermalState.COLD.value
            row.state_changed_at = row.state_changed_at or _at(now)
        row.endpoint_name = spec.endpoint_name
        return row

    @staticmethod
    def _observe(row: ThermalStateRow, observed: Observation, now: float) -> bool:
        """Store what the backend said; whether the current state changed."""
        changed = row.current_state != observed.state.value
        if changed:
            row.state_changed_at = _at(now)
        row.current_state = observed.state.value
        row.instance_count = observed.instance_count
        row.backend_status = observed.backend_status
        row.last_error = observed.error
        row.last_checked_at = _at(now)
        target = ThermalState(row.target_state) if row.target_state else None
        unmet = target in _SERVING and observed.state not in _SERVING
        row.is_transitioning = observed.transitioning or unmet
        return changed

    # ------------------------------------------------------------------ reads

    def list(self) -> list[dict[str, Any]]:
        """Every self-hosted endpoint with its stored state and timers."""
        specs = self.endpoints()
        with store_errors(), Session(self.engine) as session:
            rows = {r.model_id: r for r in session.execute(select(ThermalStateRow)).scalars()}
            views = []
            for model_id in sorted(specs):
                row = rows.get(model_id)
                if row is None:
                    row = ThermalStateRow(
                        model_id=model_id,
                        current_state=specs[model_id].defaults.default_state.value
                        if specs[model_id].defaults.default_state is not ThermalState.AUTOMATIC
                        else ThermalState.COLD.value,
                        is_transitioning=False,
                        instance_count=0,
                        endpoint_name=specs[model_id].endpoint_name,
                    )
                views.append(self._view(row, specs[model_id]))
            return views

    def _view(self, row: ThermalStateRow, spec: EndpointSpec) -> dict[str, Any]:
        defaults = spec.defaults
        state = ThermalState(row.current_state)
        target = ThermalState(row.target_state) if row.target_state else None
        ready_at = None
        if row.is_transitioning and row.warmup_started_at is not None:
            ready_at = row.warmup_started_at + timedelta(seconds=defaults.warmup_time_seconds)
        cools_at = None
        if state in _SERVING and target is not ThermalState.HOT and defaults.min_instances == 0:
            cools_at = self._scale_to_zero_at(row, spec)
        return {
            "model_id": spec.model_id,
            "endpoint_name": row.endpoint_name or spec.endpoint_name,
            "current_state": state.value,
            "target_state": target.value if target else None,
            "is_transitioning": bool(row.is_transitioning),
            "instance_count": row.instance_count or 0,
            "backend_status": row.backend_status,
            "warmup_time_seconds": defaults.warmup_time_seconds,
            "scale_to_zero_minutes": defaults.scale_to_zero_minutes,
            "min_instances": defaults.min_instances,
            "max_instances": defaults.max_instances,
            "last_request_at": row.last_request_at,
            "warmup_started_at": row.warmup_started_at,
            "ready_at": ready_at,
            "scale_to_zero_at": cools_at,
            "last_checked_at": row.last_checked_at,
            "last_error": row.last_error,
        }


def _state_dict(row: ThermalStateRow) -> dict[str, Any]:
    return {
        "current_state": row.current_state,
        "target_state": row.target_state,
        "is_transitioning": row.is_transitioning,
        "instance_count": row.instance_count,
    }
