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


@pytest.fixture
def spec() -> TaskDefinitionSpec:
    return TaskDefinitionSpec.model_validate(spec_document())


@pytest.fixture
def mocks() -> RecordingMocks:
    """The mock runtime, installed (``preview=False``); ``mocks.resources`` records every registration."""
    recording = RecordingMocks(region="eu-west-1")
    pulumi.runtime.set_mocks(recording, project="ecs-release", stack="test", preview=False)
    return recording
