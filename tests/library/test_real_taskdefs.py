"""The render CLI against 33 real, public task definitions (../shared/taskdefs/real, see SOURCES.md there).

Every valid file must round-trip through ``python -m components render --file`` to a document that
is semantically equal to the original (AWS defaults aside), must accept a ``--tag`` that changes only
one image, and must pass botocore's own request validation. The four files with mistakes AWS rejects
(07, 17, 19, 29) must be refused with one ``error:`` line naming the offending field.

The semantic comparison below is written independently of ``components/render.py`` on purpose: it
states what "the same task definition" means from the AWS side, so it can catch render rules that
drop or invent data.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import botocore.session
import botocore.validate
import pytest
import yaml

from components.cli import main

REAL_DIR = Path(__file__).resolve().parents[3] / "shared" / "taskdefs" / "real"
if not REAL_DIR.is_dir():
    pytest.skip(f"real task definitions not found at {REAL_DIR}; these tests need ../shared/taskdefs/real", allow_module_level=True)

INVALID = {"07", "17", "19", "29"}
ALL_FILES = sorted(REAL_DIR.glob("[0-9][0-9]-*.json"))
VALID_FILES = [path for path in ALL_FILES if path.name[:2] not in INVALID]
NEW_TAG = "9.9.9-test"
DIGEST = "sha256:" + "0123456789abcdef" * 4

DESCRIBE_ONLY = (
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
)
_ABSENT = object()


def test_the_real_files_are_all_there():
    assert len(ALL_FILES) == 33, [path.name for path in ALL_FILES]
    assert {path.name[:2] for path in ALL_FILES} >= INVALID
    assert len(VALID_FILES) == 29


# --- An independent semantic normaliser -------------------------------------------------------


def _drop_empty(value: Any, parent_key: str | None = None) -> Any:
    """Remove null, "", [] and {} at every level; ``_ABSENT`` when ``value`` itself is empty.

    Strings inside lists (``entryPoint: [""]``) are positional arguments and stay; an
    environment entry keeps ``"value": ""`` (an empty variable is still a variable).
    """
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if parent_key == "environment" and key == "value" and item == "":
                result[key] = item
                continue
            item = _drop_empty(item, key)
            if item is not _ABSENT:
                result[key] = item
        return result or _ABSENT
    if isinstance(value, list):
        items = []
        for item in value:
            if isinstance(item, str):
                items.append(item)
                continue
            item = _drop_empty(item, parent_key)
            if item is not _ABSENT:
                items.append(item)
        return items or _ABSENT
    if value is None or value == "":
        return _ABSENT
    return value


def _size(value: str, unit_pattern: str) -> str:
    """``"1 vCPU"`` → ``"1024"``, ``"2 GB"`` → ``"2048"``; integer strings unchanged."""
    match = re.fullmatch(rf"\s*(\d+(?:\.\d+)?)\s*{unit_pattern}\s*", value, re.IGNORECASE)
    if match:
        return str(int(float(match.group(1)) * 1024))
    return value.strip()


def normalise(data: dict) -> dict:
    """A task definition (register input or describe output) in a form where equal means equal to AWS."""
    data = json.loads(json.dumps(data))  # deep copy
    if isinstance(data.get("taskDefinition"), dict):
        inner = data["taskDefinition"]
        tags = list(inner.get("tags") or [])
        keys = {tag.get("key") for tag in tags}
        tags += [tag for tag in data.get("tags") or [] if tag.get("key") not in keys]
        data = dict(inner, tags=tags)
    for field in DESCRIBE_ONLY:
        data.pop(field, None)
    data = _drop_empty(data)
    if data is _ABSENT:
        return {}

    # Defaults AWS fills in on registration.
    network_mode = data.get("networkMode")
    for container in data.get("containerDefinitions", []):
        container.setdefault("essential", True)
        for mapping in container.get("portMappings", []):
            mapping.setdefault("protocol", "tcp")
            if network_mode in ("awsvpc", "host") and "containerPort" in mapping:
                mapping.setdefault("hostPort", mapping["containerPort"])
    if "cpu" in data:
        data["cpu"] = _size(data["cpu"], "vcpu")
    if "memory" in data:
        data["memory"] = _size(data["memory"], "gb")

    # Lists AWS treats as sets or maps.
    by_name = lambda item: item.get("name", "")  # noqa: E731
    data["containerDefinitions"] = sorted(data.get("containerDefinitions", []), key=by_name)
    for container in data["containerDefinitions"]:
        for field in ("environment", "secrets"):
            if field in container:
                container[field] = sorted(container[field], key=by_name)
    if "volumes" in data:
        data["volumes"] = sorted(data["volumes"], key=by_name)
    if "requiresCompatibilities" in data:
        data["requiresCompatibilities"] = sorted(set(data["requiresCompatibilities"]))
    if "tags" in data:
        data["tags"] = sorted(data["tags"], key=lambda tag: tag.get("key", ""))
    if "properties" in data.get("proxyConfiguration", {}):
        data["proxyConfiguration"]["properties"] = sorted(data["proxyConfiguration"]["properties"], key=by_name)
    return data


def differences(left: Any, right: Any, path: str = "") -> list[str]:
    """Paths (``containerDefinitions[1].image``) at which two JSON values differ."""
    if isinstance(left, dict) and isinstance(right, dict):
        found = []
        for key in sorted(set(left) | set(right)):
            here = f"{path}.{key}" if path else key
            found += differences(left.get(key, _ABSENT), right.get(key, _ABSENT), here)
        return found
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        return [d for i, (a, b) in enumerate(zip(left, right)) for d in differences(a, b, f"{path}[{i}]")]
    return [] if left == right else [path]


def explain(left: Any, right: Any) -> str:
    """The differences of two documents, one path per line with both values (for failure messages)."""

    def at(value: Any, path: str) -> str:
        for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
            if value is _ABSENT:
                break
            value = value[int(part[1:-1])] if part.startswith("[") else value.get(part, _ABSENT)
        return "(absent)" if value is _ABSENT else json.dumps(value, ensure_ascii=False)

    return "\n".join(f"{path}: {at(left, path)} != {at(right, path)}" for path in differences(left, right))


def test_normaliser_applies_the_aws_defaults_and_sorting():
    wrapped = {
        "taskDefinition": {
            "family": "f",
            "revision": 3,
            "status": "ACTIVE",
            "networkMode": "awsvpc",
            "cpu": "1 vCPU",
            "memory": "2 GB",
            "taskRoleArn": "",
            "placementConstraints": [],
            "containerDefinitions": [
                {"name": "b", "image": "b", "portMappings": [{"containerPort": 80}], "secrets": None,
                 "environment": [{"name": "Z", "value": ""}, {"name": "A", "value": "1"}], "dockerLabels": {}},
                {"name": "a", "image": "a", "essential": False, "entryPoint": [""]},
            ],
        },
        "tags": [{"key": "team", "value": "x"}],
    }
    assert normalise(wrapped) == {
        "family": "f",
        "networkMode": "awsvpc",
        "cpu": "1024",
        "memory": "2048",
        "containerDefinitions": [
            {"name": "a", "image": "a", "essential": False, "entryPoint": [""]},
            {"name": "b", "image": "b", "essential": True,
             "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
             "environment": [{"name": "A", "value": "1"}, {"name": "Z", "value": ""}]},
        ],
        "tags": [{"key": "team", "value": "x"}],
    }


# --- Helpers around the real CLI entry point -----------------------------------------------------


def render(capsys, path: Path | str, *tags: str) -> dict:
    """``main(["render", "--file", path, --tag …])``: the printed document; fails on a non-zero exit."""
    argv = ["render", "--file", str(path)]
    for tag in tags:
        argv += ["--tag", tag]
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == ""
    return json.loads(out)


def refuse(capsys, argv: list[str]) -> str:
    """Run ``main(argv)`` expecting a refusal; returns the single ``error:`` line."""
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n"), err
    assert lines[0].startswith("error: "), err
    return lines[0]


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def repository(image: str) -> str:
    """The image reference without its ``@digest`` and then its ``:tag`` (a colon before the last ``/`` is a port)."""
    name = image.split("@", 1)[0]
    colon, slash = name.rfind(":"), name.rfind("/")
    return name[:colon] if colon > slash else name


PLACEHOLDER_MARKS = ("<", ">", "$", "{", "}", "YOUR_")


def taggable_container(data: dict) -> tuple[str, str] | None:
    """(name, image) of the file's first container whose image has a real repository, not a placeholder."""
    inner = data.get("taskDefinition", data)
    for container in inner.get("containerDefinitions") or []:
        image = container.get("image") or ""
        repo = repository(image)
        if repo and not any(mark in repo for mark in PLACEHOLDER_MARKS):
            return container["name"], image
    return None


