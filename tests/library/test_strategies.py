"""Deployment strategies and approval gates: the settings, what is refused before anything exists, and the recorded
service inputs of each strategy, checked against botocore's CreateService request model."""

from __future__ import annotations

import json

import botocore.session
import pytest
from botocore.validate import ParamValidator

from components.errors import EcsReleaseError
from components.service_plan import bake_seconds, deployment_problems
from components.service_settings import ServiceSettings, ServiceSettingsError, settings_errors
from tests.conftest import spec_document
from tests.library.test_service_component import ATTACHMENT, ROLE, SERVICE, deploy, numbers, one
from components.service_mocks import ROLLOUT_TYPE

REGION, ACCOUNT = "eu-west-1", "123456789012"
BLUE = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/web-blue/0123456789abcdef"
GREEN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/web-green/fedcba9876543210"
PRODUCTION = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee"
TEST = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener-rule/app/shop/50dc6c495c0c9188/0467ef3c8400ae65/4ae5e4b7e9f7b0c1"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/ecsInfrastructureRoleForLoadBalancers"
BALANCED = {"target_group_arn": BLUE, "container_name": "web", "container_port": 8080}
SHIFTING = {**BALANCED, "alternate_target_group_arn": GREEN, "production_listener_rule_arn": PRODUCTION}
TESTED = {**SHIFTING, "test_listener_rule_arn": TEST}
GATE = {"stage": "POST_TEST_TRAFFIC_SHIFT", "timeout_minutes": 120}


def settings(**values) -> ServiceSettings:
    with settings_errors():
        return ServiceSettings.model_validate(values)


@pytest.mark.parametrize(
    "values, problems",
    [
        pytest.param({}, [], id="rolling-default"),
        pytest.param({"load_balancer": TESTED, "deployment": {"strategy": "blue_green", "pauses": [GATE]}, "wait_until": "paused"}, [], id="blue-green-gated"),
        pytest.param({"load_balancer": SHIFTING, "deployment": {"strategy": "canary", "canary_percent": 12.5}}, [], id="canary"),
        pytest.param({"deployment": {"strategy": "blue_green"}}, [], id="blue-green-without-load-balancer"),
        pytest.param(
            {"deployment": {"strategy": "rolling", "canary_percent": 10.0, "bake_time_minutes": 3}},
            ["ServiceSettings.deployment.bake_time_minutes: set, but it is a setting of blue_green, canary and linear deployments and the "
             "strategy is rolling; remove it, or set the strategy it belongs to",
             "ServiceSettings.deployment.canary_percent: set, but it is a setting of canary deployments and the strategy is rolling; remove it, "
             "or set the strategy it belongs to"],
            id="settings-of-another-strategy",
        ),
        pytest.param(
            {"load_balancer": {**BALANCED, "alternate_target_group_arn": GREEN, "infrastructure_role_arn": ROLE_ARN}},
            ["LoadBalancerSettings: alternate_target_group_arn, infrastructure_role_arn set but the deployment strategy is rolling; they are "
             "used by blue_green, canary and linear deployments only: remove them, or set ServiceSettings.deployment.strategy to one of those"],
            id="advanced-settings-with-rolling",
        ),
        pytest.param(
            {"deployment": {"strategy": "linear"}},
            ["ServiceSettings.deployment (linear): ECS shifts linear traffic through a load balancer (or Service Connect, which these settings "
             "do not configure) and this service has no load_balancer; add ServiceSettings.load_balancer with its alternate target group and "
             "listener rules, or use strategy rolling or blue_green"],
            id="linear-without-load-balancer",
        ),
        pytest.param(
            {"load_balancer": BALANCED, "deployment": {"strategy": "canary"}},
            ["LoadBalancerSettings: alternate_target_group_arn and production_listener_rule_arn missing; a canary deployment behind a load "
             "balancer needs the second target group and the production listener rule whose weights ECS shifts (create both beforehand)"],
            id="canary-without-alternate",
        ),
        pytest.param(
            {"load_balancer": {**SHIFTING, "alternate_target_group_arn": BLUE, "test_listener_rule_arn": PRODUCTION}, "deployment": {"strategy": "blue_green"}},
            ["LoadBalancerSettings.alternate_target_group_arn: the same as target_group_arn; give a second target group",
             "LoadBalancerSettings.test_listener_rule_arn: the same as production_listener_rule_arn; give the rule of the test listener"],
            id="same-target-group-and-rule",
        ),
        pytest.param(
            {"load_balancer": SHIFTING, "deployment": {"strategy": "canary", "canary_percent": 2.55}},
            ["ServiceSettings.deployment (canary).canary_percent: 2.55 is not a multiple of 0.1, which ECS requires; round it to one decimal"],
            id="canary-percent-tenths",
        ),
        pytest.param(
            {"load_balancer": TESTED, "deployment": {"strategy": "blue_green", "pauses": [{"stage": "TEST_TRAFFIC_SHIFT"}, {"stage": "PRODUCTION_TRAFFIC_SHIFT"}]}},
            ["ServiceSettings.deployment (blue_green).pauses: ECS refuses a pause at PRODUCTION_TRAFFIC_SHIFT (those stages also run during a "
             "rollback); pause at PRE_PRODUCTION_TRAFFIC_SHIFT or POST_PRODUCTION_TRAFFIC_SHIFT instead",
             "ServiceSettings.deployment (blue_green).pauses: ECS refuses a pause at TEST_TRAFFIC_SHIFT (those stages also run during a "
             "rollback); pause at POST_TEST_TRAFFIC_SHIFT instead"],
            id="pause-where-ecs-refuses",
        ),
        pytest.param(
            {"load_balancer": SHIFTING, "deployment": {"strategy": "blue_green", "pauses": [GATE]}},
            ["ServiceSettings.deployment (blue_green).pauses: a pause at POST_TEST_TRAFFIC_SHIFT is for testing the new revision on the test "
             "listener, and LoadBalancerSettings.test_listener_rule_arn is not set; give the test listener rule, or pause at another stage"],
            id="test-gate-without-test-rule",
        ),
        pytest.param(
            {"deployment": {"pauses": [{"stage": "POST_SCALE_UP"}, {"stage": "POST_SCALE_UP"}, {"stage": "PRE_PRODUCTION_TRAFFIC_SHIFT"}]}},
            ["ServiceSettings.deployment (rolling).pauses: POST_SCALE_UP is given 2 times; keep one pause per stage",
             "ServiceSettings.deployment (rolling).pauses: a rolling deployment shifts no traffic between target groups, so a pause at "
             "PRE_PRODUCTION_TRAFFIC_SHIFT would never happen; pause at RECONCILE_SERVICE, PRE_SCALE_UP or POST_SCALE_UP, or use strategy "
             "blue_green, canary or linear"],
            id="duplicate-and-rolling-traffic-stage",
        ),
        pytest.param(
            {"wait_until": "paused", "wait_for_steady_state": True},
            ['ServiceSettings.wait_until: "paused" but the deployment has no pause gate; add one to deployment.pauses, or wait until "completed"'],
            id="paused-without-gate",
        ),
        pytest.param(
            {"deployment": {"pauses": [{"stage": "POST_SCALE_UP"}]}, "wait_for_steady_state": True},
            ["ServiceSettings.wait_for_steady_state: true with pause gates: a paused deployment never becomes steady, so the AWS provider's "
             "wait would fail the update; leave it false (the rollout wait follows the deployment)"],
            id="steady-state-with-gate",
        ),
    ],
)
def test_deployment_settings_are_refused_as_ecs_refuses_them(values, problems):
    assert deployment_problems(settings(**values)) == problems


