"""Thermal states of SageMaker endpoints (extra ``radiant-registry[aws]``: boto3, imported only
when this backend is built).

``DescribeEndpoint`` is mapped onto thermal states, refined by
instance counts: ``Creating`` is COLD and transitioning; ``InService`` is COLD, WARM or
HOT by the current instance count (transitioning while the desired count differs);
``Updating``/``SystemUpdating``/``RollingBack`` keep the state of the current count and
are transitioning; ``OutOfService``, ``Failed``, ``UpdateRollbackFailed`` and ``Deleting``
are OFF (with the failure reason); an endpoint SageMaker cannot find is OFF.

Warming sets the desired instance count of every variant to ``max(1, min_instances)``
(``UpdateEndpointWeightsAndCapacities``); scaling to zero sets it to 0, which SageMaker
accepts for endpoints set up to scale to zero (inference components).
"""

from __future__ import annotations

from typing import Any

from radiant.domain import ThermalState
from radiant.errors import RadiantError
from radiant.health.thermal.backends import (
    EndpointSpec,
    Observation,
    ThermalBackendError,
    state_for_instances,
)

__all__ = ["SageMakerThermalBackend", "observe_endpoint"]

_MOVING = {"Updating", "SystemUpdating", "RollingBack"}


def _count(variants: list[dict[str, Any]], key: str, fallback: str | None = None) -> int:
    total = 0
    for variant in variants:
        value = variant.get(key)
        if value is None and fallback is not None:
            value = variant.get(fallback)
        total += int(value or 0)
    return total


def observe_endpoint(description: dict[str, Any]) -> Observation:
    """A ``DescribeEndpoint`` answer as a thermal observation."""
    status = str(description.get("EndpointStatus") or "Unknown")
    variants = list(description.get("ProductionVariants") or [])
    current = _count(variants, "CurrentInstanceCount")
    desired = _count(variants, "DesiredInstanceCount", "CurrentInstanceCount")
    if status == "Creating":
        return Observation(ThermalState.COLD, True, current, status)
    if status == "InService":
        return Observation(state_for_instances(current), desired != current, current, status)
    if status in _MOVING:
        return Observation(state_for_instances(current), True, current, status)
    reason = description.get("FailureReason")
    return Observation(ThermalState.OFF, status == "Deleting", current, status, reason)


class SageMakerThermalBackend:
    def __init__(
        self,
        client: Any = None,
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
    ) -> None:
        if client is None:
            try:
                import boto3  # an optional extra (``radiant-registry[aws]``): imported when used
            except ImportError:
                raise RadiantError(
                    "the SageMaker thermal backend needs boto3: pip install 'radiant-registry[aws]'"
                ) from None
            client = boto3.client("sagemaker", region_name=region, endpoint_url=endpoint_url)
        self.client = client

    def _describe(self, name: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError  # with boto3, an optional extra

        try:
            answer: dict[str, Any] = self.client.describe_endpoint(EndpointName=name)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            if error.get("Code") == "ValidationException" and "Could not find" in str(
                error.get("Message", "")
            ):
                return None
            raise ThermalBackendError(
                f"SageMaker DescribeEndpoint {name}: {error.get('Message') or exc}"
            ) from None
        return answer

    def describe(self, spec: EndpointSpec) -> Observation:
        description = self._describe(spec.endpoint_name)
        if description is None:
            return Observation(ThermalState.OFF, False, 0, "NotFound")
        return observe_endpoint(description)

    def _scale(self, spec: EndpointSpec, instances: int) -> None:
        from botocore.exceptions import ClientError  # with boto3, an optional extra

        description = self._describe(spec.endpoint_name)
        if description is None:
            raise ThermalBackendError(f"SageMaker has no endpoint {spec.endpoint_name}")
        variants = [
            {"VariantName": v["VariantName"], "DesiredInstanceCount": instances}
            for v in description.get("ProductionVariants") or []
        ]
        if not variants:
            return
        try:
            self.client.update_endpoint_weights_and_capacities(
                EndpointName=spec.endpoint_name, DesiredWeightsAndCapacities=variants
            )
        except ClientError as exc:
            message = exc.response.get("Error", {}).get("Message") or str(exc)
            raise ThermalBackendError(
                f"SageMaker cannot scale {spec.endpoint_name}: {message}"
            ) from None

    def warm(self, spec: EndpointSpec) -> None:
        self._scale(spec, max(1, spec.defaults.min_instances))

    def scale_to_zero(self, spec: EndpointSpec) -> None:
        self._scale(spec, 0)
