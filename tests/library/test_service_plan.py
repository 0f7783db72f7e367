"""Task-definition and service settings and their plans: strict models, every problem named at once, log defaults (pure)."""

from __future__ import annotations

import pytest

from components.errors import EcsReleaseError
from components.service_plan import ClusterRef, ServicePlan, plan_service, plan_task_definition
from components.service_settings import (
    AutoscalingSettings,
    LoadBalancerSettings,
    NetworkSettings,
    ServiceSettings,
    ServiceSettingsError,
    Settings,
    TaskDefinitionSettings,
    settings_errors,
)
from components.spec import TaskDefinitionSpec
from tests.conftest import spec_document

TARGET_GROUP = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef"
VERSIONS = {"web": "1.4.2", "sidecar": "2.0"}


def spec_with(**overrides) -> TaskDefinitionSpec:
    return TaskDefinitionSpec.model_validate(spec_document(**overrides))


def plan(spec, settings=None, versions=VERSIONS, task=None, region=None, cluster_given=False) -> ServicePlan:
    """The task definition's plan, then the service's: what TaggedService does before registering anything."""
    return plan_service(plan_task_definition(spec, versions, task, region), settings or ServiceSettings(), cluster_given)


@pytest.mark.parametrize("model", [ServiceSettings, TaskDefinitionSettings, NetworkSettings, AutoscalingSettings, LoadBalancerSettings])
def test_every_setting_is_documented_with_its_default(model: type[Settings]):
    assert model.model_config["extra"] == "forbid" and model.model_config["frozen"] and model.model_config["validate_default"]
    for name, field in model.model_fields.items():
        assert field.description, f"{model.__name__}.{name} has no docstring"
        assert ("Default:" in field.description) != field.is_required() or "Required." in field.description, name


def test_defaults_give_a_fargate_service_with_rollback_and_waiting_in_the_default_vpc(spec):
    planned = plan(spec)
    settings = planned.settings
    assert (settings.launch_type, settings.desired_count, settings.wait_for_steady_state) == ("FARGATE", 1, False)
    assert (settings.minimum_healthy_percent, settings.maximum_percent) == (100, 200)
    assert (settings.rollout_timeout_seconds, settings.rollout_poll_seconds) == (1800.0, 15.0)
    assert planned.cluster == ClusterRef(create=True, name="shop-web")
    assert (planned.service_name, planned.awsvpc, planned.default_vpc, planned.assign_public_ip) == ("shop-web", True, True, True)
    assert planned.task.execution_role_name is None  # the spec names one
    assert planned.task.task_role_name is None


@pytest.mark.parametrize(
    "cluster, expected",
    [
        pytest.param("create", ClusterRef(create=True, name="shop-web"), id="create"),
        pytest.param("shop", ClusterRef(create=False, name="shop"), id="name"),
        pytest.param(
            "arn:aws:ecs:eu-west-1:123456789012:cluster/shop",
            ClusterRef(create=False, name="shop", arn="arn:aws:ecs:eu-west-1:123456789012:cluster/shop"),
            id="arn",
        ),
    ],
)
def test_the_cluster_is_created_or_an_existing_one_by_name_or_arn(spec, cluster, expected):
    assert plan(spec, ServiceSettings(cluster=cluster)).cluster == expected


def test_a_cluster_passed_to_the_component_is_used_when_the_settings_name_none(spec):
    assert plan(spec, cluster_given=True).cluster == ClusterRef(create=False, name=None, given=True)
    with pytest.raises(ServiceSettingsError, match='ServiceSettings.cluster: "shop" is set and a cluster is passed to the component too'):
        plan(spec, ServiceSettings(cluster="shop"), cluster_given=True)


