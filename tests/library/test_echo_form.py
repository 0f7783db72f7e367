"""The echo form: what AWS stores is what we send, so an unchanged spec never diffs."""

from __future__ import annotations

import botocore.session
import pytest

from components.render import STRING_MAP_FIELDS, render_document
from components.spec import TaskDefinitionSpec
from components.taskdef_file import read_only_fields, spec_from_data
from tests.conftest import spec_document

ECS = botocore.session.get_session().get_service_model("ecs")


def test_read_only_fields_are_what_describe_returns_and_register_does_not_take():
    fields = read_only_fields()
    assert {
        "taskDefinitionArn",
        "revision",
        "status",
        "requiresAttributes",
        "compatibilities",
        "registeredAt",
        "registeredBy",
        "deregisteredAt",
        "deleteRequestedAt",
    } <= fields
    assert not fields & set(ECS.operation_model("RegisterTaskDefinition").input_shape.members)
    assert fields <= set(ECS.shape_for("TaskDefinition").members)


def test_every_read_only_field_is_dropped_when_loading_describe_output():
    document = spec_document()
    described = dict(document, **{field: "2026-01-01T00:00:00Z" for field in read_only_fields()})
    spec = spec_from_data({"taskDefinition": described, "tags": []}, "describe.json")
    assert spec == TaskDefinitionSpec.model_validate(document)


def _with_empty_strings() -> dict:
    web, sidecar = spec_document()["containerDefinitions"]
    web = dict(
        web,
        dockerLabels={"team": "", "tier": "web"},
        logConfiguration={"logDriver": "awsfirelens", "options": {"Name": "cloudwatch", "log_key": ""}},
    )
    sidecar = dict(sidecar, firelensConfiguration={"type": "fluentbit", "options": {"enable-ecs-log-metadata": ""}})
    volume = {"name": "cache", "dockerVolumeConfiguration": {"driver": "local", "driverOpts": {"o": ""}, "labels": {"x": ""}}}
    return spec_document(
        requiresCompatibilities=["EC2"], networkMode="bridge", containerDefinitions=[web, sidecar], volumes=[volume]
    )


def test_an_empty_string_in_a_string_map_is_a_value_and_is_kept():
    document = render_document(TaskDefinitionSpec.model_validate(_with_empty_strings()))
    web, sidecar = (c for c in sorted(document["containerDefinitions"], key=lambda c: c["name"], reverse=True))
    assert web["dockerLabels"] == {"team": "", "tier": "web"}
    assert web["logConfiguration"]["options"] == {"Name": "cloudwatch", "log_key": ""}
    assert sidecar["firelensConfiguration"]["options"] == {"enable-ecs-log-metadata": ""}
    volume = document["volumes"][0]["dockerVolumeConfiguration"]
    assert volume["driverOpts"] == {"o": ""} and volume["labels"] == {"x": ""}


def test_an_empty_string_map_is_still_dropped():
    web, sidecar = spec_document()["containerDefinitions"]
    document = spec_document(containerDefinitions=[dict(web, dockerLabels={}), sidecar])
    rendered = render_document(TaskDefinitionSpec.model_validate(document))
    assert all("dockerLabels" not in container for container in rendered["containerDefinitions"])


@pytest.mark.parametrize("field", ["dockerLabels", "driverOpts", "labels", "options"])
def test_the_string_maps_are_found_in_the_spec_models(field):
    assert field in STRING_MAP_FIELDS
