"""Existing stacks update in place: TaggedService's children alias their URNs from before TaggedService.

Before it, a program wired ``TaskRoles``, ``TaggedTaskDefinition`` and ``EcsService`` components of the
same name side by side, and ``RevisionRetention`` at the top level. ``OLD_URNS`` are the URNs that
program registered for prod (commit b00f041, as the Pulumi engine writes them: a top-level resource's
type chain does not include the root stack). Each must be the URN of a child of ``TaggedService("web")``
or one of its aliases, as the engine resolves an alias spec.
"""

from __future__ import annotations

import pulumi
import pytest
from pulumi.runtime import mocks as pulumi_mocks

from components.service import TaggedService
from components.service_settings import AutoscalingSettings, LoadBalancerSettings, ServiceSettings, TaskDefinitionSettings
from tests.conftest import spec_document

OLD_URNS = [
    "urn:pulumi:test::ecs-release::ecs-release:index:TaskRoles$aws:iam/role:Role::web-execution-role",
    "urn:pulumi:test::ecs-release::ecs-release:index:TaskRoles$aws:iam/role:Role::web-task-role",
    "urn:pulumi:test::ecs-release::ecs-release:index:TaskRoles$aws:cloudwatch/logGroup:LogGroup::web-logs",
    "urn:pulumi:test::ecs-release::ecs-release:index:TaskRoles$aws:iam/rolePolicyAttachment:RolePolicyAttachment::web-execution-managed",
    "urn:pulumi:test::ecs-release::ecs-release:index:TaskRoles$aws:iam/rolePolicy:RolePolicy::web-execution-secrets",
    "urn:pulumi:test::ecs-release::ecs-release:index:TaskRoles$aws:iam/rolePolicyAttachment:RolePolicyAttachment::web-task-AWSXRayDaemonWriteAccess",
    "urn:pulumi:test::ecs-release::ecs-release:index:TaggedTaskDefinition$aws:ecs/taskDefinition:TaskDefinition::web-taskdef",
    "urn:pulumi:test::ecs-release::ecs-release:index:EcsService$aws:ecs/cluster:Cluster::web-cluster",
    "urn:pulumi:test::ecs-release::ecs-release:index:EcsService$aws:ecs/service:Service::web-service",
    "urn:pulumi:test::ecs-release::ecs-release:index:EcsService$pulumi-python:dynamic:ServiceRollout::web-rollout",
    "urn:pulumi:test::ecs-release::ecs-release:index:EcsService$aws:appautoscaling/target:Target::web-scaling",
    "urn:pulumi:test::ecs-release::ecs-release:index:EcsService$aws:appautoscaling/policy:Policy::web-scaling-policy",
    "urn:pulumi:test::ecs-release::pulumi-python:dynamic:RevisionRetention::web-retention",
]
TARGET_GROUP = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef"


def _type_chain(urn: str) -> str:
    return urn.split("::")[2]


def resolve(spec, current_type: str, current_name: str, parent_urn: str, stack: str = "test", project: str = "ecs-release") -> str:
    """The URN an alias spec names, as the engine computes it (an empty field means the resource's current one)."""
    name, typ = spec.name or current_name, spec.type or current_type
    parent = "" if spec.noParent else (spec.parentUrn or parent_urn)
    chain = f"{_type_chain(parent)}${typ}" if parent and "pulumi:pulumi:Stack" not in _type_chain(parent) else typ
    return f"urn:pulumi:{spec.stack or stack}::{spec.project or project}::{chain}::{name}"


@pytest.fixture
def registrations(monkeypatch):
    seen = []
    original = pulumi_mocks.MockMonitor.RegisterResource

    def record(self, request):
        response = original(self, request)
        seen.append((request, response.urn))
        return response

    monkeypatch.setattr(pulumi_mocks.MockMonitor, "RegisterResource", record)
    return seen


def test_every_urn_of_the_previous_program_is_a_childs_urn_or_alias(mocks, registrations):
    document = spec_document()
    document.pop("executionRoleArn")
    document["containerDefinitions"][0]["logConfiguration"] = {"logDriver": "awslogs", "options": {"awslogs-region": "eu-west-1"}}

    @pulumi.runtime.test
    def run():
        service = TaggedService("web", {
            "task_definition": document,
            "image_tags": {"web": "1.4.2", "sidecar": "2.0"},
            "service": ServiceSettings(
                desired_count=2,
                autoscaling=AutoscalingSettings(min_tasks=2, max_tasks=4),
                load_balancer=LoadBalancerSettings(target_group_arn=TARGET_GROUP, container_name="web", container_port=8080),
            ),
            "task": TaskDefinitionSettings(task_role_policy_arns=["arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"]),
        })
        return service.service_arn

    run()
    covered = {}
    for request, urn in registrations:
        names = {urn.replace("pulumi:pulumi:Stack$", "")}  # the mock monitor chains the root stack's type; the engine does not
        for alias in request.aliases:  # a full URN, or a spec the engine resolves
            names.add(alias.urn or resolve(alias.spec, request.type, request.name, request.parent))
        for name in names:
            covered[name] = request.name
    assert [urn for urn in OLD_URNS if urn not in covered] == []
    assert all(covered[urn] == urn.rsplit("::", 1)[1] for urn in OLD_URNS)  # each by the child of the same name


def test_under_another_parent_the_alias_names_that_parents_old_child(mocks, registrations):
    @pulumi.runtime.test
    def run():
        outer = pulumi.ComponentResource("test:index:Team", "team")
        service = TaggedService("api", {"task_definition": spec_document(), "image_tags": {"web": "1", "sidecar": "2"}},
                                pulumi.ResourceOptions(parent=outer))
        return service.service_arn

    run()
    parents = {request.name: [alias.spec.parentUrn or alias.urn for alias in request.aliases] for request, _ in registrations}
    team = "urn:pulumi:test::ecs-release::pulumi:pulumi:Stack$test:index:Team::team"
    assert parents["api-taskdef"] == [team.rsplit("::", 1)[0] + "$ecs-release:index:TaggedTaskDefinition::api"]
    assert parents["api-service"] == parents["api-rollout"] == [team.rsplit("::", 1)[0] + "$ecs-release:index:EcsService::api"]
    assert parents["api-retention"] == ["urn:pulumi:test::ecs-release::pulumi-python:dynamic:RevisionRetention::api-retention"]
