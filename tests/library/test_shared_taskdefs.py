"""The shared cases (../shared/taskdefs/invalid and valid-edge, see the README there) through the render CLI.

Every invalid file is refused with one ``error:`` line naming the field at fault as the file spells it,
exit status 2 and nothing printed; every valid-edge file renders.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.cli import main
from components.taskdef_file import read_only_fields

SHARED = Path(__file__).resolve().parents[3] / "shared" / "taskdefs"
INVALID_DIR = SHARED / "invalid"
EDGE_DIR = SHARED / "valid-edge"

needs_invalid = pytest.mark.skipif(
    not INVALID_DIR.is_dir(), reason=f"shared invalid task definitions not found at {INVALID_DIR} (CI has ../shared)"
)
needs_edge = pytest.mark.skipif(
    not EDGE_DIR.is_dir(), reason=f"shared valid-edge task definitions not found at {EDGE_DIR} (CI has ../shared)"
)

REFUSED = {
    "i01-env-entry-without-value.json": "containerDefinitions[api].environment[0].value: ",
    "i02-awsvpc-hostport-mismatch.json": "containerDefinitions[web].portMappings[0].hostPort: 80 ",
    "i03-links-in-awsvpc.json": "containerDefinitions[emitter].links: ",
    "i04-success-dependency-on-essential.json": "containerDefinitions[web].dependsOn[0].condition: SUCCESS ",
    "i05-no-essential-container.json": "containerDefinitions[*].essential: ",
    "i06-fargate-ipcmode.json": 'ipcMode: "task" ',
    "i07-awsfirelens-without-router.json": "containerDefinitions[api].logConfiguration.logDriver: awsfirelens",
    "i08-ephemeral-storage-below-minimum.json": "ephemeralStorage.sizeInGiB: 20 ",
    "i09-healthcheck-retries-above-maximum.json": "containerDefinitions[plugins].healthCheck.retries: 11 ",
}
"""File → the start of the message that names its field (path as the file spells it) and value."""


def refusal(capsys, path: Path) -> str:
    code = main(["render", "--file", str(path)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, ""), err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


@needs_invalid
def test_every_invalid_file_has_an_expectation():
    assert sorted(path.name for path in INVALID_DIR.glob("*.json")) == sorted(REFUSED)


@needs_invalid
@pytest.mark.parametrize("name, field", [pytest.param(name, field, id=name[:3]) for name, field in REFUSED.items()])
def test_invalid_file_is_refused_naming_its_field(capsys, name, field):
    line = refusal(capsys, INVALID_DIR / name)
    assert any(problem.startswith(field) for problem in line.removeprefix("error: ").split("; ")), line


@needs_invalid
def test_each_environment_entry_without_a_value_is_named(capsys):
    line = refusal(capsys, INVALID_DIR / "i01-env-entry-without-value.json")
    assert "environment[0].value: missing for \"OPTIONAL_PROXY\"" in line
    assert "environment[1].value: missing for \"LEGACY_MODE\"" in line  # "value": null is no value either
    assert "environment[2]" not in line


def render(capsys, path: Path) -> dict:
    code = main(["render", "--file", str(path)])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    return json.loads(out)


@needs_edge
def test_describe_output_of_a_revision_being_deleted_renders_without_its_read_only_fields(capsys):
    path = EDGE_DIR / "v01-describe-output-delete-in-progress.json"
    described = json.loads(path.read_text(encoding="utf-8"))["taskDefinition"]
    assert "deleteRequestedAt" in described
    document = render(capsys, path)
    assert not set(document) & read_only_fields()
    assert document["family"] == described["family"]
    assert document["containerDefinitions"][0]["image"] == described["containerDefinitions"][0]["image"]


@needs_edge
def test_environment_files_in_s3_render(capsys):
    path = EDGE_DIR / "v02-environment-files-in-s3.json"
    (container,) = render(capsys, path)["containerDefinitions"]
    assert container["environmentFiles"] == [{"type": "s3", "value": "arn:aws:s3:::shop-config-123456789012/web.env"}]
