"""The TaggedTaskDefinition component under the Pulumi SDK's mock runtime (``preview=False``)."""

from __future__ import annotations

import json

import pulumi
import pytest

from components.errors import TagError
from components.offline import TASK_DEFINITION_TYPE
from components.render import render_document
from components.task_definition import TYPE_TOKEN, TaggedTaskDefinition
from tests.conftest import WEB_REPOSITORY

VERSIONS = {"web": "1.4.2", "sidecar": "2.0"}


def task_definition_inputs(mocks) -> dict:
    (registered,) = [r for r in mocks.resources if r.type == TASK_DEFINITION_TYPE]
    return registered.inputs


@pulumi.runtime.test
def test_registers_one_task_definition_with_the_rendered_document(mocks, spec):
    component = TaggedTaskDefinition("web", {"spec": spec, "versions": VERSIONS})
    expected = render_document(spec, VERSIONS)

    def check(outputs):
        family, revision, arn, images, urn = outputs
        assert [r.type for r in mocks.resources] == [TYPE_TOKEN, TASK_DEFINITION_TYPE]
        assert [r.name for r in mocks.resources] == ["web", "web-taskdef"]
        inputs = task_definition_inputs(mocks)
        assert inputs["family"] == "shop-web"
        assert inputs["skipDestroy"] is True
        assert json.loads(inputs["containerDefinitions"]) == expected["containerDefinitions"]
        assert (inputs["cpu"], inputs["memory"], inputs["networkMode"]) == ("512", "1024", "awsvpc")
        assert inputs["requiresCompatibilities"] == ["FARGATE"]
        assert inputs["volumes"] == [{"name": "cache"}]
        assert (family, revision) == ("shop-web", 1)
        assert arn == "arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-web:1"
        assert images == {"sidecar": "registry.example.com:5000/ops/sidecar:2.0", "web": f"{WEB_REPOSITORY}:1.4.2"}
        assert f"{TYPE_TOKEN}$aws:ecs/taskDefinition:TaskDefinition::web-taskdef" in urn

    return pulumi.Output.all(
        component.family, component.revision, component.arn, component.images, component.task_definition.urn
    ).apply(check)


@pulumi.runtime.test
def test_a_tag_change_changes_only_the_image_input(mocks, spec):
    a = TaggedTaskDefinition("a", {"spec": spec, "versions": VERSIONS})
    b = TaggedTaskDefinition("b", {"spec": spec, "versions": {**VERSIONS, "web": "1.4.3"}})

    def check(_):
        # registrations run concurrently: order by logical name ("a-taskdef", "b-taskdef"), not by arrival
        first, second = [r.inputs for r in sorted(mocks.resources, key=lambda r: r.name) if r.type == TASK_DEFINITION_TYPE]
        assert {k: v for k, v in first.items() if k != "containerDefinitions"} == {
            k: v for k, v in second.items() if k != "containerDefinitions"
        }
        before, after = json.loads(first["containerDefinitions"]), json.loads(second["containerDefinitions"])
        assert [c["image"] for c in after] == [before[0]["image"], f"{WEB_REPOSITORY}:1.4.3"]
        for c in before + after:
            c.pop("image")
        assert before == after

    return pulumi.Output.all(a.arn, b.arn).apply(check)


def test_a_container_without_any_version_is_refused_before_anything_exists(mocks, spec):
    with pytest.raises(TagError) as raised:
        TaggedTaskDefinition("web", {"spec": spec, "versions": {"sidecar": "2.0"}})
    assert raised.value.problems == [
        f'container "web" has no image tag or digest (image "{WEB_REPOSITORY}"); give it one in the image tags'
    ]
    assert mocks.resources == []


@pytest.mark.parametrize(
    "field, value, expected_input",
    [
        pytest.param("ephemeralStorage", {"sizeInGiB": 50}, ("ephemeralStorage", {"sizeInGib": 50}), id="ephemeral-storage"),
        pytest.param(
            "volumes",
            [{"name": "cache", "host": {"sourcePath": "/var/cache"}}],
            ("volumes", [{"name": "cache", "hostPath": "/var/cache"}]),
            id="host-volume",
        ),
        pytest.param(
            "tags", [{"key": "team", "value": "shop"}], ("tags", {"team": "shop"}), id="tags-as-map"
        ),
        pytest.param(
            "runtimePlatform",
            {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
            ("runtimePlatform", {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"}),
            id="runtime-platform",
        ),
    ],
)
def test_api_fields_map_onto_the_provider_inputs(mocks, field, value, expected_input):
    from components.spec import TaskDefinitionSpec
    from tests.conftest import spec_document

    document = spec_document(**{field: value})
    if field == "volumes":  # host.sourcePath is refused on Fargate (rule fargate-volumes)
        document["requiresCompatibilities"] = ["EC2"]
    spec = TaskDefinitionSpec.model_validate(document)

    @pulumi.runtime.test
    def run():
        component = TaggedTaskDefinition("web", {"spec": spec, "versions": VERSIONS})
        return component.arn.apply(
            lambda _: _assert_input(task_definition_inputs(mocks), *expected_input)
        )

    run()


def _assert_input(inputs: dict, key: str, value) -> None:
    actual = inputs[key]
    if key == "ephemeralStorage":  # the mock runtime returns numbers as floats
        actual = {k: int(v) for k, v in actual.items()}
    assert actual == value


def test_alone_it_owns_its_roles_and_log_group_like_a_service_would(mocks):
    from tests.conftest import spec_document

    document = spec_document()
    document.pop("executionRoleArn")
    document["containerDefinitions"][0]["logConfiguration"] = {"logDriver": "awslogs", "options": {"awslogs-region": "eu-west-1"}}

    @pulumi.runtime.test
    def run():
        component = TaggedTaskDefinition("api", {"spec": document, "versions": {"web": "1.0"}, "task": {"task_role_policy_arns": ["arn:aws:iam::aws:policy/X"]}})
        return component.execution_role_arn.apply(lambda arn: arn)

    run()
    children = {(r.type, r.name) for r in mocks.resources}
    assert children == {
        ("ecs-release:index:TaggedTaskDefinition", "api"),
        ("aws:iam/role:Role", "api-execution-role"),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "api-execution-managed"),
        ("aws:iam/rolePolicy:RolePolicy", "api-execution-secrets"),
        ("aws:iam/role:Role", "api-task-role"),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "api-task-X"),
        ("aws:cloudwatch/logGroup:LogGroup", "api-logs"),
        ("aws:ecs/taskDefinition:TaskDefinition", "api-taskdef"),
    }
    (task_definition,) = [r.inputs for r in mocks.resources if r.name == "api-taskdef"]
    assert task_definition["executionRoleArn"] == "arn:aws:iam::123456789012:role/shop-web-execution"
    assert task_definition["taskRoleArn"] == "arn:aws:iam::123456789012:role/shop-web-task"
    web = next(c for c in json.loads(task_definition["containerDefinitions"]) if c["name"] == "web")
    assert web["logConfiguration"]["options"]["awslogs-group"] == "/ecs/shop-web"
