"""TaggedService under the Pulumi mock runtime: the recorded inputs of every child."""

from __future__ import annotations

import base64
import json
import dill
import pulumi
import pytest

from components.errors import EcsReleaseError
from components.offline import TASK_DEFINITION_TYPE, RecordingMocks
from components.rollout import RolloutProvider
from components.service import TYPE_TOKEN, TaggedService
from components.service_mocks import DEFAULT_SUBNETS, ROLLOUT_TYPE
from components.service_settings import AutoscalingSettings, LoadBalancerSettings, NetworkSettings, ServiceSettings, TaskDefinitionSettings
from tests.conftest import numbers, spec_document

RETENTION_TYPE = "pulumi-python:dynamic:RevisionRetention"
TARGET_GROUP = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef"
VERSIONS = {"web": "1.4.2", "sidecar": "2.0"}
SERVICE = "aws:ecs/service:Service"
TARGET = "aws:appautoscaling/target:Target"
POLICY = "aws:appautoscaling/policy:Policy"
ROLE, ROLE_POLICY, ATTACHMENT = "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
LOG_GROUP, CLUSTER = "aws:cloudwatch/logGroup:LogGroup", "aws:ecs/cluster:Cluster"


def one(mocks: RecordingMocks, typ: str) -> dict:
    (inputs,) = [r.inputs for r in mocks.resources if r.type == typ]
    return inputs


@pytest.fixture
def options(mocks):
    """The resource options of every registration (ignore_changes is not among a mock's recorded inputs).

    The transformation lives on this test's root stack resource, which the next ``set_mocks`` replaces.
    """
    seen: dict[str, pulumi.ResourceOptions] = {}

    def record(args):
        seen[args.name] = args.opts
        return None

    pulumi.runtime.register_stack_transformation(record)
    return seen


def deploy(spec_doc: dict, settings: ServiceSettings, versions=VERSIONS, task: TaskDefinitionSettings | None = None, **extra) -> dict:
    """One TaggedService (the task definition as the AWS JSON document) and its outputs, every registration awaited."""
    values: dict = {}

    @pulumi.runtime.test
    def run():
        args = {"task_definition": spec_doc, "image_tags": versions, "service": settings, **extra}
        if task is not None:
            args["task"] = task
        service = TaggedService("web", args)
        outputs = [service.cluster, service.service_name, service.service_arn, service.running_task_definition_arn, service.images,
                   service.task_definition_arn]
        return pulumi.Output.all(*outputs).apply(lambda v: values.update(zip(
            ["cluster", "service_name", "service_arn", "running", "images", "task_definition_arn"], v)))

    run()
    return values


def without_roles(**overrides) -> dict:
    document = spec_document(**overrides)
    document.pop("executionRoleArn")
    return document


