"""Services declared as data: per-stack merging, file overrides, image keys, undeclared stacks (pure)."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from components.declare import DeclarationError, ServiceDeclaration, TaskDefinitionOverrides, apply_overrides
from components.errors import EcsReleaseError, StackConfigError
from components.program import prepare_services, stack_image_tags, stack_keys
from components.service_settings import ServiceSettings
from components.spec import TaskDefinitionSpec
from tests.conftest import spec_document

TAGS = {"webTag": "1.4.2", "sidecarTag": "2.0"}


def declaration(**overrides) -> ServiceDeclaration:
    fields = {"name": "web", "task_definition": spec_document(), "stacks": {"dev": {}, "prod": {}}}
    fields.update(overrides)
    return ServiceDeclaration(**fields)


def test_a_stack_merges_its_settings_over_the_defaults_key_by_key():
    web = declaration(
        defaults={"service": {"desired_count": 2, "network": {"subnets": ["subnet-a"], "security_groups": ["sg-1"]}}, "release": {"keep_revisions": 3}},
        stacks={"dev": {}, "prod": {"service": ServiceSettings(desired_count=5, network={"subnets": ["subnet-b"]}), "release": {"production": True}}},
    )
    assert web.args("dev", TAGS)["service"] == {"desired_count": 2, "network": {"subnets": ["subnet-a"], "security_groups": ["sg-1"]}}
    prod = web.args("prod", TAGS)
    assert prod["service"] == {"desired_count": 5, "network": {"subnets": ["subnet-b"], "security_groups": ["sg-1"]}}
    assert prod["release"] == {"keep_revisions": 3, "production": True}


def test_an_undeclared_stack_is_one_error_naming_the_declared_ones():
    with pytest.raises(DeclarationError) as raised:
        declaration().args("qa", TAGS)
    assert str(raised.value) == (
        'service "web" declares no settings for stack "qa"; declared stacks: dev, prod; add "qa" to its stacks, or deploy one of those'
    )


def test_a_file_varies_per_stack_without_copying_it(tmp_path):
    path = tmp_path / "web.json"
    document = spec_document()
    document["containerDefinitions"][0]["logConfiguration"] = {"logDriver": "awslogs", "options": {"awslogs-group": "/base"}}
    path.write_text(json.dumps({"taskDefinition": document, "tags": []}))
    web = declaration(task_definition=str(path), stacks={"prod": {"task_definition": {
        "family": "web-prod", "cpu": "1 vCPU", "memory": "2 GB", "log_group": "/prod/web",
        "environment": {"web": {"A_FIRST": "changed", "NEW": "1"}}, "secrets": {"web": {"DB": "/prod/db"}},
    }}})
    spec = web.args("prod", TAGS)["task_definition"]
    assert (spec.family, spec.cpu, spec.memory) == ("web-prod", "1 vCPU", "2 GB")
    container = spec.container_definitions[0]
    assert {e.name: e.value for e in container.environment} == {"Z_LAST": "z", "A_FIRST": "changed", "NEW": "1"}
    assert {s.name: s.value_from for s in container.secrets}["DB"] == "/prod/db"
    assert container.log_configuration.options["awslogs-group"] == "/prod/web"
    assert json.loads(path.read_text())["taskDefinition"]["family"] == "shop-web"  # the file itself is untouched


def test_overrides_naming_a_container_the_task_definition_lacks_are_refused():
    spec = TaskDefinitionSpec.model_validate(spec_document())
    with pytest.raises(DeclarationError, match='task_definition.environment: "api" is not a container of the task definition; use one of: sidecar, web'):
        apply_overrides(spec, TaskDefinitionOverrides(environment={"api": {"A": "1"}}))


def test_image_keys_default_to_the_container_names_and_can_be_shared_or_separate():
    shared = declaration(image_keys={"sidecar": "webTag"})
    assert shared.keys(shared.spec("dev")) == {"web": "webTag", "sidecar": "webTag"}
    separate = declaration(name="api", image_keys={"sidecar": "apiSidecarTag"})
    assert stack_keys([declaration(), separate], "dev") == {"sidecarTag": ["web"], "webTag": ["web", "api"], "apiSidecarTag": ["api"]}
    with pytest.raises(DeclarationError, match='service "web": image_keys names envoy, not a container of its task definition'):
        declaration(image_keys={"envoy": "envoyTag"}).keys(declaration().spec("dev"))


def test_the_stacks_config_is_checked_once_against_every_services_keys():
    api = declaration(name="api", image_keys={"web": "apiTag"})
    assert stack_image_tags([declaration(), api], "dev", {"webTag": "1", "sidecarTag": "2", "apiTag": "3"}) == {
        "apiTag": "3", "sidecarTag": "2", "webTag": "1"}
    with pytest.raises(StackConfigError) as raised:
        stack_image_tags([declaration(), api], "dev", {"webTag": "1", "wbeTag": "2", "sidecarTag": "bad tag!"})
    problems = raised.value.problems
    assert [p.split(" ")[0] for p in problems] == ["wbeTag", "apiTag", "sidecarTag"]
    assert "did you mean webTag?" in problems[0]


def test_every_problem_of_every_service_is_one_error_prefixed_by_the_service(mocks):
    api = declaration(name="api", stacks={"dev": {"service": {"desired_count": -1}}})
    web = declaration(stacks={"dev": {"service": {"cluster": "not a cluster!"}}})
    with pytest.raises(Exception) as raised:
        prepare_services([web, api], "dev", config=TAGS)
    problems = raised.value.problems
    assert problems[0].startswith('service "web": ServiceSettings.cluster: "not a cluster!" is neither')
    assert problems[1].startswith('service "api": ServiceSettings.desired_count: Input should be greater than or equal to 0 (got -1)')
    assert mocks.resources == []


def test_declarations_are_strict():
    with pytest.raises(ValidationError, match="stackz"):
        ServiceDeclaration(name="web", task_definition=spec_document(), stacks={"dev": {}}, stackz={})
    with pytest.raises(ValidationError, match="declare at least one stack"):
        ServiceDeclaration(name="web", task_definition=spec_document(), stacks={})
    with pytest.raises(DeclarationError, match=r'services\[1\].name: "web" is declared twice'):
        stack_keys([declaration(), declaration()], "dev")


def test_two_services_with_one_family_are_refused_naming_both(mocks):
    api = declaration(name="api", image_keys={"web": "apiTag", "sidecar": "apiSidecarTag"})
    with pytest.raises(Exception) as raised:
        prepare_services([declaration(), api], "dev", config={**TAGS, "apiTag": "1", "apiSidecarTag": "2"})
    assert raised.value.problems == [
        'service "api": family "shop-web" is also service "web"\'s; give each service its own (a family override in its stacks, or another family)',
        'service "api": ServiceSettings.name: "shop-web" is also the name of service "web" in cluster shop-web; service names are unique '
        "within a cluster: give one of them another name",
    ]
    assert mocks.resources == []


def test_prepare_services_builds_each_task_definition_once(mocks):
    built = []

    def task_definition(stack: str) -> TaskDefinitionSpec:
        built.append(stack)
        return TaskDefinitionSpec.model_validate(spec_document())

    prepare_services([declaration(task_definition=task_definition)], "dev", config=TAGS)
    assert built == ["dev"]


def test_a_bad_task_definition_document_is_named_by_its_service():
    document = spec_document()
    document["containerDefinitions"][0]["memoryReservation"] = "lots"
    with pytest.raises(EcsReleaseError) as raised:
        stack_keys([declaration(task_definition=document)], "dev")
    assert raised.value.problems[0].startswith('service "web": task_definition: containerDefinitions[0].memoryReservation:')