def test_roles_and_log_group_are_planned_when_the_spec_names_none():
    document = spec_document(
        family="billing",
        containerDefinitions=[
            {"name": "api", "image": "example.com/api", "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-stream-prefix": "api"}}},
            {"name": "own", "image": "example.com/own", "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/mine"}}},
        ],
    )
    document.pop("executionRoleArn")
    document.pop("volumes")
    task = plan_task_definition(
        TaskDefinitionSpec.model_validate(document), {"api": "1", "own": "2"},
        TaskDefinitionSettings(task_role_policy_arns=["arn:aws:iam::aws:policy/X"]), region="eu-west-1",
    )
    assert (task.execution_role_name, task.task_role_name, task.log_group) == ("billing-execution", "billing-task", "/ecs/billing")
    options = {c.name: c.log_configuration.options for c in task.spec.container_definitions}
    assert options == {
        "api": {"awslogs-group": "/ecs/billing", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "api"},
        "own": {"awslogs-group": "/mine", "awslogs-region": "eu-west-1"},
    }
    rendered = {c["name"]: c["logConfiguration"]["options"] for c in task.document["containerDefinitions"]}
    assert rendered == options  # the document is rendered from the planned spec, once


def test_an_ec2_service_in_bridge_mode_has_no_network_configuration():
    spec = spec_with(requiresCompatibilities=["EC2"], networkMode="bridge", cpu=None, memory="512")
    planned = plan(spec, ServiceSettings(launch_type="EC2"))
    assert (planned.awsvpc, planned.default_vpc) == (False, False)


BAD_SETTINGS = [
    pytest.param(
        lambda: ServiceSettings(cluster="arn:aws:ecs:eu-west-1:123456789012:service/shop/web"),
        'ServiceSettings.cluster: "arn:aws:ecs:eu-west-1:123456789012:service/shop/web" is neither "create" nor a cluster name '
        'or cluster ARN; use "create", a name of letters, digits, "-" and "_", or arn:aws:ecs:<region>:<account>:cluster/<name>',
        id="unknown-cluster-setting",
    ),
    pytest.param(
        lambda: ServiceSettings(autoscaling=AutoscalingSettings(min_tasks=5, max_tasks=2)),
        "AutoscalingSettings: min_tasks 5 is above max_tasks 2; lower min_tasks or raise max_tasks",
        id="autoscaling-min-above-max",
    ),
    pytest.param(
        lambda: ServiceSettings(desired_count=1, autoscaling=AutoscalingSettings(min_tasks=2, max_tasks=4)),
        "ServiceSettings.desired_count: 1 is outside the autoscaling range 2..4; set desired_count (the count the service starts with) within it",
        id="desired-count-outside-autoscaling",
    ),
    pytest.param(
        lambda: ServiceSettings(load_balancer=LoadBalancerSettings(target_group_arn=TARGET_GROUP, container_name="api", container_port=8080)),
        'LoadBalancerSettings.container_name: "api" is not a container of task definition shop-web; use one of: sidecar, web',
        id="target-group-container",
    ),
    pytest.param(
        lambda: ServiceSettings(load_balancer=LoadBalancerSettings(target_group_arn=TARGET_GROUP, container_name="web", container_port=80)),
        'LoadBalancerSettings.container_port: 80 is not a containerPort of container "web"; use one of: 8080',
        id="target-group-port",
    ),
    pytest.param(
        lambda: ServiceSettings(load_balancer=LoadBalancerSettings(target_group_arn=TARGET_GROUP, container_name="sidecar", container_port=80)),
        'LoadBalancerSettings.container_port: 80 is not a containerPort of container "sidecar"; use one of: (none: add a portMapping)',
        id="target-group-container-without-ports",
    ),
    pytest.param(
        lambda: ServiceSettings(launch_type="EC2"),
        "ServiceSettings.launch_type: EC2 is not among the task definition's requiresCompatibilities (FARGATE); "
        "use one of them or add EC2 to the spec",
        id="launch-type",
    ),
    pytest.param(
        lambda: ServiceSettings(network=NetworkSettings(subnets=[])),
        "ServiceSettings.network.subnets: empty list; give subnet IDs, or leave it unset for the default VPC",
        id="empty-subnets",
    ),
    pytest.param(
        lambda: ServiceSettings(name="shop web"),
        'ServiceSettings.name: "shop web" is not a service name; use up to 255 letters, digits, "-" and "_"',
        id="service-name",
    ),
]