def test_the_service_runs_the_new_revision_with_rollback_waiting_autoscaling_and_load_balancer(mocks, options):
    settings = ServiceSettings(
        desired_count=2,
        minimum_healthy_percent=50,
        autoscaling=AutoscalingSettings(min_tasks=2, max_tasks=6, metric="memory", target_percent=75),
        load_balancer=LoadBalancerSettings(target_group_arn=TARGET_GROUP, container_name="web", container_port=8080),
    )
    outputs = deploy(without_roles(), settings)
    revision_arn = "arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-web:1"
    cluster_arn = "arn:aws:ecs:eu-west-1:123456789012:cluster/shop-web"

    service = numbers(one(mocks, SERVICE))
    assert service == {
        "name": "shop-web",
        "cluster": cluster_arn,
        "taskDefinition": revision_arn,
        "launchType": "FARGATE",
        "desiredCount": 2,
        "deploymentMinimumHealthyPercent": 50,
        "deploymentMaximumPercent": 200,
        "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        "deploymentConfiguration": {"strategy": "ROLLING"},
        "waitForSteadyState": False,  # the rollout wait follows the deployment: pulumi up waits once
        "networkConfiguration": {"subnets": DEFAULT_SUBNETS, "assignPublicIp": True},
        "loadBalancers": [{"targetGroupArn": TARGET_GROUP, "containerName": "web", "containerPort": 8080}],
        "healthCheckGracePeriodSeconds": 60,
        "propagateTags": "SERVICE",
    }
    assert options["web-service"].ignore_changes == ["desiredCount"]
    assert one(mocks, CLUSTER) == {"name": "shop-web"}
    assert numbers(one(mocks, TARGET)) == {
        "serviceNamespace": "ecs", "scalableDimension": "ecs:service:DesiredCount", "resourceId": "service/shop-web/shop-web",
        "minCapacity": 2, "maxCapacity": 6,
    }
    policy = numbers(one(mocks, POLICY))
    assert policy["policyType"] == "TargetTrackingScaling" and policy["resourceId"] == "service/shop-web/shop-web"
    assert policy["targetTrackingScalingPolicyConfiguration"] == {
        "targetValue": 75, "predefinedMetricSpecification": {"predefinedMetricType": "ECSServiceAverageMemoryUtilization"},
        "scaleInCooldown": 300, "scaleOutCooldown": 60,
    }
    rollout = numbers({k: v for k, v in one(mocks, ROLLOUT_TYPE).items() if k != "__provider"})
    assert rollout == {
        "cluster": cluster_arn, "service": "shop-web", "task_definition_arn": revision_arn, "timeout_seconds": 1800, "poll_seconds": 15,
        "bake_seconds": 0, "wait_until": "completed", "stack": "test", "label": "web", "region": "eu-west-1", "aws": {},
        "deployment": {  # what starts a deployment besides the task definition (unset values are not recorded)
            "launch_type": "FARGATE", "network": {}, "deployment": {"strategy": "rolling", "pauses": [], "rollback_alarms": []},
            "load_balancer": {"target_group_arn": TARGET_GROUP, "container_name": "web", "container_port": 8080},
        },
    }
    assert outputs == {
        "cluster": cluster_arn,
        "service_name": "shop-web",
        "service_arn": "arn:aws:ecs:eu-west-1:123456789012:service/shop-web/shop-web",
        "running": revision_arn,
        "images": {"sidecar": "registry.example.com:5000/ops/sidecar:2.0", "web": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1.4.2"},
        "task_definition_arn": revision_arn,
    }
    types = [r.type for r in mocks.resources]
    assert types.count(TYPE_TOKEN) == 1 and types[0] == TYPE_TOKEN  # the component first, then its children
    retention = one(mocks, RETENTION_TYPE)
    assert (retention["family"], retention["current"], retention["keep"], retention["protect"]) == ("shop-web", revision_arn, 10, [revision_arn])


def test_the_rollout_provider_is_registered_ready_to_run(mocks):
    deploy(without_roles(), ServiceSettings(rollout_timeout_seconds=120, rollout_poll_seconds=5))
    inputs = one(mocks, ROLLOUT_TYPE)
    assert isinstance(dill.loads(base64.b64decode(inputs["__provider"])), RolloutProvider)
    assert (inputs["timeout_seconds"], inputs["poll_seconds"]) == (120, 5)


def test_without_autoscaling_the_service_owns_desired_count(mocks, options):
    deploy(without_roles(), ServiceSettings(desired_count=3, wait_for_steady_state=True))
    service = numbers(one(mocks, SERVICE))
    assert (service["desiredCount"], service["waitForSteadyState"]) == (3, True)
    assert not options["web-service"].ignore_changes
    assert not [r for r in mocks.resources if r.type in (TARGET, POLICY)]
    assert "loadBalancers" not in service


@pytest.mark.parametrize(
    "cluster, expected",
    [
        pytest.param("shop", "arn:aws:ecs:eu-west-1:123456789012:cluster/shop", id="by-name-looked-up"),
        pytest.param("arn:aws:ecs:eu-west-1:123456789012:cluster/shop", "arn:aws:ecs:eu-west-1:123456789012:cluster/shop", id="by-arn"),
    ],
)
def test_an_existing_cluster_is_used_and_not_created(mocks, cluster, expected):
    deploy(without_roles(), ServiceSettings(cluster=cluster, network=NetworkSettings(subnets=["subnet-1"], security_groups=["sg-1"])))
    service = one(mocks, SERVICE)
    assert service["cluster"] == expected
    assert service["networkConfiguration"] == {"subnets": ["subnet-1"], "securityGroups": ["sg-1"], "assignPublicIp": False}
    assert one(mocks, ROLLOUT_TYPE)["cluster"] == expected
    assert not [r for r in mocks.resources if r.type == CLUSTER]


def test_an_ec2_service_in_bridge_mode(mocks):
    document = without_roles(requiresCompatibilities=["EC2"], networkMode="bridge", cpu=None)
    deploy(document, ServiceSettings(launch_type="EC2"))
    service = one(mocks, SERVICE)
    assert service["launchType"] == "EC2" and "networkConfiguration" not in service


@pytest.fixture
def stack_region():
    """The stack's ``aws:region`` config, as ``pulumi up`` hands it to the program."""
    pulumi.runtime.set_all_config({"aws:region": "eu-west-1"})
    yield "eu-west-1"
    pulumi.runtime.set_all_config({})


def test_roles_and_log_group_least_privilege(mocks, stack_region):
    document = without_roles()
    document["containerDefinitions"][0]["logConfiguration"] = {"logDriver": "awslogs", "options": {"awslogs-stream-prefix": "web"}}
    document["containerDefinitions"][0]["secrets"].append({"name": "KEY", "valueFrom": "/shop/key"})
    deploy(document, ServiceSettings(), task=TaskDefinitionSettings(log_retention_days=14, task_role_policy_arns=["arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"]))

    roles = {r.name: r.inputs for r in mocks.resources if r.type == ROLE}
    assert {name: inputs["name"] for name, inputs in roles.items()} == {"web-execution-role": "shop-web-execution", "web-task-role": "shop-web-task"}
    for inputs in roles.values():
        assert json.loads(inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    attachments = {r.name: (r.inputs["role"], r.inputs["policyArn"]) for r in mocks.resources if r.type == ATTACHMENT}
    assert attachments == {
        "web-execution-managed": ("shop-web-execution", "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"),
        "web-task-AWSXRayDaemonWriteAccess": ("shop-web-task", "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"),
    }
    policy = json.loads(one(mocks, ROLE_POLICY)["policy"])
    assert policy["Statement"] == [
        {"Sid": "ReadParameters", "Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": [
            "arn:aws:ssm:eu-west-1:123456789012:parameter/db",
            "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/key",
            "arn:aws:ssm:eu-west-1:123456789012:parameter/token",
        ]},
    ]
    assert numbers(one(mocks, LOG_GROUP)) == {"name": "/ecs/shop-web", "retentionInDays": 14}
    task_definition = one(mocks, TASK_DEFINITION_TYPE)
    assert task_definition["executionRoleArn"] == "arn:aws:iam::123456789012:role/shop-web-execution"
    assert task_definition["taskRoleArn"] == "arn:aws:iam::123456789012:role/shop-web-task"
    web = next(c for c in json.loads(task_definition["containerDefinitions"]) if c["name"] == "web")
    assert web["logConfiguration"]["options"] == {"awslogs-group": "/ecs/shop-web", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "web"}


def test_role_arns_in_the_spec_are_used_as_is(mocks):
    document = spec_document(taskRoleArn="arn:aws:iam::123456789012:role/app")
    deploy(document, ServiceSettings(), task=TaskDefinitionSettings(task_role_policy_arns=["arn:aws:iam::aws:policy/X"]))
    assert not [r for r in mocks.resources if r.type in (ROLE, ROLE_POLICY, ATTACHMENT, LOG_GROUP)]
    task_definition = one(mocks, TASK_DEFINITION_TYPE)
    assert task_definition["executionRoleArn"] == "arn:aws:iam::123456789012:role/shop-web-execution"
    assert task_definition["taskRoleArn"] == "arn:aws:iam::123456789012:role/app"




def test_a_cluster_passed_as_an_input_is_shared_and_not_created(mocks):
    shared = "arn:aws:ecs:eu-west-1:123456789012:cluster/shared"
    deploy(without_roles(), ServiceSettings(), cluster=pulumi.Output.from_input(shared))
    assert one(mocks, SERVICE)["cluster"] == shared and one(mocks, ROLLOUT_TYPE)["cluster"] == shared
    assert not [r for r in mocks.resources if r.type == CLUSTER]


def test_settings_given_as_plain_mappings_are_validated_like_models(mocks):
    deploy(without_roles(), {"desired_count": 4, "network": {"subnets": ["subnet-9"]}}, task={"log_retention_days": 7})
    service = numbers(one(mocks, SERVICE))
    assert service["desiredCount"] == 4 and service["networkConfiguration"]["subnets"] == ["subnet-9"]


def test_every_problem_is_raised_before_the_component_or_any_child_exists(mocks):
    document = without_roles()
    document["containerDefinitions"][0]["portMappings"] = [{"containerPort": 70000}]
    with pytest.raises(EcsReleaseError) as raised:
        deploy(
            document,
            {"desired_cont": 2, "load_balancer": {"target_group_arn": TARGET_GROUP, "container_name": "api", "container_port": 80}},
            {"web": "bad tag!", "sidecar": "2.0"},
            task={"log_retention_days": 10},
            release={"production": True, "mutable_tag_patterns": ["2.*"]},
        )
    message = str(raised.value)
    assert "\n" not in message
    for expected in (
        "ServiceSettings.desired_cont: Extra inputs are not permitted (got 2); remove it or fix its spelling",
        'image version for container "web" "bad tag!" is not a valid image tag',
        "TaskDefinitionSettings.log_retention_days: 10 is not a CloudWatch retention period",
        'sidecarTag "2.0" is a mutable tag, refused for production stack test',
    ):
        assert expected in message
    assert mocks.resources == []


def test_a_task_definition_file_is_accepted_as_the_task_definition(mocks, tmp_path):
    path = tmp_path / "web.json"
    path.write_text(json.dumps({"taskDefinition": {**without_roles(), "revision": 7, "status": "ACTIVE"}}))
    deploy(str(path), ServiceSettings())
    assert one(mocks, TASK_DEFINITION_TYPE)["family"] == "shop-web"


def test_outputs_are_annotated_on_the_class_and_documented():

    hints = TaggedService.__annotations__  # on the class itself, not under TYPE_CHECKING
    assert {"family", "revision", "task_definition_arn", "images", "cluster", "service_name", "service_arn",
            "running_task_definition_arn", "image_tags", "image_digests", "deregistered_revisions", "rollout_state",
            "running_image_digests"} <= set(hints)


def test_the_account_and_region_are_looked_up_once_per_program_not_per_service():
    calls: list[str] = []

    class CountingMocks(RecordingMocks):
        def call(self, args):
            calls.append(args.token)
            return super().call(args)

    pulumi.runtime.set_mocks(CountingMocks(region="eu-west-1"), project="ecs-release", stack="test", preview=False)

    @pulumi.runtime.test
    def run():
        services = [TaggedService(name, {"task_definition": without_roles(family=f"shop-{name}"), "image_tags": VERSIONS}) for name in ("a", "b", "c")]
        return pulumi.Output.all(*[service.service_arn for service in services])

    run()
    looked_up = {token: calls.count(token) for token in set(calls) if token.startswith("aws:index/")}
    assert looked_up == {"aws:index/getRegion:getRegion": 1, "aws:index/getCallerIdentity:getCallerIdentity": 1, "aws:index/getPartition:getPartition": 1}
