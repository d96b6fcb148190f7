"""Where self-hosted endpoints really run, behind one small interface.

A :class:`ThermalBackend` describes an endpoint, warms it (at least one instance) and
scales it to zero. States, from the backend's instance count:

* ``OFF``: no endpoint exists (an endpoint SageMaker cannot find is OFF);
* ``COLD``: the endpoint exists with no instance (scaled to zero), or is being created;
* ``WARM``: one instance serving;
* ``HOT``: more than one instance serving (scaled out under load).

``AUTOMATIC`` is never an observed state: it is a target (Radiant warms the endpoint when
requests arrive and scales it to zero when idle).

:class:`LocalThermalBackend` simulates endpoints in memory with a clock (tests, demos);
:class:`radiant.health.thermal.sagemaker.SageMakerThermalBackend` asks SageMaker.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from radiant.domain import ThermalState
from radiant.domain.route import ThermalDefaults
from radiant.errors import RadiantError

__all__ = [
    "EndpointSpec",
    "LocalThermalBackend",
    "Observation",
    "ThermalBackend",
    "ThermalBackendError",
    "state_for_instances",
]


class ThermalBackendError(RadiantError):
    """The backend (SageMaker, ...) refused or could not be reached."""

    status = 502
    title = "Thermal backend error"


@dataclass(frozen=True, slots=True)
class EndpointSpec:
    model_id: str
    endpoint_name: str
    defaults: ThermalDefaults


@dataclass(frozen=True, slots=True)
class Observation:
    state: ThermalState
    transitioning: bool
    instance_count: int
    #: the backend's own word (SageMaker ``EndpointStatus``: InService, Creating, ...)
    backend_status: str
    error: str | None = None


def state_for_instances(instances: int) -> ThermalState:
    if instances <= 0:
        return ThermalState.COLD
    return ThermalState.WARM if instances == 1 else ThermalState.HOT


class ThermalBackend(Protocol):
    def describe(self, spec: EndpointSpec) -> Observation:
        """The endpoint's real state now."""
        ...

    def warm(self, spec: EndpointSpec) -> None:
        """Ask for ``max(1, min_instances)`` instances (it may take the warm-up time)."""
        ...

    def scale_to_zero(self, spec: EndpointSpec) -> None:
        """Ask for no instance at all."""
        ...


@dataclass
class _Endpoint:
    instances: int = 0
    desired: int = 0
    ready_at: float = 0.0


class LocalThermalBackend:
    """Endpoints in memory; warming takes the spec's ``warmup_time_seconds`` on ``clock``.

    With ``auto_create`` every endpoint asked about exists (COLD at first); without it only
    those made with :meth:`create` do, the others are OFF.
    """

    def __init__(self, clock: Callable[[], float] = time.time, *, auto_create: bool = True) -> None:
        self.clock = clock
        self.auto_create = auto_create
        self._endpoints: dict[str, _Endpoint] = {}
        self._lock = threading.Lock()

    def create(self, endpoint_name: str, instances: int = 0) -> None:
        with self._lock:
            self._endpoints[endpoint_name] = _Endpoint(instances, instances)

    def delete(self, endpoint_name: str) -> None:
        with self._lock:
            self._endpoints.pop(endpoint_name, None)

    def _get(self, spec: EndpointSpec) -> _Endpoint | None:
        endpoint = self._endpoints.get(spec.endpoint_name)
        if endpoint is None and self.auto_create:
            endpoint = self._endpoints[spec.endpoint_name] = _Endpoint()
        return endpoint

    def describe(self, spec: EndpointSpec) -> Observation:
        with self._lock:
            endpoint = self._get(spec)
            if endpoint is None:
                return Observation(ThermalState.OFF, False, 0, "NotFound")
            if endpoint.desired != endpoint.instances and self.clock() >= endpoint.ready_at:
                endpoint.instances = endpoint.desired
            moving = endpoint.desired != endpoint.instances
            status = (
                ("Creating" if endpoint.instances == 0 else "Updating") if moving else "InService"
            )
            return Observation(
                state_for_instances(endpoint.instances), moving, endpoint.instances, status
            )

    def warm(self, spec: EndpointSpec) -> None:
        with self._lock:
            endpoint = self._get(spec)
            if endpoint is None:
                raise ThermalBackendError(f"no endpoint {spec.endpoint_name}")
            wanted = max(1, spec.defaults.min_instances)
            if endpoint.instances >= wanted:
                return
            endpoint.desired = wanted
            endpoint.ready_at = self.clock() + spec.defaults.warmup_time_seconds

    def scale_to_zero(self, spec: EndpointSpec) -> None:
        with self._lock:
            endpoint = self._get(spec)
            if endpoint is not None:
                endpoint.instances = endpoint.desired = 0
