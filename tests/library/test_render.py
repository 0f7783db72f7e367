"""Canonical rendering: spec + versions → RegisterTaskDefinition document (pure functions)."""

from __future__ import annotations

import copy

import botocore.session
import botocore.validate
import pytest
from hypothesis import given, settings, strategies as st

from components.errors import SpecError, TagError
from components.render import render_document, to_json
from components.spec import TaskDefinitionSpec
from tests.conftest import SIDECAR_REPOSITORY, WEB_REPOSITORY, spec_document

ECS = botocore.session.get_session().get_service_model("ecs")
REGISTER_INPUT = ECS.operation_model("RegisterTaskDefinition").input_shape
DIGEST = "sha256:" + "c0ffee00" * 8


def render(document: dict, versions: dict | None = None) -> dict:
    return render_document(TaskDefinitionSpec.model_validate(document), versions)


def container(document: dict, name: str) -> dict:
    return next(c for c in document["containerDefinitions"] if c["name"] == name)


def assert_valid_request(document: dict) -> None:
    report = botocore.validate.ParamValidator().validate(document, REGISTER_INPUT)
    assert not report.has_errors(), report.generate_report()


def test_versions_set_the_tag_of_each_container():
    document = render(spec_document(), {"web": "1.4.2", "sidecar": DIGEST})
    assert container(document, "web")["image"] == f"{WEB_REPOSITORY}:1.4.2"
    assert container(document, "sidecar")["image"] == f"{SIDECAR_REPOSITORY}@{DIGEST}"
    assert_valid_request(document)


def test_containers_without_a_version_keep_their_image():
    assert container(render(spec_document(), {"web": "1"}), "sidecar")["image"] == f"{SIDECAR_REPOSITORY}:1.0"


@pytest.mark.parametrize(
    "overrides, path, expected",
    [
        pytest.param({}, ("*containerDefinitions",), ["sidecar", "web"], id="containers-sorted-by-name"),
        pytest.param({}, ("web", "environment"), [{"name": "A_FIRST", "value": "a"}, {"name": "Z_LAST", "value": "z"}], id="environment-sorted"),
        pytest.param({}, ("web", "*secrets"), ["DB", "TOKEN"], id="secrets-sorted"),
        pytest.param({}, ("cpu",), "512", id="vcpu-as-units"),
        pytest.param({}, ("memory",), "1024", id="gb-as-mib"),
        pytest.param({"cpu": "2 vCPU", "memory": "4096"}, ("cpu",), "2048", id="integer-cpu"),
        pytest.param({}, ("web", "essential"), True, id="essential-explicit"),
        pytest.param({}, ("sidecar", "essential"), False, id="essential-false-kept"),
        pytest.param({}, ("web", "portMappings"), [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}], id="awsvpc-host-port"),
        pytest.param({"taskRoleArn": "", "pidMode": None}, ("taskRoleArn",), KeyError, id="empty-string-dropped"),
        pytest.param({"placementConstraints": []}, ("placementConstraints",), KeyError, id="empty-list-dropped"),
        pytest.param(
            {"requiresCompatibilities": ["FARGATE", "EC2"]}, ("requiresCompatibilities",), ["EC2", "FARGATE"], id="compatibilities-sorted"
        ),
        pytest.param(
            {"tags": [{"key": "team", "value": "shop"}, {"key": "env", "value": "prod"}]},
            ("tags",),
            [{"key": "env", "value": "prod"}, {"key": "team", "value": "shop"}],
            id="tags-sorted",
        ),
    ],
)
def test_canonical_rules(overrides, path, expected):
    document = render(spec_document(**overrides), {"web": "1", "sidecar": "2"})
    value: object = document
    for step in path:
        if step.startswith("*"):
            value = [item["name"] for item in value[step[1:]]]
        elif step in ("web", "sidecar"):
            value = container(value, step)
        else:
            value = value.get(step, KeyError) if isinstance(value, dict) else value[step]
    assert value == expected


def test_environment_value_may_be_empty_but_empty_lists_go():
    document = spec_document()
    document["containerDefinitions"][1].update(environment=[{"name": "EMPTY", "value": ""}], command=[], dockerLabels={})
    sidecar = container(render(document), "sidecar")
    assert sidecar["environment"] == [{"name": "EMPTY", "value": ""}]
    assert "command" not in sidecar and "dockerLabels" not in sidecar


@pytest.mark.parametrize(
    "network_mode, host_port",
    [pytest.param("bridge", None, id="bridge-dynamic-port"), pytest.param("host", 8080, id="host-equals-container")],
)
def test_host_port_follows_network_mode(network_mode, host_port):
    document = spec_document(networkMode=network_mode, requiresCompatibilities=["EC2"])
    mapping = container(render(document), "web")["portMappings"][0]
    assert mapping.get("hostPort") == host_port and mapping["protocol"] == "tcp"


def test_rendering_is_byte_for_byte_deterministic():
    document = spec_document()
    shuffled = copy.deepcopy(document)
    shuffled["containerDefinitions"].reverse()
    for c in shuffled["containerDefinitions"]:
        for field in ("environment", "secrets"):
            if field in c:
                c[field].reverse()
    versions = {"web": "1.4.2", "sidecar": "2"}
    assert to_json(render(document, versions)) == to_json(render(shuffled, versions))


@pytest.mark.parametrize(
    "versions, problems",
    [
        pytest.param(
            {"api": "1"},
            ['image version for container "api": the task definition has no such container; use one of: sidecar, web'],
            id="unknown-container",
        ),
        pytest.param({"web": ""}, ['image version for container "web" is empty'], id="empty"),
        pytest.param(
            {"web": "sha256:xyz"},
            ['image version for container "web" "sha256:xyz" is not a valid digest (a digest is sha256: followed by 64 lowercase hex digits)'],
            id="bad-digest",
        ),
    ],
)
def test_bad_versions_are_refused(versions, problems):
    with pytest.raises(TagError) as raised:
        render(spec_document(), versions)
    assert raised.value.problems == problems


def test_inconsistent_spec_is_refused_before_rendering():
    with pytest.raises(SpecError) as raised:
        render(spec_document(memory="3 GB", cpu="0.25 vCPU"))
    assert raised.value.problems == [
        "cpu/memory: Fargate does not offer cpu 256 with memory 3072; with cpu 256 use memory 512, 1024, 2048 (MiB)"
    ]


TAGS = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", fullmatch=True)
DIGESTS = st.from_regex(r"sha256:[0-9a-f]{64}", fullmatch=True)
VERSIONS = st.fixed_dictionaries({"web": TAGS | DIGESTS, "sidecar": TAGS | DIGESTS})


@settings(max_examples=60, deadline=None)
@given(first=VERSIONS, second=VERSIONS)
def test_two_tag_maps_differ_only_in_the_images_whose_tags_differ(first, second):
    spec = TaskDefinitionSpec.model_validate(spec_document())
    one, two = render_document(spec, first), render_document(spec, second)
    assert to_json(one) == to_json(render_document(spec, dict(first)))
    for name in ("web", "sidecar"):
        images = container(one, name)["image"], container(two, name)["image"]
        assert (images[0] == images[1]) == (first[name] == second[name])
        assert images[1].endswith(("@" if second[name].startswith("sha256:") else ":") + second[name])
    for document in (one, two):
        for c in document["containerDefinitions"]:
            c.pop("image")
    assert one == two
