"""The SageMaker thermal backend against moto's SageMaker server on 127.0.0.1 (real HTTP,
boto3 with dummy credentials), and the DescribeEndpoint mapping; boto3 stays unimported
unless this backend is used."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer
from sqlalchemy import Engine

from manage_helpers import seed
from radiant.domain import ThermalState
from radiant.domain.route import ThermalDefaults
from radiant.health.thermal import (
    SageMakerThermalBackend,
    ThermalBackendError,
    ThermalManager,
    observe_endpoint,
)
from radiant.health.thermal.backends import EndpointSpec

MODEL = "tiny-detector"
ENDPOINT = "radiant-tiny-detector"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sagemaker(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    """A boto3 SageMaker client of moto's server on 127.0.0.1."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
    }.items():
        monkeypatch.setenv(name, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    # moto keeps its state per process: start from nothing
    reset = urllib.request.Request(f"http://{host}:{port}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=10).close()
    client = boto3.client(
        "sagemaker", region_name="us-east-1", endpoint_url=f"http://{host}:{port}"
    )
    try:
        yield client
    finally:
        client.close()
        server.stop()


def _create_endpoint(client: Any, name: str, instances: int) -> None:
    client.create_model(
        ModelName=f"{name}-model",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sagemaker",
        PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1"},
    )
    client.create_endpoint_config(
        EndpointConfigName=f"{name}-config",
        ProductionVariants=[
            {
                "VariantName": "main",
                "ModelName": f"{name}-model",
                "InitialInstanceCount": instances,
                "InstanceType": "ml.g4dn.xlarge",
                "InitialVariantWeight": 1.0,
            }
        ],
    )
    client.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config")


@pytest.mark.slow
def test_sagemaker_endpoint_states_through_moto(
    sagemaker: Any, migrated: Engine, small_catalog: Path
) -> None:
    seed(migrated, small_catalog)
    clock = Clock()
    backend = SageMakerThermalBackend(sagemaker)
    manager = ThermalManager(migrated, backend, clock=clock)

    manager.refresh()  # no endpoint yet: OFF
    (state,) = manager.list()
    assert state["current_state"] == "OFF" and state["backend_status"] == "NotFound"

    _create_endpoint(sagemaker, ENDPOINT, instances=1)
    report = manager.refresh()
    (state,) = manager.list()
    assert state["current_state"] == "WARM" and state["backend_status"] == "InService"
    assert state["instance_count"] == 1 and report.bumped

    # idle past the catalog's 15 minutes: the backend scales it to zero -> COLD
    clock.now += 15 * 60 + 1
    report = manager.refresh()
    assert report.counts["scaled_to_zero"] == 1
    (state,) = manager.list()
    assert state["current_state"] == "COLD" and state["instance_count"] == 0
    variants = sagemaker.describe_endpoint(EndpointName=ENDPOINT)["ProductionVariants"]
    assert variants[0]["DesiredInstanceCount"] == 0

    view = manager.warm(MODEL)  # the operator warms it: one instance again
    assert view["current_state"] == "WARM" and view["target_state"] == "WARM"
    variants = sagemaker.describe_endpoint(EndpointName=ENDPOINT)["ProductionVariants"]
    assert variants[0]["CurrentInstanceCount"] == 1


@pytest.mark.slow
def test_scaling_a_missing_endpoint_is_a_clear_error(sagemaker: Any) -> None:
    backend = SageMakerThermalBackend(sagemaker)
    spec = EndpointSpec(MODEL, "radiant-nothing-here", ThermalDefaults())
    assert backend.describe(spec).state is ThermalState.OFF
    with pytest.raises(ThermalBackendError, match="no endpoint radiant-nothing-here"):
        backend.warm(spec)


def _described(status: str, current: int | None, desired: int | None = None) -> dict[str, Any]:
    variant: dict[str, Any] = {"VariantName": "main"}
    if current is not None:
        variant["CurrentInstanceCount"] = current
    if desired is not None:
        variant["DesiredInstanceCount"] = desired
    return {"EndpointStatus": status, "ProductionVariants": [variant]}


@pytest.mark.parametrize(
    ("description", "state", "moving"),
    [
        (_described("Creating", None), ThermalState.COLD, True),
        (_described("InService", 1, 1), ThermalState.WARM, False),
        (_described("InService", 3, 3), ThermalState.HOT, False),
        (_described("InService", 0, 0), ThermalState.COLD, False),
        (_described("InService", 0, 1), ThermalState.COLD, True),
        (_described("Updating", 1, 2), ThermalState.WARM, True),
        (_described("Deleting", 1), ThermalState.OFF, True),
        ({"EndpointStatus": "Failed", "FailureReason": "no capacity"}, ThermalState.OFF, False),
    ],
)
def test_describe_endpoint_mapping(
    description: dict[str, Any], state: ThermalState, moving: bool
) -> None:
    observed = observe_endpoint(description)
    assert (observed.state, observed.transitioning) == (state, moving)
    assert observed.backend_status == description["EndpointStatus"]
    if description["EndpointStatus"] == "Failed":
        assert observed.error == "no capacity"


@pytest.mark.slow
def test_boto3_is_not_imported_without_the_sagemaker_backend() -> None:
    code = (
        "import sys\n"
        "import radiant.health, radiant.health.jobs, radiant.health.thermal\n"
        "from radiant.health.thermal import LocalThermalBackend\n"
        "LocalThermalBackend()\n"
        "assert 'boto3' not in sys.modules and 'botocore' not in sys.modules, 'boto3 imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