def params(paths: list[Path]) -> list:
    return [pytest.param(path, id=path.stem) for path in paths]


# --- 1. Round trip ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", params(VALID_FILES))
def test_valid_file_renders_to_the_same_task_definition(capsys, path):
    rendered = render(capsys, path)
    original = normalise(load(path))
    assert normalise(rendered) == rendered, "the rendered document is not already in normal form"
    assert not differences(original, rendered), explain(original, rendered)


# --- 2. --tag changes only that container's image ------------------------------------------------

TAG_CASES = [(path, taggable_container(load(path))) for path in VALID_FILES]


@pytest.mark.parametrize(
    "path, target",
    [pytest.param(path, target, id=path.stem) for path, target in TAG_CASES if target],
)
def test_tag_changes_only_that_containers_image(capsys, path, target):
    name, original_image = target
    before = render(capsys, path)
    after = render(capsys, path, f"{name}={NEW_TAG}")
    index = next(i for i, c in enumerate(after["containerDefinitions"]) if c["name"] == name)
    assert differences(before, after) == [f"containerDefinitions[{index}].image"], explain(before, after)
    assert before["containerDefinitions"][index]["image"] == original_image
    assert after["containerDefinitions"][index]["image"] == f"{repository(original_image)}:{NEW_TAG}"


