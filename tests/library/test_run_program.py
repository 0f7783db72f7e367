"""A whole Pulumi program under the mock runtime: the library's fixture project (tests/library/project).

The fixture declares two services (``api`` with a ``migrate`` init container on the same key,
``jobs`` from a JSON file) in three stacks; nothing here depends on the example app.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import botocore.session
import botocore.validate
import pytest
import yaml

from components.aws_inputs import document_from_inputs
from components.cli import main
from components.declare import DeclarationError
from components.errors import EcsReleaseError, StackConfigError
from components.offline import TASK_DEFINITION_TYPE, RecordingMocks, offline_digest, run_program
from components.service import TYPE_TOKEN as SERVICE_TOKEN
from components.stack_config import stack_config
from tests.gitrepo import LIBRARY_PROJECT as PROJECT
from tests.gitrepo import copy_project
from tests.conftest import numbers

STACKS = ["dev", "staging", "prod"]
REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
REGISTER_INPUT = botocore.session.get_session().get_service_model("ecs").operation_model("RegisterTaskDefinition").input_shape
ROLLOUT, RETENTION = "pulumi-python:dynamic:ServiceRollout", "pulumi-python:dynamic:RevisionRetention"


@pytest.fixture(autouse=True)
def _restore_sys_path(monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # run_program adds the project directory to sys.path


def documents(mocks: RecordingMocks) -> dict[str, dict]:
    """Logical name → registered task-definition document."""
    return {r.name: document_from_inputs(r.inputs) for r in mocks.resources if r.type == TASK_DEFINITION_TYPE}


def inputs_of(mocks: RecordingMocks, type_: str) -> dict[str, dict]:
    return {r.name: r.inputs for r in mocks.resources if r.type == type_}


@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_registers_both_services_with_their_tags(stack):
    config = stack_config(PROJECT, stack)
    mocks = RecordingMocks()
    run_program(PROJECT, stack, None, mocks)
    assert sorted(r.name for r in mocks.resources if r.type == SERVICE_TOKEN) == ["api", "jobs"]
    assert {name: inputs["skipDestroy"] for name, inputs in inputs_of(mocks, TASK_DEFINITION_TYPE).items()} == {
        "api-taskdef": True, "jobs-taskdef": True}
    docs = documents(mocks)
    assert {name: d["family"] for name, d in docs.items()} == {"api-taskdef": f"fixture-api-{stack}", "jobs-taskdef": f"fixture-jobs-{stack}"}
    api_tag, jobs_tag = config["fixture-shop:apiTag"], config["fixture-shop:jobsTag"]
    if stack == "dev":
        api, jobs = f":{api_tag}", f":{jobs_tag}"
    else:  # staging and prod pin: the (stand-in) digest of each tag
        api, jobs = f"@{offline_digest('fixture/api', api_tag)}", f"@{offline_digest('fixture/jobs', jobs_tag)}"
    assert {c["name"]: c["image"] for c in docs["api-taskdef"]["containerDefinitions"]} == {
        "api": f"{REGISTRY}/fixture/api{api}", "migrate": f"{REGISTRY}/fixture/api{api}"}
    assert {c["name"]: c["image"] for c in docs["jobs-taskdef"]["containerDefinitions"]} == {"jobs": f"{REGISTRY}/fixture/jobs{jobs}"}
    assert (docs["api-taskdef"]["cpu"], docs["api-taskdef"]["memory"]) == (("512", "1024") if stack == "prod" else ("256", "512"))
    for document in docs.values():
        report = botocore.validate.ParamValidator().validate(document, REGISTER_INPUT)
        assert not report.has_errors(), report.generate_report()
    services = inputs_of(mocks, "aws:ecs/service:Service")
    assert {name: s["taskDefinition"] for name, s in services.items()} == {
        "api-service": f"arn:aws:ecs:us-east-1:123456789012:task-definition/fixture-api-{stack}:1",
        "jobs-service": f"arn:aws:ecs:us-east-1:123456789012:task-definition/fixture-jobs-{stack}:1",
    }
    assert bool(services["api-service"].get("loadBalancers")) is (stack == "prod")
    assert not services["jobs-service"].get("loadBalancers")


def test_dev_shares_the_cluster_its_program_creates():
    mocks = RecordingMocks()
    run_program(PROJECT, "dev", None, mocks)
    (cluster,) = [r for r in mocks.resources if r.type == "aws:ecs/cluster:Cluster"]
    assert (cluster.name, cluster.inputs["name"]) == ("cluster", "fixture-dev")
    clusters = {name: s["cluster"] for name, s in inputs_of(mocks, "aws:ecs/service:Service").items()}
    assert clusters == {"api-service": "arn:aws:ecs:us-east-1:123456789012:cluster/fixture-dev"} | {
        "jobs-service": "arn:aws:ecs:us-east-1:123456789012:cluster/fixture-dev"}


def test_a_tag_bump_changes_only_that_keys_images_and_what_references_the_revision():
    before, after = RecordingMocks(), RecordingMocks()
    run_program(PROJECT, "prod", None, before)
    run_program(PROJECT, "prod", {"apiTag": "9.9.9"}, after)
    old, new = documents(before), documents(after)
    assert new["jobs-taskdef"] == old["jobs-taskdef"]
    changed = {b["name"] for b, a in zip(old["api-taskdef"]["containerDefinitions"], new["api-taskdef"]["containerDefinitions"]) if b["image"] != a["image"]}
    assert changed == {"api", "migrate"}
    for document in (old["api-taskdef"], new["api-taskdef"]):
        for container in document["containerDefinitions"]:
            container.pop("image")
        document["tags"] = [t for t in document["tags"] if not t["key"].startswith("image.")]  # pinned tag + digest
    assert old == new
    first = {(r.type, r.name): r.inputs for r in before.resources}
    second = {(r.type, r.name): r.inputs for r in after.resources}
    assert first.keys() == second.keys()
    assert {key for key in first if first[key] != second[key]} == {(TASK_DEFINITION_TYPE, "api-taskdef")}  # the mock ARN keeps :1


def test_unchanged_config_registers_identical_inputs():
    first, second = RecordingMocks(), RecordingMocks()
    run_program(PROJECT, "prod", mocks=first)
    run_program(PROJECT, "prod", mocks=second)
    # Keyed by type and name: resources that wait on others' outputs register in no fixed order.
    assert {(r.type, r.name): r.inputs for r in first.resources} == {(r.type, r.name): r.inputs for r in second.resources}
    assert len(first.resources) == len(second.resources)


@pytest.mark.parametrize(
    "overrides, message",
    [
        pytest.param({"apiTag": "bad tag"}, 'apiTag for stack prod "bad tag" is not a valid image tag', id="bad-tag"),
        pytest.param({"apiTga": "1"}, "apiTga is not a config key of this program (did you mean apiTag?", id="typo-key"),
        pytest.param({"cpu": "2048"}, "cpu is not a config key of this program (only image tags are stack config: apiTag, jobsTag;", id="non-tag-key"),
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


def test_a_stack_the_services_do_not_declare_is_one_error_and_registers_nothing(tmp_path, capsys):
    project = copy_project(tmp_path / "project")
    (project / "stacks" / "Pulumi.qa.yaml").write_text((project / "stacks" / "Pulumi.prod.yaml").read_text())
    mocks = RecordingMocks()
    with pytest.raises(DeclarationError) as raised:
        run_program(project, "qa", None, mocks)
    assert mocks.resources == []  # no fall-through to another stack's settings
    (problem,) = raised.value.problems  # one problem for the stack, not one per service
    assert '"qa"' in problem and "declared stacks: dev, staging, prod" in problem
    assert main(["render", "--stack", "qa", "--project-dir", str(project)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == f"error: {raised.value}\n"


def test_a_missing_key_in_a_stack_file_is_named(tmp_path):
    project = copy_project(tmp_path / "project")
    (project / "stacks" / "Pulumi.prod.yaml").write_text(json.dumps({"config": {"fixture-shop:jobsTag": "3"}}))
    mocks = RecordingMocks()
    with pytest.raises(StackConfigError) as raised:
        run_program(project, "prod", None, mocks)
    assert raised.value.problems == ["apiTag is not set for stack prod; run: pulumi config set apiTag <tag> --stack prod"]
    assert mocks.resources == []


def test_pulumi_yaml_declares_exactly_the_services_tag_keys():
    project = yaml.safe_load((PROJECT / "Pulumi.yaml").read_text())
    assert set(project["config"]) == {"apiTag", "jobsTag"}
    for stack in STACKS:  # and every stack file sets exactly those: the program accepts them all, nothing is missing
        assert {key.split(":", 1)[1] for key in stack_config(PROJECT, stack) if key.startswith("fixture-shop:")} == set(project["config"])
    mocks = RecordingMocks()
    with pytest.raises(StackConfigError) as raised:
        run_program(PROJECT, "dev", {"extraTag": "1"}, mocks)
    assert "only image tags are stack config: apiTag, jobsTag;" in str(raised.value)  # the union of both services' keys


def test_the_stacks_aws_provider_settings_reach_the_code_that_calls_aws():
    mocks = RecordingMocks()
    role = {"roleArn": "arn:aws:iam::111111111111:role/deployer", "sessionName": "fixture", "externalId": "ext-1", "duration": "1h"}
    run_program(PROJECT, "dev", {"aws:profile": "fixture-dev", "aws:assumeRoles": [role], "aws:endpoints": [{"ecs": "http://127.0.0.1:4566"}]}, mocks)
    expected = {
        "profile": "fixture-dev", "region": "eu-west-1", "endpoints": {"ecs": "http://127.0.0.1:4566"},
        "assume_roles": [{"role_arn": "arn:aws:iam::111111111111:role/deployer", "session_name": "fixture", "external_id": "ext-1", "duration_seconds": 3600}],
    }
    assert {name: numbers(inputs["aws"]) for name, inputs in inputs_of(mocks, ROLLOUT).items()} == {"api-rollout": expected, "jobs-rollout": expected}
    assert {name: numbers(inputs["aws"]) for name, inputs in inputs_of(mocks, RETENTION).items()} == {"api-retention": expected, "jobs-retention": expected}


def test_aws_settings_the_code_cannot_apply_stop_the_program_in_one_line(tmp_path):
    project = copy_project(tmp_path / "project")
    stack_file = project / "stacks" / "Pulumi.dev.yaml"
    stack_file.write_text(stack_file.read_text().replace("config:\n", "config:\n  aws:accessKey: AKIAIOSFODNN7EXAMPLE\n", 1))
    with pytest.raises(EcsReleaseError) as raised:
        run_program(project, "dev", None, RecordingMocks())
    assert str(raised.value).startswith("stack dev: aws:accessKey: ecs-release's own AWS calls (rollout wait, retention, promote, status) cannot use it;")


def test_each_project_runs_its_own_app_module(tmp_path):
    """Two projects whose app modules share a name (``services``): each run imports its own, not the first one loaded."""
    first = RecordingMocks()
    run_program(PROJECT, "prod", None, first)
    project = copy_project(tmp_path / "project")
    text = (project / "services.py").read_text()
    (project / "services.py").write_text(text.replace('{"cpu": "512", "memory": "1024"}', '{"cpu": "1024", "memory": "2048"}'))
    second = RecordingMocks()
    run_program(project, "prod", None, second)
    assert (documents(first)["api-taskdef"]["cpu"], documents(second)["api-taskdef"]["cpu"]) == ("512", "1024")
    assert "services" not in sys.modules  # the project's own modules are unloaded after each run


def test_the_programs_collector_setting_stays_in_the_program(tmp_path):
    import gc

    project = copy_project(tmp_path / "project")
    main_py = project / "__main__.py"
    main_py.write_text("import gc\ngc.disable()\ngc.set_threshold(1, 2, 3)\n" + main_py.read_text())
    before = (gc.isenabled(), gc.get_threshold())
    assert run_program(project, "dev")
    assert (gc.isenabled(), gc.get_threshold()) == before


def test_after_a_run_its_own_modules_are_forgotten_and_installed_ones_kept(tmp_path):
    """The project's modules are imported anew by the next run (maybe of another project with a module of the
    same name); a package installed in a virtualenv inside the project stays loaded (pulumi_aws refuses to
    register its package twice)."""
    project = copy_project(tmp_path / "project")
    site = project / "venv" / "lib" / "python3" / "site-packages"
    site.mkdir(parents=True)
    (site / "installed_in_project_venv.py").write_text("VALUE = 1\n")
    main_py = project / "__main__.py"
    main_py.write_text(f"import sys\nsys.path.append({str(site)!r})\nimport installed_in_project_venv\n" + main_py.read_text())
    try:
        assert run_program(project, "dev")
        assert "installed_in_project_venv" in sys.modules
        assert "services" not in sys.modules
        assert run_program(project, "dev")  # and again, in the same process
    finally:
        sys.modules.pop("installed_in_project_venv", None)
        sys.path.remove(str(site))


def test_relative_paths_in_the_program_are_the_projects_as_under_pulumi(tmp_path, monkeypatch):
    project = copy_project(tmp_path / "project")
    main_py = project / "__main__.py"
    main_py.write_text("from pathlib import Path\nassert Path('Pulumi.yaml').is_file(), Path.cwd()\n" + main_py.read_text())
    monkeypatch.chdir(tmp_path)
    assert run_program(project, "dev")
    assert Path.cwd() == tmp_path  # and the caller's directory is given back


def test_the_caller_gets_its_import_path_back():
    before = list(sys.path)
    assert run_program(PROJECT, "dev")
    assert sys.path == before


def test_each_run_has_its_own_stack_outputs_resolved_and_secrets_marked(tmp_path):
    """``stack_outputs`` holds the exports of the last run only (each run gets a new root stack), resolved."""
    from components.offline import stack_outputs

    run_program(PROJECT, "prod")
    assert sorted(stack_outputs()) == ["api", "jobs"]
    assert stack_outputs()["api"]["imageTags"] == {"api": "2.0.0", "migrate": "2.0.0"}
    assert stack_outputs()["api"]["taskDefinitionArn"] == "arn:aws:ecs:eu-west-1:123456789012:task-definition/fixture-api-prod:1"
    project = copy_project(tmp_path / "project")
    main_py = project / "__main__.py"
    main_py.write_text(main_py.read_text().replace("pulumi.export(name, {", "pulumi.export(f'{name}-only', {")
                       + "\npulumi.export('token', pulumi.Output.secret('s3cr3t'))\n")
    run_program(project, "dev")
    outputs = stack_outputs()
    assert sorted(outputs) == ["api-only", "jobs-only", "token"]  # nothing left over from the run before
    assert outputs["token"] == {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "s3cr3t"}


@pytest.mark.parametrize(
    "line, expected",
    [
        pytest.param("undefined_name\n", "the program failed at __main__.py:1: NameError: name 'undefined_name' is not defined; fix the program there", id="name-error"),
        pytest.param("raise RuntimeError('boom')\n", "the program failed at __main__.py:1: RuntimeError: boom; fix the program there", id="raise"),
        pytest.param("import sys\nsys.exit(3)\n", "__main__.py: the program exited (SystemExit 3) before it finished; let it run to its end", id="exit"),
    ],
)
def test_an_error_in_the_users_program_is_theirs_not_a_bug_of_ours(tmp_path, line, expected):
    project = copy_project(tmp_path / "project")
    main_py = project / "__main__.py"
    main_py.write_text(line + main_py.read_text())
    with pytest.raises(Exception) as raised:
        run_program(project, "dev")
    assert type(raised.value).__name__ == "ProgramError" and str(raised.value) == expected


def test_a_project_without_a_program_is_named(tmp_path):
    project = copy_project(tmp_path / "project")
    (project / "__main__.py").unlink()
    with pytest.raises(Exception, match=r"__main__.py: no such file; a Pulumi Python program starts at __main__.py"):
        run_program(project, "dev")