@pytest.mark.parametrize(
    "values, problems",
    [
        pytest.param(
            {"deployment": {"strategy": "wavy"}},
            ["ServiceSettings.deployment.strategy: Input should be 'rolling', 'blue_green', 'canary' or 'linear' (got 'wavy'); fix the value"],
            id="unknown-strategy",
        ),
        pytest.param(
            {"deployment": {"strategy": "linear", "step_percent": 2.0, "pauses": [{"stage": "POST_TEST_TRAFFIC_SHIFT", "timeout_minutes": 0, "timeout_action": "WAIT"}]}},
            ["ServiceSettings.deployment.step_percent: Input should be greater than or equal to 3 (got 2.0); fix the value",
             "ServiceSettings.deployment.pauses.0.timeout_minutes: Input should be greater than or equal to 1 (got 0); fix the value",
             "ServiceSettings.deployment.pauses.0.timeout_action: Input should be 'ROLLBACK' or 'CONTINUE' (got 'WAIT'); fix the value"],
            id="ranges-from-the-api",
        ),
        pytest.param(
            {"load_balancer": {**BALANCED, "production_listener_rule_arn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2"}},
            ["ServiceSettings.load_balancer.production_listener_rule_arn: String should match pattern "
             "'^arn:[\\w-]+:elasticloadbalancing:[\\w-]+:\\d{12}:(listener-rule/app/[\\w-]+/[0-9a-f]+/[0-9a-f]+/[0-9a-f]+|listener/net/[\\w-]+/[0-9a-f]+/[0-9a-f]+)$' "
             "(got 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2'); fix the value"],
            id="alb-listener-instead-of-its-rule",
        ),
    ],
)
def test_strategy_models_are_strict(values, problems):
    with pytest.raises(ServiceSettingsError) as raised:
        settings(**values)
    assert raised.value.problems == problems


