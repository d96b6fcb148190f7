"""Thermal states of self-hosted endpoints (OFF, COLD, WARM, HOT; AUTOMATIC as a target).

:class:`ThermalManager` keeps ``thermal_states`` from what a :class:`ThermalBackend`
reports: :class:`LocalThermalBackend` (in memory, for tests and demos) or
:class:`SageMakerThermalBackend` (boto3, extra ``radiant-registry[aws]``; boto3 is imported only
when that backend is built).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from radiant.errors import ValidationError
from radiant.health.thermal.backends import (
    EndpointSpec,
    LocalThermalBackend,
    Observation,
    ThermalBackend,
    ThermalBackendError,
    state_for_instances,
)
from radiant.health.thermal.manager import ThermalManager, ThermalReport, endpoint_name
from radiant.health.thermal.sagemaker import SageMakerThermalBackend, observe_endpoint
from radiant.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = [
    "EndpointSpec",
    "LocalThermalBackend",
    "Observation",
    "SageMakerThermalBackend",
    "ThermalBackend",
    "ThermalBackendError",
    "ThermalManager",
    "ThermalReport",
    "backend_from_settings",
    "endpoint_name",
    "manager_from_settings",
    "observe_endpoint",
    "state_for_instances",
]


_LOCAL: LocalThermalBackend | None = None


def backend_from_settings() -> ThermalBackend:
    """``RADIANT_THERMAL_BACKEND``: ``local`` (default) or ``sagemaker``."""

    settings = get_settings()
    kind = settings.thermal_backend.strip().lower()
    if kind == "local":
        global _LOCAL  # noqa: PLW0603 - the process's one local backend, made on first use
        if _LOCAL is None:  # one per process: the API's warm and the thermal job agree
            _LOCAL = LocalThermalBackend()
        return _LOCAL
    if kind == "sagemaker":
        return SageMakerThermalBackend(endpoint_url=settings.sagemaker_endpoint_url)
    raise ValidationError(
        f"unknown thermal backend {settings.thermal_backend!r}: use 'local' or 'sagemaker'"
    )


def manager_from_settings(engine: Engine) -> ThermalManager:

    return ThermalManager(
        engine, backend_from_settings(), endpoint_prefix=get_settings().sagemaker_endpoint_prefix
    )
