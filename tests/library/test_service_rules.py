"""The ECS API's service rules: each one at its boundary, with a value AWS accepts and one it refuses."""

from __future__ import annotations

import pytest

import components.service_rules as service_rules_module
from components.errors import EcsReleaseError
from components.program import prepare_services
from components.service_plan import plan_service, plan_task_definition, settings_problems
from components.service_rules import SERVICE_RULES, Service, duplicate_service_problems
from components.service_settings import ServiceSettings
from components.spec import TaskDefinitionSpec
from tests.conftest import spec_document

TARGET_GROUP = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef"
SPEC = TaskDefinitionSpec.model_validate(spec_document())
EC2_BRIDGE = TaskDefinitionSpec.model_validate(spec_document(requiresCompatibilities=["EC2"], networkMode="bridge", cpu=None))
EC2_AWSVPC = TaskDefinitionSpec.model_validate(spec_document(requiresCompatibilities=["EC2", "FARGATE"]))


def settings(**fields) -> ServiceSettings:
    return ServiceSettings.model_validate(fields)


def network(**fields) -> dict:
    return {"network": fields}


def balancer(**fields) -> dict:
    return {"load_balancer": {"target_group_arn": TARGET_GROUP, "container_name": "web", "container_port": 8080, **fields}}


def subnets(count: int) -> list[str]:
    return [f"subnet-{index:04x}" for index in range(count)]


def case(rule: str, valid: dict, invalid: dict, path: str, id: str, spec: TaskDefinitionSpec = SPEC):
    return pytest.param(rule, spec, valid, invalid, path, id=id)


CASES = [
    case("service-name", {"name": "a" * 255}, {"name": "a" * 256}, "ServiceSettings.name", "name-255-256"),
    case("service-name", {"name": "shop_web-2"}, {"name": "shop.web"}, "ServiceSettings.name", "name-characters"),
    case("cluster-name", {"cluster": "c" * 255}, {"cluster": "c" * 256}, "ServiceSettings.cluster", "cluster-255-256"),
    case("cluster-name", {"cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/shop"}, {"cluster": "arn:aws:ecs:eu-west-1:123456789012:service/shop"}, "ServiceSettings.cluster", "cluster-arn"),
    case("launch-type", {"launch_type": "FARGATE"}, {"launch_type": "EC2"}, "ServiceSettings.launch_type", "launch-type-compatibility"),
    case("network-mode", {"launch_type": "EC2"}, {"launch_type": "EC2", **network(security_groups=["sg-1"])}, "ServiceSettings.network", "network-on-bridge", spec=EC2_BRIDGE),
    case("subnets", network(subnets=subnets(16)), network(subnets=subnets(17)), "ServiceSettings.network.subnets", "subnets-16-17"),
    case("subnets", network(subnets=subnets(1)), network(subnets=[]), "ServiceSettings.network.subnets", "subnets-1-0"),
    case("security-groups", network(security_groups=["sg-1"] * 5), network(security_groups=["sg-1"] * 6), "ServiceSettings.network.security_groups", "security-groups-5-6"),
    case("public-ip-fargate", {"launch_type": "EC2", **network(subnets=["subnet-1"], assign_public_ip=False)}, {"launch_type": "EC2", **network(subnets=["subnet-1"], assign_public_ip=True)}, "ServiceSettings.network.assign_public_ip", "public-ip-on-ec2", spec=EC2_AWSVPC),
    case("deployment-progress", {"desired_count": 1, "minimum_healthy_percent": 100, "maximum_percent": 200}, {"desired_count": 1, "minimum_healthy_percent": 100, "maximum_percent": 199}, "ServiceSettings.minimum_healthy_percent/maximum_percent", "one-task-needs-200"),
    case("deployment-progress", {"desired_count": 1, "minimum_healthy_percent": 0, "maximum_percent": 100}, {"desired_count": 1, "minimum_healthy_percent": 100, "maximum_percent": 100}, "ServiceSettings.minimum_healthy_percent/maximum_percent", "one-task-stop-first"),
    case("deployment-progress", {"desired_count": 4, "minimum_healthy_percent": 75, "maximum_percent": 125}, {"desired_count": 3, "minimum_healthy_percent": 75, "maximum_percent": 125}, "ServiceSettings.minimum_healthy_percent/maximum_percent", "rounding-at-three"),
    case("deployment-progress", {"desired_count": 4, "minimum_healthy_percent": 75, "maximum_percent": 125, "autoscaling": {"min_tasks": 4, "max_tasks": 8}}, {"desired_count": 4, "minimum_healthy_percent": 75, "maximum_percent": 125, "autoscaling": {"min_tasks": 3, "max_tasks": 8}}, "ServiceSettings.minimum_healthy_percent/maximum_percent", "every-autoscaled-count"),
    case("load-balancer-container", balancer(), balancer(container_name="api"), "LoadBalancerSettings.container_name", "balanced-container"),
    case("load-balancer-port", balancer(), balancer(container_port=8081), "LoadBalancerSettings.container_port", "balanced-port"),
    case("health-check-grace-period", balancer(health_check_grace_period_seconds=2_147_483_647), balancer(health_check_grace_period_seconds=2_147_483_648), "LoadBalancerSettings.health_check_grace_period_seconds", "grace-2147483647-2147483648"),
]


def rule(rule_id: str):
    return next(rule for rule in SERVICE_RULES if rule.id == rule_id)


