"""TaskRoles and EcsService under the Pulumi mock runtime, alone and in the real program."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import dill
import pulumi
import pytest

import app
from components.cli import main
from components.offline import TASK_DEFINITION_TYPE, RecordingMocks, run_program
from components.rollout import RolloutProvider
from components.service import ROLES_TYPE, SERVICE_TYPE, EcsService, TaskRoles
from components.service_mocks import DEFAULT_SUBNETS, ROLLOUT_TYPE
from components.service_plan import plan_service
from components.service_settings import AutoscalingSettings, LoadBalancerSettings, NetworkSettings, ServiceSettings, ServiceSettingsError
from components.spec import TaskDefinitionSpec
from components.task_definition import TaggedTaskDefinition
from tests.conftest import spec_document

PROJECT = Path(__file__).resolve().parents[1]
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


def numbers(value):
    """The mock runtime hands numbers back as floats."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [numbers(v) for v in value]
    return value


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


def deploy(spec_doc: dict, settings: ServiceSettings, versions=VERSIONS) -> dict:
    """Wire the three components the way __main__.py does and wait for every registration."""
    plan = plan_service(TaskDefinitionSpec.model_validate(spec_doc), settings, versions, "eu-west-1")
    values: dict = {}

    @pulumi.runtime.test
    def run():
        roles = TaskRoles("web", {"plan": plan})
        web = TaggedTaskDefinition(
            "web", {"spec": plan.spec, "versions": versions, "execution_role_arn": roles.execution_role_arn, "task_role_arn": roles.task_role_arn}
        )
        service = EcsService("web", {"plan": plan, "task_definition": web})
        outputs = [service.cluster, service.service_name, service.service_arn, service.running_task_definition_arn, service.images, web.arn]
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
        "waitForSteadyState": True,
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
    rollout = {k: v for k, v in one(mocks, ROLLOUT_TYPE).items() if k != "__provider"}
    assert rollout == {"cluster": cluster_arn, "service": "shop-web", "task_definition_arn": revision_arn, "timeout_seconds": 1800.0,
                       "poll_seconds": 15.0, "region": "eu-west-1"}
    assert outputs == {
        "cluster": cluster_arn,
        "service_name": "shop-web",
        "service_arn": "arn:aws:ecs:eu-west-1:123456789012:service/shop-web/shop-web",
        "running": revision_arn,
        "images": {"sidecar": "registry.example.com:5000/ops/sidecar:2.0", "web": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1.4.2"},
        "task_definition_arn": revision_arn,
    }
    types = [r.type for r in mocks.resources]
    assert types.count(ROLES_TYPE) == types.count(SERVICE_TYPE) == 1


def test_the_rollout_provider_is_registered_ready_to_run(mocks):
    deploy(without_roles(), ServiceSettings(rollout_timeout_seconds=120, rollout_poll_seconds=5))
    inputs = one(mocks, ROLLOUT_TYPE)
    assert isinstance(dill.loads(base64.b64decode(inputs["__provider"])), RolloutProvider)
    assert (inputs["timeout_seconds"], inputs["poll_seconds"]) == (120, 5)


def test_without_autoscaling_the_service_owns_desired_count(mocks, options):
    deploy(without_roles(), ServiceSettings(desired_count=3, wait_for_steady_state=False))
    service = numbers(one(mocks, SERVICE))
    assert (service["desiredCount"], service["waitForSteadyState"]) == (3, False)
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
    document = without_roles(requiresCompatibilities=["EC2"], networkMode="bridge", cpu=None, memory=None)
    deploy(document, ServiceSettings(launch_type="EC2"))
    service = one(mocks, SERVICE)
    assert service["launchType"] == "EC2" and "networkConfiguration" not in service


def test_roles_and_log_group_least_privilege(mocks):
    document = without_roles()
    document["containerDefinitions"][0]["logConfiguration"] = {"logDriver": "awslogs", "options": {"awslogs-stream-prefix": "web"}}
    document["containerDefinitions"][0]["secrets"].append({"name": "KEY", "valueFrom": "/shop/key"})
    deploy(document, ServiceSettings(log_retention_days=14, task_role_policy_arns=["arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"]))

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
    deploy(document, ServiceSettings(task_role_policy_arns=["arn:aws:iam::aws:policy/X"]))
    assert not [r for r in mocks.resources if r.type in (ROLE, ROLE_POLICY, ATTACHMENT, LOG_GROUP)]
    task_definition = one(mocks, TASK_DEFINITION_TYPE)
    assert task_definition["executionRoleArn"] == "arn:aws:iam::123456789012:role/shop-web-execution"
    assert task_definition["taskRoleArn"] == "arn:aws:iam::123456789012:role/app"


# --- the real program -------------------------------------------------------------------------------


class RevisionMocks(RecordingMocks):
    """Like ECS: a task definition with a new document gets the next revision of its family."""

    def __init__(self, registry: dict[str, list[str]]):
        super().__init__(region="eu-west-1")
        self.registry = registry

    def new_resource(self, args):
        id_, outputs = super().new_resource(args)
        if args.typ == TASK_DEFINITION_TYPE:
            documents = self.registry.setdefault(args.inputs["family"], [])
            if args.inputs["containerDefinitions"] not in documents:
                documents.append(args.inputs["containerDefinitions"])
            number = documents.index(args.inputs["containerDefinitions"]) + 1
            outputs.update(revision=number, arn=f"{outputs['arnWithoutRevision']}:{number}")
        return id_, outputs


def by_name(mocks: RecordingMocks) -> dict[tuple[str, str], dict]:
    return {(r.type, r.name): r.inputs for r in mocks.resources}


def test_a_tag_change_changes_the_task_definition_and_the_services_reference_only():
    registry: dict[str, list[str]] = {}
    before, after = RevisionMocks(registry), RevisionMocks(registry)
    run_program(PROJECT, "prod", mocks=before)
    run_program(PROJECT, "prod", {"webTag": "1.4.2"}, mocks=after)
    old, new = by_name(before), by_name(after)
    assert old.keys() == new.keys()
    changed = {key for key in old if old[key] != new[key]}
    assert changed == {(TASK_DEFINITION_TYPE, "web-taskdef"), (SERVICE, "web-service"), (ROLLOUT_TYPE, "web-rollout"),
                       ("pulumi-python:dynamic:RevisionRetention", "web-retention")}  # retention (issue 4) follows the new revision
    service_old, service_new = old[(SERVICE, "web-service")], new[(SERVICE, "web-service")]
    assert {k for k in service_old if service_old[k] != service_new[k]} == {"taskDefinition"}
    assert (service_old["taskDefinition"], service_new["taskDefinition"]) == (
        "arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-web-prod:1",
        "arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-web-prod:2",
    )
    rollout_old, rollout_new = old[(ROLLOUT_TYPE, "web-rollout")], new[(ROLLOUT_TYPE, "web-rollout")]
    assert {k for k in rollout_old if rollout_old[k] != rollout_new[k]} == {"task_definition_arn"}  # the rollout waits for :2
    for typ in (ROLE, ROLE_POLICY, ATTACHMENT, LOG_GROUP, TARGET, POLICY):
        assert [key for key in changed if key[0] == typ] == []


@pytest.mark.parametrize(
    "stack, cluster, network, autoscaled, retention",
    [
        ("dev", "arn:aws:ecs:eu-west-1:123456789012:cluster/shop-web-dev", {"subnets": DEFAULT_SUBNETS, "assignPublicIp": True}, False, 7),
        ("staging", "arn:aws:ecs:eu-west-1:123456789012:cluster/shop-staging",
         {"subnets": app.PRIVATE_NETWORKS["staging"].subnets, "securityGroups": app.PRIVATE_NETWORKS["staging"].security_groups, "assignPublicIp": False},
         False, 30),
        ("prod", "arn:aws:ecs:eu-west-1:123456789012:cluster/shop-prod",
         {"subnets": app.PRIVATE_NETWORKS["prod"].subnets, "securityGroups": app.PRIVATE_NETWORKS["prod"].security_groups, "assignPublicIp": False},
         True, 90),
    ],
)
def test_each_stack_creates_the_service_its_roles_and_log_group(stack, cluster, network, autoscaled, retention):
    mocks = RecordingMocks(region="eu-west-1")
    run_program(PROJECT, stack, mocks=mocks)
    family = f"shop-web-{stack}"
    service = numbers(one(mocks, SERVICE))
    assert service["cluster"] == cluster and service["name"] == family
    assert service["taskDefinition"] == f"arn:aws:ecs:eu-west-1:123456789012:task-definition/{family}:1"
    assert service["deploymentCircuitBreaker"] == {"enable": True, "rollback": True} and service["waitForSteadyState"] is True
    assert service["networkConfiguration"] == network
    assert ("loadBalancers" in service) == (stack != "dev")
    assert bool([r for r in mocks.resources if r.type == TARGET]) == autoscaled
    assert bool([r for r in mocks.resources if r.type == CLUSTER]) == (stack == "dev")
    assert numbers(one(mocks, LOG_GROUP)) == {"name": f"/ecs/{family}", "retentionInDays": retention}
    policy = json.loads(one(mocks, ROLE_POLICY)["policy"])
    assert {s["Sid"]: s["Resource"] for s in policy["Statement"]} == {
        "ReadParameters": [f"arn:aws:ssm:eu-west-1:123456789012:parameter/shop/{stack}/database-url"],
        "ReadSecrets": [f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/{stack}/session-AbCdEf"],
    }
    task_definition = one(mocks, TASK_DEFINITION_TYPE)
    assert task_definition["executionRoleArn"] == f"arn:aws:iam::123456789012:role/{family}-execution"
    assert task_definition["taskRoleArn"] == f"arn:aws:iam::123456789012:role/{family}-task"
    assert one(mocks, ROLLOUT_TYPE)["task_definition_arn"] == service["taskDefinition"]


BAD_SERVICES = [
    pytest.param(
        lambda: ServiceSettings(load_balancer=LoadBalancerSettings(target_group_arn=TARGET_GROUP, container_name="xray", container_port=8080)),
        'LoadBalancerSettings.container_port: 8080 is not a containerPort of container "xray"; use one of: 2000', id="target-group-port",
    ),
    pytest.param(
        lambda: ServiceSettings(load_balancer=LoadBalancerSettings(target_group_arn=TARGET_GROUP, container_name="api", container_port=8080)),
        'LoadBalancerSettings.container_name: "api" is not a container of task definition shop-web-prod; use one of: migrate, web, xray',
        id="target-group-container",
    ),
    pytest.param(
        lambda: ServiceSettings(autoscaling=AutoscalingSettings(min_tasks=4, max_tasks=2)),
        "AutoscalingSettings: min_tasks 4 is above max_tasks 2; lower min_tasks or raise max_tasks", id="autoscaling-min-above-max",
    ),
    pytest.param(lambda: ServiceSettings(cluster="shop/prod"), 'ServiceSettings.cluster: "shop/prod" is neither "create" nor a cluster name', id="unknown-cluster"),
]


@pytest.mark.parametrize("settings, message", BAD_SERVICES)
def test_bad_service_settings_stop_the_program_before_any_resource(monkeypatch, settings, message):
    monkeypatch.setattr(app, "web_service", lambda environment: settings())
    mocks = RecordingMocks()
    with pytest.raises(ServiceSettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run_program(PROJECT, "prod", mocks=mocks)
    assert mocks.resources == []


@pytest.mark.parametrize("settings, message", BAD_SERVICES)
def test_bad_service_settings_are_one_error_line_from_the_cli(monkeypatch, capsys, settings, message):
    monkeypatch.setattr(app, "web_service", lambda environment: settings())
    assert main(["render", "--stack", "prod"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("error: ") and captured.err.count("\n") == 1
    assert message in captured.err


def test_render_still_prints_only_task_definitions(capsys):
    assert main(["render", "--stack", "prod"]) == 0
    assert list(json.loads(capsys.readouterr().out)) == ["shop-web-prod"]
