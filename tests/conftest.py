"""Shared fixtures: a small valid spec and the Pulumi mock runtime that records resource inputs."""

from __future__ import annotations

import pulumi
import pytest

from components.offline import RecordingMocks
from components.spec import TaskDefinitionSpec

WEB_REPOSITORY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web"
SIDECAR_REPOSITORY = "registry.example.com:5000/ops/sidecar"


def spec_document(**overrides) -> dict:
    """A small valid Fargate task definition in API shape (camelCase), with top-level overrides."""
    document = {
        "family": "shop-web",
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "0.5 vCPU",
        "memory": "1 GB",
        "executionRoleArn": "arn:aws:iam::123456789012:role/shop-web-execution",
        "containerDefinitions": [
            {
                "name": "web",
                "image": WEB_REPOSITORY,
                "portMappings": [{"containerPort": 8080}],
                "environment": [{"name": "Z_LAST", "value": "z"}, {"name": "A_FIRST", "value": "a"}],
                "secrets": [
                    {"name": "TOKEN", "valueFrom": "arn:aws:ssm:eu-west-1:123456789012:parameter/token"},
                    {"name": "DB", "valueFrom": "arn:aws:ssm:eu-west-1:123456789012:parameter/db"},
                ],
                "mountPoints": [{"sourceVolume": "cache", "containerPath": "/cache"}],
            },
            {"name": "sidecar", "image": f"{SIDECAR_REPOSITORY}:1.0", "essential": False},
        ],
        "volumes": [{"name": "cache"}],
    }
    document.update(overrides)
    return document


def numbers(value):
    """``value`` with whole-number floats as ints: the mock runtime hands numbers back as floats."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [numbers(v) for v in value]
    return value


@pytest.fixture
def spec() -> TaskDefinitionSpec:
    return TaskDefinitionSpec.model_validate(spec_document())


@pytest.fixture
def mocks() -> RecordingMocks:
    """The mock runtime, installed (``preview=False``); ``mocks.resources`` records every registration."""
    recording = RecordingMocks(region="eu-west-1")
    pulumi.runtime.set_mocks(recording, project="ecs-release", stack="test", preview=False)
    return recording


@pytest.fixture(scope="session")
def moto_endpoint():
    """One moto server on 127.0.0.1 (a free port) for the whole run; its URL.

    moto keeps one in-process backend whatever the number of servers, so one server is all
    the isolation there is: tests use their own names, or reset it (``POST /moto-api/reset``).
    """
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def moto_client(endpoint: str, service: str, region: str = "eu-west-1"):
    """A boto3 client of the moto server, with dummy credentials: nothing leaves 127.0.0.1."""
    import boto3

    return boto3.client(
        service, region_name=region, endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def run_provider_in_fresh_interpreter(provider, props: dict, env: dict[str, str]) -> dict:
    """What Pulumi's dynamic-provider host does: unpickle ``provider`` in its own process, started in
    the project directory with nothing else on ``sys.path``, call ``create(props)``; its outputs."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from pulumi.dynamic.dynamic import serialize_provider

    script = (
        "import base64, json, os, dill\n"
        "provider = dill.loads(base64.b64decode(os.environ['PROVIDER']))\n"
        "print(json.dumps(provider.create(json.loads(os.environ['PROPS'])).outs))\n"
    )
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    environment.update(env, PROVIDER=serialize_provider(provider), PROPS=json.dumps(props))
    project = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", script], cwd=project, env=environment, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