@pytest.mark.parametrize("rule_id, spec, valid, invalid, path", CASES)
def test_service_rule_at_its_boundary(rule_id, spec, valid, invalid, path):
    assert settings_problems(spec, settings(**valid)) == []
    found = settings_problems(spec, settings(**invalid))
    assert len(found) == 1, found
    assert found[0].startswith(f"{path}: "), found[0]
    assert list(rule(rule_id).check(Service(spec, settings(**invalid)))) == found  # the problem is this rule's


def test_every_service_rule_cites_its_source_and_is_tested_at_a_boundary():
    ids = [each.id for each in SERVICE_RULES]
    assert len(ids) == len(set(ids))
    for each in SERVICE_RULES:
        assert each.source.startswith("https://docs.aws.amazon.com/AmazonECS/latest/"), each
        assert f"``{each.id}``" in service_rules_module.__doc__, f"{each.id} is missing from the module docstring"
    assert set(ids) == {param.values[0] for param in CASES}


def test_the_grace_period_exists_only_with_a_load_balancer():
    """Half of rule health-check-grace-period is the model's: the setting is a field of load_balancer."""
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="health_check_grace_period_seconds"):
        ServiceSettings(health_check_grace_period_seconds=60)


def test_the_messages_name_the_value_and_the_fix():
    (message,) = settings_problems(SPEC, settings(desired_count=2, minimum_healthy_percent=100, maximum_percent=120))
    assert message == (
        "ServiceSettings.minimum_healthy_percent/maximum_percent: 100/120 at 2 tasks keeps 2 running and allows 2, so ECS "
        "can neither stop nor start a task and every deployment is stuck; lower minimum_healthy_percent or raise maximum_percent"
    )
    (message,) = settings_problems(SPEC, settings(network={"subnets": subnets(17)}))
    assert message == (
        "ServiceSettings.network.subnets: 17 subnets; AWS accepts at most 16 per service: keep one or two per Availability Zone"
    )


def test_percentages_outside_the_old_bounds_are_accepted_when_the_deployment_can_proceed():
    """The API reference gives no range for the percentages: only deployment-progress limits them."""
    assert settings_problems(SPEC, settings(desired_count=2, minimum_healthy_percent=50, maximum_percent=300)) == []
    assert settings_problems(SPEC, settings(desired_count=4, minimum_healthy_percent=50, maximum_percent=75)) == []


def test_no_task_means_no_deployment_to_block():
    assert settings_problems(SPEC, settings(desired_count=0, minimum_healthy_percent=100, maximum_percent=100)) == []


def test_an_ec2_service_in_the_default_vpc_gets_no_public_ip():
    planned = plan_service(plan_task_definition(EC2_AWSVPC, {"web": "1.0", "sidecar": "2.0"}), settings(launch_type="EC2"))
    assert (planned.default_vpc, planned.assign_public_ip) == (True, False)
    planned = plan_service(plan_task_definition(EC2_AWSVPC, {"web": "1.0", "sidecar": "2.0"}), settings(launch_type="FARGATE"))
    assert (planned.default_vpc, planned.assign_public_ip) == (True, True)


def test_service_names_are_unique_within_a_cluster():
    assert duplicate_service_problems([("web", "cluster shop", "shop-web"), ("api", "cluster other", "shop-web")]) == []
    assert duplicate_service_problems([("web", "cluster shop", "shop-web"), ("api", "cluster shop", "shop-web")]) == [
        'service "api": ServiceSettings.name: "shop-web" is also the name of service "web" in cluster shop; service names '
        "are unique within a cluster: give one of them another name"
    ]


def test_a_program_with_two_services_of_one_name_in_one_cluster_is_refused():
    from components.declare import ServiceDeclaration

    def declared(name: str, service_name: str) -> ServiceDeclaration:
        return ServiceDeclaration(name=name, task_definition=spec_document(family=f"shop-{name}"), image_keys={"sidecar": "sidecarTag"},
                                  stacks={"dev": {"service": {"name": service_name}}})

    declarations = [declared("web", "shop"), declared("api", "shop")]
    config = {"webTag": "1.0", "sidecarTag": "2.0"}
    with pytest.raises(EcsReleaseError) as raised:
        prepare_services(declarations, "dev", shared_cluster=True, config=config)
    assert raised.value.problems == [
        'service "api": ServiceSettings.name: "shop" is also the name of service "web" in the shared cluster; service names '
        "are unique within a cluster: give one of them another name"
    ]
    declarations[1] = declared("api", "shop-api")
    assert [name for name, _ in prepare_services(declarations, "dev", shared_cluster=True, config=config)] == ["web", "api"]


def test_the_readme_lists_every_rule_with_its_source():
    from pathlib import Path

    from components.rules import RULES

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Rules checked before anything exists", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("|")[1].strip(" `"): line for line in section.splitlines() if line.startswith("| `")}
    for each in (*RULES, *SERVICE_RULES):
        assert each.id in rows, f"{each.id} is missing from the README's rules"
        assert f"]({each.source})" in rows[each.id], f"{each.id}: the README cites another source"
    assert service_rules_module.SERVICE_NAME_UNIQUE in rows["service-name-unique"]


def test_service_and_task_definition_problems_are_one_error_before_anything_exists(mocks):
    from components.service import TaggedService

    document = spec_document()
    document["containerDefinitions"][0]["healthCheck"] = {"command": ["CMD", "true"], "retries": 11}
    with pytest.raises(EcsReleaseError) as raised:
        TaggedService("web", {"task_definition": document, "image_tags": {"web": "1.0", "sidecar": "2.0"},
                              "service": {"network": {"subnets": subnets(17)}}})
    assert [problem.split(":", 1)[0] for problem in raised.value.problems] == [
        "containerDefinitions[web].healthCheck.retries", "ServiceSettings.network.subnets",
    ]
    assert mocks.resources == []