@pytest.mark.parametrize(
    "deployment, seconds",
    [
        pytest.param({}, 0, id="rolling"),
        pytest.param({"strategy": "blue_green", "bake_time_minutes": 15}, 900, id="blue-green"),
        pytest.param({"strategy": "canary"}, (10 + 5) * 60, id="canary-defaults"),
        pytest.param({"strategy": "linear"}, (9 * 6 + 5) * 60, id="linear-defaults: 10 steps, no bake after the last"),
        pytest.param({"strategy": "linear", "step_percent": 33.3, "step_bake_time_minutes": 2, "bake_time_minutes": 0}, 3 * 2 * 60, id="linear-uneven"),
    ],
)
def test_the_wait_adds_the_strategys_bake_times_to_its_timeout(deployment, seconds):
    balancer = {"load_balancer": SHIFTING} if deployment else {}
    assert bake_seconds(settings(deployment=deployment, **balancer)) == seconds


# --- What the component registers, per strategy --------------------------------------------------------------------

ECS = botocore.session.get_session().get_service_model("ecs")


def create_service_request(inputs: dict) -> dict:
    """The CreateService request the recorded ``aws.ecs.Service`` inputs make (pulumi-aws's names → the API's)."""
    configuration = dict(inputs.get("deploymentConfiguration") or {})
    api: dict = {
        "minimumHealthyPercent": inputs["deploymentMinimumHealthyPercent"], "maximumPercent": inputs["deploymentMaximumPercent"],
        "deploymentCircuitBreaker": inputs["deploymentCircuitBreaker"], "strategy": configuration["strategy"],
    }
    if "bakeTimeInMinutes" in configuration:
        api["bakeTimeInMinutes"] = int(configuration["bakeTimeInMinutes"])
    if canary := configuration.get("canaryConfiguration"):
        api["canaryConfiguration"] = {"canaryPercent": canary["canaryPercent"], "canaryBakeTimeInMinutes": int(canary["canaryBakeTimeInMinutes"])}
    if linear := configuration.get("linearConfiguration"):
        api["linearConfiguration"] = {"stepPercent": linear["stepPercent"], "stepBakeTimeInMinutes": int(linear["stepBakeTimeInMinutes"])}
    if hooks := configuration.get("lifecycleHooks"):
        api["lifecycleHooks"] = [
            {"targetType": hook["targetType"], "lifecycleStages": hook["lifecycleStages"],
             "timeoutConfiguration": {"action": hook["timeoutConfiguration"]["action"], "timeoutInMinutes": int(hook["timeoutConfiguration"]["timeoutInMinutes"])}}
            for hook in hooks
        ]
    if alarms := inputs.get("alarms"):
        api["alarms"] = {"alarmNames": alarms["alarmNames"], "enable": alarms["enable"], "rollback": alarms["rollback"]}
    request = {
        "cluster": inputs["cluster"], "serviceName": inputs["name"], "taskDefinition": inputs["taskDefinition"], "launchType": inputs["launchType"],
        "desiredCount": inputs["desiredCount"], "deploymentConfiguration": api, "propagateTags": inputs["propagateTags"],
    }
    if network := inputs.get("networkConfiguration"):
        request["networkConfiguration"] = {"awsvpcConfiguration": {
            "subnets": network["subnets"], "securityGroups": network.get("securityGroups", []),
            "assignPublicIp": "ENABLED" if network.get("assignPublicIp") else "DISABLED"}}
    if balancers := inputs.get("loadBalancers"):
        request["loadBalancers"] = [dict(balancer) for balancer in balancers]
        request["healthCheckGracePeriodSeconds"] = inputs["healthCheckGracePeriodSeconds"]
    return request


def valid(request: dict) -> dict:
    report = ParamValidator().validate(request, ECS.operation_model("CreateService").input_shape)
    assert not report.has_errors(), report.generate_report()
    return request


