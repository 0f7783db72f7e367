"""Plausible outputs for the service's resources and look-ups under the Pulumi mock runtime.

:class:`components.offline.RecordingMocks` asks these after its own branches: role, log group,
cluster and service ARNs built from their names; a default VPC with three default subnets; an
existing cluster found by name; and a :class:`~components.rollout.ServiceRollout` that
completed on the revision it was given (the real wait needs AWS; see tests/test_rollout.py).
"""

from __future__ import annotations

from typing import Any

TASK_DEFINITION_TYPE = "aws:ecs/taskDefinition:TaskDefinition"
"""The type token of the task definition; here, beside the other tokens, in a module that imports no Pulumi."""
DYNAMIC_PREFIX = "pulumi-python:dynamic"
ROLLOUT_TYPE = "pulumi-python:dynamic:ServiceRollout"
DEFAULT_VPC = "vpc-0defa17"
DEFAULT_SUBNETS = ["subnet-0defa17a", "subnet-0defa17b", "subnet-0defa17c"]


def mock_outputs(typ: str, name: str, inputs: dict[str, Any], region: str, account: str) -> dict[str, Any]:
    """Extra outputs for resource type ``typ`` registered as ``name`` with ``inputs``; empty for other types."""
    physical = inputs.get("name") or name
    if typ == "aws:iam/role:Role":
        return {"name": physical, "arn": f"arn:aws:iam::{account}:role/{physical}"}
    if typ == "aws:cloudwatch/logGroup:LogGroup":
        return {"name": physical, "arn": f"arn:aws:logs:{region}:{account}:log-group:{physical}"}
    if typ == "aws:ecs/cluster:Cluster":
        return {"name": physical, "arn": f"arn:aws:ecs:{region}:{account}:cluster/{physical}"}
    if typ == "aws:ecs/service:Service":
        cluster = str(inputs.get("cluster", "default")).rsplit("/", 1)[-1]
        return {"name": physical, "arn": f"arn:aws:ecs:{region}:{account}:service/{cluster}/{physical}"}
    if typ == ROLLOUT_TYPE:
        return {"running_task_definition_arn": inputs.get("task_definition_arn"), "rollout_state": "COMPLETED", "image_digests": {}}
    return {}


def mock_call(token: str, args: dict[str, Any], region: str, account: str) -> dict[str, Any] | None:
    """The answer to invoke ``token``, or ``None`` when it is not one of the service's look-ups."""
    if token == "aws:ec2/getVpc:getVpc":
        return {"id": DEFAULT_VPC, "default": True, "cidrBlock": "172.31.0.0/16", "region": region}
    if token == "aws:ec2/getSubnets:getSubnets":
        return {"id": region, "ids": list(DEFAULT_SUBNETS), "filters": args.get("filters"), "region": region}
    if token == "aws:ecs/getCluster:getCluster":
        name = args["clusterName"]
        arn = f"arn:aws:ecs:{region}:{account}:cluster/{name}"
        return {"id": arn, "arn": arn, "clusterName": name, "status": "ACTIVE", "region": region}
    return None
