"""The real program (``__main__.py``) for each stack, under the mock runtime."""

from __future__ import annotations

import json
from pathlib import Path

import botocore.session
import botocore.validate
import pytest
import yaml

import app
from components.aws_inputs import document_from_inputs
from components.errors import StackConfigError
from components.offline import TASK_DEFINITION_TYPE, RecordingMocks, offline_digest, run_program
from components.stack_config import stack_config
from components.task_definition import TYPE_TOKEN

PROJECT = Path(__file__).resolve().parents[1]
STACKS = ["dev", "staging", "prod"]
REGISTER_INPUT = botocore.session.get_session().get_service_model("ecs").operation_model("RegisterTaskDefinition").input_shape


def registered_document(stack: str, overrides: dict | None = None, mocks: RecordingMocks | None = None) -> dict:
    resources = run_program(PROJECT, stack, overrides, mocks)
    (task_definition,) = [r for r in resources if r.type == TASK_DEFINITION_TYPE]
    return document_from_inputs(task_definition.inputs)


@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_registers_its_family_with_its_tags(stack):
    config = stack_config(PROJECT, stack)
    mocks = RecordingMocks()
    document = registered_document(stack, mocks=mocks)
    ours = [r for r in mocks.resources if r.type in (TYPE_TOKEN, TASK_DEFINITION_TYPE)]  # the service's are in test_service_program.py
    assert [r.type for r in ours] == [TYPE_TOKEN, TASK_DEFINITION_TYPE]
    assert ours[1].inputs["skipDestroy"] is True
    assert document["family"] == f"shop-web-{stack}"
    images = {c["name"]: c["image"] for c in document["containerDefinitions"]}
    web_tag, xray_tag = config["ecs-release:webTag"], config["ecs-release:xrayTag"]
    if app.release_policy(stack).pin_digests:  # staging and prod register the (stand-in) digest of each tag
        web_version, xray_version = f"@{offline_digest('shop/web', web_tag)}", f"@{offline_digest('ecr-public/xray/aws-xray-daemon', xray_tag)}"
    else:
        web_version, xray_version = f":{web_tag}", f":{xray_tag}"
    assert images == {
        "migrate": f"{app.REGISTRY}/shop/web{web_version}",
        "web": f"{app.REGISTRY}/shop/web{web_version}",
        "xray": f"{app.REGISTRY}/ecr-public/xray/aws-xray-daemon{xray_version}",
    }
    expected_size = {"dev": ("512", "1024"), "staging": ("512", "1024"), "prod": ("1024", "2048")}[stack]
    assert (document["cpu"], document["memory"]) == expected_size
    report = botocore.validate.ParamValidator().validate(document, REGISTER_INPUT)
    assert not report.has_errors(), report.generate_report()


def test_a_tag_bump_changes_only_the_images_of_that_key():
    before = registered_document("prod")
    after = registered_document("prod", {"webTag": "9.9.9"})
    changed = {
        b["name"]
        for b, a in zip(before["containerDefinitions"], after["containerDefinitions"])
        if b["image"] != a["image"]
    }
    assert changed == {"web", "migrate"}
    for document in (before, after):
        for c in document["containerDefinitions"]:
            c.pop("image")
        document["tags"] = [t for t in document["tags"] if not t["key"].startswith("image.")]  # pinned tag + digest
    assert before == after


def test_unchanged_config_renders_identical_inputs():
    first, second = RecordingMocks(), RecordingMocks()
    run_program(PROJECT, "prod", mocks=first)
    run_program(PROJECT, "prod", mocks=second)
    # Keyed by type and name: resources that wait on others' outputs register in no fixed order.
    assert {(r.type, r.name): r.inputs for r in first.resources} == {(r.type, r.name): r.inputs for r in second.resources}
    assert len(first.resources) == len(second.resources)


def test_pulumi_yaml_declares_exactly_the_programs_tag_keys():
    project = yaml.safe_load((PROJECT / "Pulumi.yaml").read_text())
    keys = set(app.web_tag_keys(app.web_task_definition("prod")).values())
    assert set(project["config"]) == keys == {"webTag", "xrayTag"}
    assert all(declared["type"] == "string" and declared["description"] for declared in project["config"].values())
    assert project["stackConfigDir"] == "stacks" and project["runtime"]["options"]["virtualenv"] == ".venv"


@pytest.mark.parametrize("stack", STACKS)
def test_stack_files_hold_only_image_tags(stack):
    config = stack_config(PROJECT, stack)
    assert {key for key in config if key.startswith("ecs-release:")} == {"ecs-release:webTag", "ecs-release:xrayTag"}


@pytest.mark.parametrize(
    "overrides, message",
    [
        pytest.param({"webTag": "bad tag"}, 'webTag for stack prod "bad tag" is not a valid image tag', id="bad-tag"),
        pytest.param({"wbeTag": "1"}, "wbeTag is not a config key of this program (did you mean webTag?", id="typo-key"),
        pytest.param({"cpu": "2048"}, "cpu is not a config key of this program", id="non-tag-key"),
    ],
)
def test_bad_config_fails_before_any_resource_exists(overrides, message):
    mocks = RecordingMocks()
    with pytest.raises(StackConfigError) as raised:
        run_program(PROJECT, "prod", overrides, mocks)
    assert message in str(raised.value)
    assert mocks.resources == []


def test_an_unknown_stack_is_refused():
    with pytest.raises(StackConfigError, match='unknown stack "qa": no stacks/Pulumi.qa.yaml; use one of: dev, prod, staging'):
        run_program(PROJECT, "qa")


def test_a_missing_key_in_a_stack_file_is_named(tmp_path):
    for name in ("Pulumi.yaml", "__main__.py", "app.py"):
        (tmp_path / name).write_text((PROJECT / name).read_text())
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.prod.yaml").write_text(json.dumps({"config": {"ecs-release:xrayTag": "3"}}))
    with pytest.raises(StackConfigError) as raised:
        run_program(tmp_path, "prod")
    assert raised.value.problems == ["webTag is not set for stack prod; run: pulumi config set webTag <tag> --stack prod"]


def test_the_stacks_aws_profile_reaches_the_code_that_calls_aws():
    mocks = RecordingMocks()
    run_program(PROJECT, "dev", {"aws:profile": "shop-dev"}, mocks)
    (rollout,) = [r.inputs for r in mocks.resources if r.type == "pulumi-python:dynamic:ServiceRollout"]
    (retention,) = [r.inputs for r in mocks.resources if r.type == "pulumi-python:dynamic:RevisionRetention"]
    assert rollout["profile"] == retention["profile"] == "shop-dev"