def test_files_without_a_taggable_image_are_the_placeholder_ones():
    untaggable = sorted(path.name[:2] for path, target in TAG_CASES if target is None)
    assert untaggable == ["11", "22", "23", "24"]  # "<IMAGE1_NAME>", "${ECR_IMAGE}", "", ""


@pytest.mark.parametrize(
    "path", params([REAL_DIR / "11-sbcntr-codedeploy-image-placeholder.json", REAL_DIR / "22-criaai-efs-volumes.json"])
)
def test_tagging_a_placeholder_image_is_refused(capsys, path):
    name = (load(path).get("taskDefinition", load(path)))["containerDefinitions"][0]["name"]
    line = refuse(capsys, ["render", "--file", str(path), "--tag", f"{name}={NEW_TAG}"])
    assert f"containerDefinitions[{name}].image:" in line and "is not an image repository to tag" in line


def test_digest_replaces_the_tag(capsys):
    path = REAL_DIR / "08-watchman-fargate-secrets-healthcheck.json"
    name, image = taggable_container(load(path))
    before = render(capsys, path)
    after = render(capsys, path, f"{name}={DIGEST}")
    expected = f"{repository(image)}@{DIGEST}"
    assert expected == f"100095454503.dkr.ecr.us-east-1.amazonaws.com/watchman-java@{DIGEST}"
    assert differences(before, after) == ["containerDefinitions[0].image"], explain(before, after)
    assert after["containerDefinitions"][0]["image"] == expected


@pytest.mark.parametrize(
    "image, expected",
    [
        ("nginx", "nginx"),
        ("nginx:latest", "nginx"),
        ("registry.example.com:5000/team/app", "registry.example.com:5000/team/app"),
        ("registry.example.com:5000/team/app:1.2", "registry.example.com:5000/team/app"),
        (f"repo/app:1@{DIGEST}", "repo/app"),
        (f"repo/app@{DIGEST}", "repo/app"),
    ],
)
def test_repository_helper(image, expected):
    assert repository(image) == expected


# --- 3. The invalid files are refused ------------------------------------------------------------


@pytest.mark.parametrize(
    "prefix, field",
    [
        pytest.param("07", "containerDefinitions[0].environment[0].valueFrom", id="07-valueFrom-in-environment"),
        pytest.param("17", "tags: ", id="17-tags-as-map"),
        pytest.param("19", "volumes[1].readOnly", id="19-readOnly-on-volume"),
        pytest.param("29", "containerDefinitions[1].linuxParameters.privileged", id="29-privileged-in-linuxParameters"),
    ],
)
def test_invalid_file_is_refused_naming_the_field(capsys, prefix, field):
    (path,) = [p for p in ALL_FILES if p.name.startswith(prefix + "-")]
    line = refuse(capsys, ["render", "--file", str(path)])
    assert field in line
    assert str(path) in line


def test_stray_volume_key_is_on_the_second_volume():
    volumes = load(REAL_DIR / "19-container-transform-legacy-links.json")["volumes"]
    assert [i for i, volume in enumerate(volumes) if "readOnly" in volume] == [1]


# --- 4. botocore accepts every rendered document -------------------------------------------------

REGISTER_INPUT = botocore.session.get_session().get_service_model("ecs").operation_model("RegisterTaskDefinition").input_shape


@pytest.mark.parametrize("path", params(VALID_FILES))
def test_rendered_document_passes_botocore_validation(capsys, path):
    report = botocore.validate.ParamValidator().validate(render(capsys, path), REGISTER_INPUT)
    assert not report.has_errors(), report.generate_report()


# --- 5. YAML, unparsable files, unknown fields -------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["01-appmesh-firelens-proxy-fargate.json", "10-bolius-console-export-nulls.json", "28-aws-ome-describe-wrapped.json"],
)
def test_yaml_version_renders_the_same_document(capsys, tmp_path, name):
    path = REAL_DIR / name
    yaml_path = tmp_path / (path.stem + ".yaml")
    yaml_path.write_text(yaml.safe_dump(load(path), sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert render(capsys, yaml_path) == render(capsys, path)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("{not: [valid", id="unclosed-flow"),
        pytest.param("family: x\ncontainerDefinitions:\n\t- name: web\n\t  image: nginx\n", id="tab-indented"),
    ],
)
def test_file_that_is_neither_json_nor_yaml_is_refused(capsys, tmp_path, text):
    path = tmp_path / "broken.json"
    path.write_text(text, encoding="utf-8")
    line = refuse(capsys, ["render", "--file", str(path)])
    assert str(path) in line
    assert re.search(r"not (valid )?JSON or YAML", line), line


def test_unknown_field_is_named_with_its_path(capsys, tmp_path):
    data = load(REAL_DIR / "33-wordpress-dual-compat-minimal.json")
    data["containerDefinitions"][0]["imageTag"] = "1.2.3"
    path = tmp_path / "unknown-field.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    line = refuse(capsys, ["render", "--file", str(path)])
    assert "containerDefinitions[0].imageTag" in line
    assert "unknown field" in line