@pytest.mark.parametrize("settings, message", BAD_SETTINGS)
def test_settings_that_do_not_fit_the_spec_are_named(spec, settings, message):
    with pytest.raises(ServiceSettingsError) as raised:
        plan(spec, settings())
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_log_retention_cloudwatch_lacks_is_named(spec):
    with pytest.raises(EcsReleaseError) as raised:
        plan_task_definition(spec, VERSIONS, TaskDefinitionSettings(log_retention_days=10))
    assert str(raised.value).startswith(
        "TaskDefinitionSettings.log_retention_days: 10 is not a CloudWatch retention period; use 0 (never expire) or one of: 1, 3, 5, 7, 14, 30,"
    )
    assert plan_task_definition(spec, VERSIONS, TaskDefinitionSettings(log_retention_days=0)).settings.log_retention_days == 0


def test_network_settings_need_awsvpc():
    spec = spec_with(requiresCompatibilities=["EC2"], networkMode="bridge", cpu=None, memory="512")
    with pytest.raises(ServiceSettingsError, match="ServiceSettings.network: subnets, assign_public_ip set but the task definition's "
                       "networkMode is bridge; network settings apply to awsvpc only, remove them"):
        plan(spec, ServiceSettings(launch_type="EC2", network=NetworkSettings(subnets=["subnet-1"], assign_public_ip=False)))


def test_every_problem_is_reported_at_once_with_the_task_definitions(spec):
    settings = ServiceSettings(
        cluster="not a cluster",
        autoscaling=AutoscalingSettings(min_tasks=3, max_tasks=1),
        load_balancer=LoadBalancerSettings(target_group_arn=TARGET_GROUP, container_name="web", container_port=9090),
    )
    from components.service_plan import settings_problems

    with pytest.raises(EcsReleaseError) as raised:  # as TaggedService checks: the settings' problems, then the task definition's
        plan_task_definition(spec, {"web": "bad tag!", "sidecar": "2.0"}, problems=settings_problems(spec, settings))
    problems = raised.value.problems
    assert len(problems) == 4
    assert problems[0].startswith('image version for container "web"')
    # The ECS API's service rules in table order, then the library's own.
    assert [p.split(":")[0] for p in problems[1:]] == ["ServiceSettings.cluster", "LoadBalancerSettings.container_port", "AutoscalingSettings"]


@pytest.mark.parametrize(
    "build, message",
    [
        pytest.param(lambda: ServiceSettings(desired_count="2"), "ServiceSettings.desired_count: Input should be a valid integer (got '2'); fix the value", id="strict-type"),
        pytest.param(lambda: ServiceSettings(desired_cont=2), "ServiceSettings.desired_cont: Extra inputs are not permitted (got 2); remove it or fix its spelling", id="unknown-field"),
        pytest.param(lambda: AutoscalingSettings(max_tasks=3), "AutoscalingSettings.min_tasks: Field required; give it a value", id="missing"),
        pytest.param(
            lambda: LoadBalancerSettings(target_group_arn="web-tg", container_name="web", container_port=8080),
            "LoadBalancerSettings.target_group_arn: String should match pattern", id="target-group-arn",
        ),
        pytest.param(lambda: ServiceSettings(minimum_healthy_percent=-1), "ServiceSettings.minimum_healthy_percent: Input should be greater than or equal to 0", id="range"),
    ],
)
def test_wrong_types_become_one_error_line(build, message):
    with pytest.raises(ServiceSettingsError) as raised:
        with settings_errors():
            build()
    assert message in str(raised.value)