def test_blue_green_with_a_test_rule_a_gate_and_a_created_infrastructure_role(mocks):
    deploy(spec_document(), settings(
        load_balancer=TESTED, wait_until="paused",
        deployment={"strategy": "blue_green", "bake_time_minutes": 15, "pauses": [GATE], "rollback_alarms": ["shop-web-5xx"]},
    ))
    service = numbers(one(mocks, SERVICE))
    role = {r.name: r.inputs for r in mocks.resources if r.type == ROLE}["web-ecs-infrastructure"]
    assert role["name"] == "shop-web-ecs-infrastructure"
    assert json.loads(role["assumeRolePolicy"])["Statement"] == [
        {"Sid": "AllowAccessToECSForInfrastructureManagement", "Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    attachments = {r.name: (r.inputs["role"], r.inputs["policyArn"]) for r in mocks.resources if r.type == ATTACHMENT}
    assert attachments == {"web-ecs-infrastructure-lb": ("shop-web-ecs-infrastructure", "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers")}
    assert service["deploymentConfiguration"] == {
        "strategy": "BLUE_GREEN", "bakeTimeInMinutes": "15",
        "lifecycleHooks": [{"targetType": "PAUSE", "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"], "timeoutConfiguration": {"action": "ROLLBACK", "timeoutInMinutes": "120"}}],
    }
    assert service["loadBalancers"] == [{
        "targetGroupArn": BLUE, "containerName": "web", "containerPort": 8080,
        "advancedConfiguration": {"alternateTargetGroupArn": GREEN, "productionListenerRule": PRODUCTION, "testListenerRule": TEST,
                                  "roleArn": f"arn:aws:iam::{ACCOUNT}:role/shop-web-ecs-infrastructure"},
    }]
    assert service["alarms"] == {"alarmNames": ["shop-web-5xx"], "enable": True, "rollback": True}
    assert service["waitForSteadyState"] is False
    rollout = numbers(one(mocks, ROLLOUT_TYPE))
    assert (rollout["wait_until"], rollout["bake_seconds"]) == ("paused", 900)
    assert valid(create_service_request(service))["deploymentConfiguration"]["lifecycleHooks"][0]["timeoutConfiguration"]["timeoutInMinutes"] == 120


def test_canary_with_a_given_infrastructure_role_creates_no_role(mocks):
    deploy(spec_document(), settings(
        load_balancer={**SHIFTING, "infrastructure_role_arn": ROLE_ARN},
        deployment={"strategy": "canary", "canary_percent": 10.0, "canary_bake_time_minutes": 30, "bake_time_minutes": 0,
                    "pauses": [{"stage": "PRE_PRODUCTION_TRAFFIC_SHIFT", "timeout_action": "CONTINUE"}]},
    ))
    service = numbers(one(mocks, SERVICE))
    assert not [r for r in mocks.resources if r.type in (ROLE, ATTACHMENT)]
    assert service["deploymentConfiguration"] == {
        "strategy": "CANARY", "bakeTimeInMinutes": "0", "canaryConfiguration": {"canaryPercent": 10, "canaryBakeTimeInMinutes": "30"},
        "lifecycleHooks": [{"targetType": "PAUSE", "lifecycleStages": ["PRE_PRODUCTION_TRAFFIC_SHIFT"], "timeoutConfiguration": {"action": "CONTINUE", "timeoutInMinutes": "1440"}}],
    }
    assert service["loadBalancers"][0]["advancedConfiguration"] == {"alternateTargetGroupArn": GREEN, "productionListenerRule": PRODUCTION, "roleArn": ROLE_ARN}
    valid(create_service_request(service))


def test_linear_and_rolling_inputs(mocks):
    deploy(spec_document(), settings(load_balancer=SHIFTING, deployment={"strategy": "linear", "step_percent": 20.0, "step_bake_time_minutes": 3}))
    service = numbers(one(mocks, SERVICE))
    assert service["deploymentConfiguration"] == {"strategy": "LINEAR", "bakeTimeInMinutes": "5", "linearConfiguration": {"stepPercent": 20, "stepBakeTimeInMinutes": "3"}}
    assert "alarms" not in service
    valid(create_service_request(service))
    assert numbers(one(mocks, ROLLOUT_TYPE))["bake_seconds"] == (4 * 3 + 5) * 60


def test_a_rolling_service_with_a_gate_before_its_tasks_start(mocks):
    deploy(spec_document(), settings(deployment={"pauses": [{"stage": "PRE_SCALE_UP", "timeout_minutes": 30}]}))
    service = numbers(one(mocks, SERVICE))
    assert service["deploymentConfiguration"] == {"strategy": "ROLLING", "lifecycleHooks": [
        {"targetType": "PAUSE", "lifecycleStages": ["PRE_SCALE_UP"], "timeoutConfiguration": {"action": "ROLLBACK", "timeoutInMinutes": "30"}}]}
    assert not [r for r in mocks.resources if r.type == ROLE and r.name.endswith("ecs-infrastructure")]
    valid(create_service_request(service))


def test_a_refused_strategy_stops_the_component_before_any_resource_exists(mocks):
    with pytest.raises(EcsReleaseError) as raised:
        deploy(spec_document(), {"deployment": {"strategy": "canary"}, "wait_until": "paused"})
    assert raised.value.problems == [
        "ServiceSettings.deployment (canary): ECS shifts canary traffic through a load balancer (or Service Connect, which these settings do not "
        "configure) and this service has no load_balancer; add ServiceSettings.load_balancer with its alternate target group and listener rules, "
        "or use strategy rolling or blue_green",
        'ServiceSettings.wait_until: "paused" but the deployment has no pause gate; add one to deployment.pauses, or wait until "completed"',
    ]
    assert mocks.resources == []
