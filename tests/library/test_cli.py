"""``ecs-release render`` (``python -m components``): output, and one ``error:`` line with exit 2 for every bad input.

Stacks are the library fixture project's (tests/library/project), passed with ``--project-dir``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from components.cli import main
from components.offline import TASK_DEFINITION_TYPE, RecordingMocks, run_program
from components.aws_inputs import document_from_inputs
from tests.gitrepo import LIBRARY_PROJECT as PROJECT

AT = ("--project-dir", str(PROJECT))


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_render_stack_prints_what_the_program_registers(capsys):
    code, out, err = run_cli(capsys, "render", "--stack", "dev", "--set", "apiTag=3.0.0", *AT)  # dev does not pin digests
    assert (code, err) == (0, "")
    mocks = RecordingMocks()
    run_program(PROJECT, "dev", {"apiTag": "3.0.0"}, mocks)
    documents = [document_from_inputs(r.inputs) for r in mocks.resources if r.type == TASK_DEFINITION_TYPE]
    assert json.loads(out) == {document["family"]: document for document in documents}
    assert sorted(json.loads(out)) == ["fixture-api-dev", "fixture-jobs-dev"]
    assert {c["image"].rsplit(":", 1)[1] for c in json.loads(out)["fixture-api-dev"]["containerDefinitions"]} == {"3.0.0"}


def test_the_project_dir_defaults_to_the_current_directory(capsys, monkeypatch, tmp_path):
    code, named, err = run_cli(capsys, "render", "--stack", "staging", *AT)
    assert (code, err) == (0, "")
    monkeypatch.chdir(PROJECT)
    assert run_cli(capsys, "render", "--stack", "staging") == (0, named, "")
    monkeypatch.chdir(tmp_path)  # no Pulumi project here
    code, out, err = run_cli(capsys, "render", "--stack", "staging")
    assert (code, out) == (2, "")
    assert err == f"error: {tmp_path / 'Pulumi.yaml'}: no Pulumi.yaml here; run from the project directory or pass --project-dir DIR\n"


def test_render_file_keeps_the_files_tags_unless_told(capsys, tmp_path):
    path = tmp_path / "td.json"
    path.write_text(json.dumps({"family": "f", "memory": "512", "containerDefinitions": [
        {"name": "app", "image": "registry.example.com:5000/team/app:8.2.1"},
        {"name": "log_router", "image": "amazon/aws-for-fluent-bit:2.32.0"},
    ]}))
    _, kept, _ = run_cli(capsys, "render", "--file", str(path))
    code, tagged, err = run_cli(capsys, "render", "--file", str(path), "--tag", "app=8.3.0")
    assert (code, err) == (0, "")
    kept, tagged = json.loads(kept), json.loads(tagged)
    assert [c["image"] for c in kept["containerDefinitions"]] == ["registry.example.com:5000/team/app:8.2.1", "amazon/aws-for-fluent-bit:2.32.0"]
    assert tagged["containerDefinitions"][0]["image"] == "registry.example.com:5000/team/app:8.3.0"
    tagged["containerDefinitions"][0]["image"] = kept["containerDefinitions"][0]["image"]
    assert tagged == kept


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


BAD_INPUTS = [
    pytest.param(["render", "--stack", "prod", "--set", "apiTag=", *AT], "apiTag for stack prod is empty; run: pulumi config set apiTag <tag> --stack prod", id="empty-tag"),
    pytest.param(["render", "--stack", "prod", "--set", "apiTag=1.4.2!", *AT], 'apiTag for stack prod "1.4.2!" is not a valid image tag', id="invalid-characters"),
    pytest.param(["render", "--stack", "prod", "--set", "apiTag=" + "1" * 129, *AT], "is 129 characters long; a tag has at most 128", id="too-long"),
    pytest.param(["render", "--stack", "prod", "--set", "apiTag=sha256:beef", *AT], '"sha256:beef" is not a valid digest', id="malformed-digest"),
    pytest.param(["render", "--stack", "prod", "--set", "apiTga=1.4.2", *AT], "apiTga is not a config key of this program (did you mean apiTag?", id="typo-key"),
    pytest.param(["render", "--stack", "prod", "--set", "cpu=2048", *AT], "cpu is not a config key of this program (only image tags are stack config", id="non-tag-key"),
    pytest.param(["render", "--stack", "prod", "--set", "apiTag=latest", *AT],
                 'apiTag "latest" is a mutable tag, refused for production stack prod', id="mutable-in-production"),
    pytest.param(["render", "--stack", "qa", *AT], 'unknown stack "qa"', id="unknown-stack"),
    pytest.param(["render", "--stack", "prod", "--set", "apiTag", *AT], '--set "apiTag" is not KEY=VALUE', id="set-without-value"),
    pytest.param(["render", "--stack", "prod", "--set", "apiTag=1", "--set", "apiTag=2", *AT], "--set gives apiTag twice ('1' and '2'); give it once", id="set-twice"),
    pytest.param(["render", "--stack", "prod", "--tag", "api=1", *AT], "--tag goes with --file", id="tag-with-stack"),
    pytest.param(["render"], "one of the arguments --stack --file is required", id="no-source"),
    pytest.param(["deploy"], "invalid choice: 'deploy'", id="unknown-command"),
]


@pytest.mark.parametrize("argv, message", BAD_INPUTS)
def test_bad_input_is_one_error_line_and_exit_2(capsys, argv, message):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert message in err


@pytest.mark.parametrize(
    "text, tags, message",
    [
        pytest.param("{not: [valid", [], "not valid JSON or YAML (line 1, column", id="not-json-or-yaml"),
        pytest.param("just words", [], "expected a task-definition object (JSON or YAML mapping), got str", id="yaml-scalar"),
        pytest.param(json.dumps({"family": "f", "containerDefinitions": [{"name": "a", "image": "x", "imageTag": "1"}]}), [],
                     'containerDefinitions[0].imageTag: unknown field (value "1"); AWS rejects it: remove or rename it', id="unknown-field"),
        pytest.param(json.dumps({"family": "f", "containerDefinitions": [{"name": "a", "image": "x"}, {"name": "a", "image": "y"}]}), [],
                     'container name "a" is used 2 times', id="duplicate-container"),
        pytest.param(json.dumps({"family": "f", "containerDefinitions": [{"name": "a", "image": "x", "dependsOn": [{"containerName": "b", "condition": "START"}]}]}), [],
                     'containerDefinitions[a].dependsOn[0].containerName: "b" is not a container', id="depends-on-missing"),
        pytest.param(json.dumps({"family": "f", "containerDefinitions": [{"name": "a", "image": "x", "links": ["db"]}]}), [],
                     'containerDefinitions[a].links[0]: "db" names no container', id="link-missing"),
        pytest.param(json.dumps({"family": "f", "containerDefinitions": [{"name": "a", "image": "x", "volumesFrom": [{"sourceContainer": "b"}]}]}), [],
                     'containerDefinitions[a].volumesFrom[0].sourceContainer: "b" is not a container', id="volumes-from-missing"),
        pytest.param(json.dumps({"family": "f", "containerDefinitions": [{"name": "a", "image": "x", "mountPoints": [{"sourceVolume": "v", "containerPath": "/v"}]}]}), [],
                     'containerDefinitions[a].mountPoints[0].sourceVolume: "v" is not a volume', id="mount-missing-volume"),
        pytest.param(json.dumps({"family": "f", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "512", "memory": "512",
                                 "containerDefinitions": [{"name": "a", "image": "x"}]}), [],
                     "Fargate does not offer cpu 512 with memory 512; with cpu 512 use memory 1024, 2048, 3072, 4096 (MiB)", id="fargate-size"),
        pytest.param(json.dumps({"family": "f", "requiresCompatibilities": ["FARGATE"], "networkMode": "bridge", "cpu": "256", "memory": "512",
                                 "containerDefinitions": [{"name": "a", "image": "x"}]}), [],
                     "networkMode: Fargate requires awsvpc, got bridge", id="fargate-bridge"),
        pytest.param(json.dumps({"family": "f", "memory": "512", "containerDefinitions": [{"name": "a", "image": "<IMAGE1_NAME>"}]}), ["--tag", "a=1"],
                     'containerDefinitions[a].image: "<IMAGE1_NAME>" is not an image repository to tag', id="tag-placeholder-image"),
        pytest.param(json.dumps({"family": "f", "containerDefinitions": [{"name": "a", "image": "x", "dockerLabels": {"a\nb": 1}}]}), [],
                     "dockerLabels.a\\nb: Input should be a valid string", id="newline-in-key-stays-one-line"),
        pytest.param(json.dumps({"family": "f", "memory": "512", "containerDefinitions": [{"name": "a", "image": "x"}]}), ["--tag", "b=1"],
                     'image version for container "b": the task definition has no such container; use one of: a', id="tag-unknown-container"),
    ],
)
def test_bad_files_are_one_error_line_and_exit_2(capsys, tmp_path, text, tags, message):
    code, out, err = run_cli(capsys, "render", "--file", _file(tmp_path, "td.json", text), *tags)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert message in err


def test_the_module_runs_as_a_command_without_a_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "components", "render", "--stack", "prod", "--set", "apiTag=no/slashes"],
        cwd=PROJECT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: apiTag for stack prod") and result.stderr.count("\n") == 1
