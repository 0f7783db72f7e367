"""The example app's services in the real program (``__main__.py``) under the mock runtime."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import app
from components.cli import main
from components.declare import ServiceDeclaration
from components.errors import EcsReleaseError
from components.offline import TASK_DEFINITION_TYPE, RecordingMocks, run_program
from components.service_mocks import DEFAULT_SUBNETS, ROLLOUT_TYPE
from components.service_settings import AutoscalingSettings, LoadBalancerSettings, ServiceSettings
from tests.conftest import numbers

PROJECT = Path(__file__).resolve().parents[2]
TARGET_GROUP = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef"
SERVICE = "aws:ecs/service:Service"
TARGET = "aws:appautoscaling/target:Target"
POLICY = "aws:appautoscaling/policy:Policy"
ROLE, ROLE_POLICY, ATTACHMENT = "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
LOG_GROUP, CLUSTER = "aws:cloudwatch/logGroup:LogGroup", "aws:ecs/cluster:Cluster"


def one(mocks: RecordingMocks, typ: str, service: str = "web") -> dict:
    (inputs,) = [r.inputs for r in mocks.resources if r.type == typ and r.name.startswith(f"{service}-")]
    return inputs


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
                       ("pulumi-python:dynamic:RevisionRetention", "web-retention")}  # retention follows the new revision; worker untouched
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
        ("dev", "arn:aws:ecs:eu-west-1:123456789012:cluster/shop-dev", {"subnets": DEFAULT_SUBNETS, "assignPublicIp": True}, False, 7),
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
    assert service["deploymentCircuitBreaker"] == {"enable": True, "rollback": True} and service["waitForSteadyState"] is False
    assert service["networkConfiguration"] == network
    assert ("loadBalancers" in service) == (stack != "dev")
    assert bool([r for r in mocks.resources if r.type == TARGET]) == autoscaled
    clusters = [(r.name, r.inputs) for r in mocks.resources if r.type == CLUSTER]
    assert clusters == ([("cluster", {"name": "shop-dev"})] if stack == "dev" else [])  # dev: one cluster the program creates, shared
    assert one(mocks, SERVICE, "worker")["cluster"] == cluster
    assert numbers(one(mocks, LOG_GROUP)) == {"name": f"/ecs/{family}", "retentionInDays": retention}
    assert not [r for r in mocks.resources if r.type == LOG_GROUP and r.name.startswith("worker-")]  # its group is set per stack
    policies = {r.name: json.loads(r.inputs["policy"]) for r in mocks.resources if r.type == ROLE_POLICY and r.name.startswith("web-")}
    assert {name: {s["Sid"]: s["Resource"] for s in policy["Statement"]} for name, policy in policies.items()} == {
        "web-execution-secrets": {
            "ReadParameters": [f"arn:aws:ssm:eu-west-1:123456789012:parameter/shop/{stack}/database-url"],
            "ReadSecrets": [f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/{stack}/session-AbCdEf"],
        },
        # The X-Ray sidecar comes through the pull through cache: its execution role may import exactly that repository.
        "web-execution-images": {
            "PullThroughCache": ["arn:aws:ecr:eu-west-1:123456789012:repository/ecr-public/xray/aws-xray-daemon"],
        },
    }
    task_definition = one(mocks, TASK_DEFINITION_TYPE)
    assert task_definition["executionRoleArn"] == f"arn:aws:iam::123456789012:role/{family}-execution"
    assert task_definition["taskRoleArn"] == f"arn:aws:iam::123456789012:role/{family}-task"
    assert one(mocks, ROLLOUT_TYPE)["task_definition_arn"] == service["taskDefinition"]


def with_prod_web(settings: ServiceSettings) -> list[ServiceDeclaration]:
    web = ServiceDeclaration(
        name="web", task_definition=app.web_task_definition, image_keys=app.WEB.image_keys, defaults=app.WEB.defaults,
        stacks={**app.WEB.stacks, "prod": {"service": settings}},
    )
    return [web, app.WORKER]


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
    monkeypatch.setattr(app, "SERVICES", with_prod_web(settings()))
    mocks = RecordingMocks()
    with pytest.raises(EcsReleaseError) as raised:
        run_program(PROJECT, "prod", mocks=mocks)
    assert f'service "web": {message}' in str(raised.value)
    assert mocks.resources == []


@pytest.mark.parametrize("settings, message", BAD_SERVICES)
def test_bad_service_settings_are_one_error_line_from_the_cli(monkeypatch, capsys, settings, message):
    monkeypatch.setattr(app, "SERVICES", with_prod_web(settings()))
    assert main(["render", "--stack", "prod", "--project-dir", str(PROJECT)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("error: ") and captured.err.count("\n") == 1
    assert message in captured.err


def test_render_prints_the_task_definition_of_every_service(capsys):
    assert main(["render", "--stack", "prod", "--project-dir", str(PROJECT)]) == 0
    assert list(json.loads(capsys.readouterr().out)) == ["shop-web-prod", "shop-worker-prod"]


@pytest.mark.parametrize(
    "stack, configuration, wait_until, alarms",
    [
        pytest.param("dev", {"strategy": "ROLLING"}, "completed", None, id="dev-rolling"),
        pytest.param("staging", {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": "5"}, "completed", None, id="staging-blue-green"),
        pytest.param(
            "prod",
            {"strategy": "CANARY", "bakeTimeInMinutes": "10", "canaryConfiguration": {"canaryPercent": 10, "canaryBakeTimeInMinutes": "15"},
             "lifecycleHooks": [{"targetType": "PAUSE", "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"],
                                 "timeoutConfiguration": {"action": "ROLLBACK", "timeoutInMinutes": "240"}}]},
            "paused", {"alarmNames": ["shop-web-prod-5xx"], "enable": True, "rollback": True}, id="prod-canary-gated",
        ),
    ],
)
def test_each_stack_deploys_web_with_its_strategy_and_the_worker_rolling(stack, configuration, wait_until, alarms):
    from tests.library.test_strategies import create_service_request, valid

    mocks = RecordingMocks(region="eu-west-1")
    run_program(PROJECT, stack, mocks=mocks)
    web, worker = numbers(one(mocks, SERVICE)), numbers(one(mocks, SERVICE, "worker"))
    assert web["deploymentConfiguration"] == configuration and web.get("alarms") == alarms
    assert worker["deploymentConfiguration"] == {"strategy": "ROLLING"}
    assert (one(mocks, ROLLOUT_TYPE)["wait_until"], one(mocks, ROLLOUT_TYPE, "worker")["wait_until"]) == (wait_until, "completed")
    roles = {r.name: r.inputs["name"] for r in mocks.resources if r.type == ROLE and r.name.endswith("-ecs-infrastructure")}
    if stack == "dev":
        assert "loadBalancers" not in web and roles == {}
    else:
        assert roles == {"web-ecs-infrastructure": f"shop-web-{stack}-ecs-infrastructure"}
        assert web["loadBalancers"][0]["advancedConfiguration"] == {
            "alternateTargetGroupArn": app.ALTERNATE_TARGET_GROUPS[stack], "productionListenerRule": app.LISTENER_RULES[stack]["production"],
            "testListenerRule": app.LISTENER_RULES[stack]["test"], "roleArn": f"arn:aws:iam::123456789012:role/shop-web-{stack}-ecs-infrastructure",
        }
    valid(create_service_request(web))
    valid(create_service_request(worker))


def test_a_gate_where_ecs_refuses_one_is_one_error_line_as_the_readme_shows(monkeypatch, capsys):
    from components.service_settings import PauseGate

    gate = app.PROD_DEPLOYMENT.model_copy(update={"pauses": [PauseGate(stage="PRODUCTION_TRAFFIC_SHIFT")]})
    monkeypatch.setattr(app, "SERVICES", with_prod_web(ServiceSettings(
        cluster=app.CLUSTERS["prod"], network=app.PRIVATE_NETWORKS["prod"], load_balancer=app._web_balancer("prod"), deployment=gate, wait_until="paused")))
    assert main(["render", "--stack", "prod", "--project-dir", str(PROJECT)]) == 2
    error = capsys.readouterr().err
    assert error == (
        'error: service "web": ServiceSettings.deployment (canary).pauses: ECS refuses a pause at PRODUCTION_TRAFFIC_SHIFT (those stages also '
        "run during a rollback); pause at PRE_PRODUCTION_TRAFFIC_SHIFT or POST_PRODUCTION_TRAFFIC_SHIFT instead\n"
    )
    assert error.strip() in (PROJECT / "README.md").read_text(encoding="utf-8")
