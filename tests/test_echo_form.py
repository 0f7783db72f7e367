"""The echo form: what AWS stores is what we send, so an unchanged spec never diffs."""

from __future__ import annotations

import botocore.session
import pytest

from components.render import render_document
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
